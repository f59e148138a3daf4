using System.Buffers.Binary;

namespace DpdkSharp.Wire;

/// <summary>
/// IPv4 options (RFC 791 §3.1 "Options") that a host writes back: the Record Route and Timestamp
/// options of an echo request, updated and reflected in the reply (RFC 1122 §3.2.2.6).
/// </summary>
public static class Ipv4Options
{
    /// <summary>End of option list (type 0).</summary>
    public const byte EndOfList = 0;
    /// <summary>No operation (type 1).</summary>
    public const byte NoOperation = 1;
    /// <summary>Record Route (type 7).</summary>
    public const byte RecordRoute = 7;
    /// <summary>Internet Timestamp (type 68).</summary>
    public const byte Timestamp = 68;
    /// <summary>Router Alert (type 148, RFC 2113): routers look at the datagram's contents; IGMP carries it (RFC 2236 §2).</summary>
    public const byte RouterAlert = 148;
    /// <summary>Bytes of the Router Alert option: type, length 4, value 0 ("every router examines the packet").</summary>
    public const int RouterAlertLength = 4;
    /// <summary>Loose Source and Record Route (type 131).</summary>
    public const byte LooseSourceRoute = 131;
    /// <summary>Strict Source and Record Route (type 137).</summary>
    public const byte StrictSourceRoute = 137;
    /// <summary>Most option bytes a header holds (60-byte header minus the fixed 20).</summary>
    public const int MaxLength = 40;

    /// <summary>
    /// Whether <paramref name="options"/> (well-formed, as <see cref="Ipv4Packet.TryParse"/> checked them) carry a loose or strict
    /// source route. RFC 7126 §4.3.5 and §4.4.5: all systems should drop such datagrams by default (Linux does, with
    /// accept_source_route 0); a host that answered one would also owe the reversed route (RFC 1122 §3.2.2.6), which this
    /// host does not build.
    /// </summary>
    public static bool HasSourceRoute(ReadOnlySpan<byte> options)
    {
        int i = 0;
        while (i < options.Length)
        {
            byte type = options[i];
            if (type == EndOfList)
            {
                return false;
            }
            if (type is LooseSourceRoute or StrictSourceRoute)
            {
                return true;
            }
            if (type == NoOperation || i + 1 >= options.Length)
            {
                i++;
                continue;
            }
            i += Math.Max(2, (int)options[i + 1]);
        }
        return false;
    }

    /// <summary>
    /// Writes into <paramref name="destination"/> the options an echo reply carries for a request
    /// with <paramref name="requestOptions"/> (the bytes after its fixed 20-byte header): every
    /// Record Route and Timestamp option, updated with this host's <paramref name="address"/> and
    /// time (RFC 1122 §3.2.2.6: "the recorded route will be for the entire round trip"), the rest
    /// left out (a source route is not followed back: this host does not route). The result is
    /// padded with End-of-List to a multiple of 4. Returns its length (0: no options to reflect).
    /// </summary>
    /// <param name="requestOptions">The request's option bytes, well-formed (<see cref="Ipv4Packet.TryParse"/> checked them).</param>
    /// <param name="address">Our address, recorded in the options.</param>
    /// <param name="timestamp">
    /// The timestamp to record (RFC 791 "Internet Timestamp": milliseconds since midnight UT, or any
    /// time with the high-order bit set when that is not known; see <see cref="NonStandardTimestamp"/>).
    /// </param>
    /// <param name="destination">At least <see cref="MaxLength"/> bytes.</param>
    public static int ReflectForEchoReply(ReadOnlySpan<byte> requestOptions, Ipv4Address address, uint timestamp, Span<byte> destination)
    {
        int written = 0;
        int i = 0;
        while (i < requestOptions.Length)
        {
            byte type = requestOptions[i];
            if (type == EndOfList)
            {
                break;
            }
            if (type == NoOperation)
            {
                i++;
                continue;
            }
            if (i + 1 >= requestOptions.Length)
            {
                break; // malformed tail: TryParse refuses these, stay bounded anyway
            }
            int length = requestOptions[i + 1];
            if (length < 2 || i + length > requestOptions.Length)
            {
                break;
            }
            if (type is RecordRoute or Timestamp)
            {
                var option = destination.Slice(written, length);
                requestOptions.Slice(i, length).CopyTo(option);
                if (type == RecordRoute)
                {
                    Record(option, address);
                }
                else
                {
                    Stamp(option, address, timestamp);
                }
                written += length;
            }
            i += length;
        }
        int padded = (written + 3) & ~3;
        destination[written..padded].Clear(); // End-of-List is 0
        return padded;
    }

    /// <summary>
    /// A timestamp RFC 791 accepts from a host without UT time: <paramref name="now"/> in milliseconds
    /// with the high-order bit set (the stack's clock is monotonic, not time of day).
    /// </summary>
    public static uint NonStandardTimestamp(Instant now) => (uint)(now.Nanoseconds / 1_000_000) | 0x8000_0000;

    /// <summary>RFC 791 "Record Route": our address at the pointer (1-based, at least 4), pointer + 4; a full option is left as it is.</summary>
    private static void Record(Span<byte> option, Ipv4Address address)
    {
        if (option.Length < 3)
        {
            return;
        }
        int pointer = option[2];
        if (pointer < 4 || pointer + 3 > option.Length)
        {
            return;
        }
        address.Write(option[(pointer - 1)..]);
        option[2] = (byte)(pointer + 4);
    }

    /// <summary>
    /// RFC 791 "Internet Timestamp": flag 0 records a timestamp, 1 our address and a timestamp, 3 a
    /// timestamp only where the next prespecified address is ours. A full option counts one more
    /// overflow (<see cref="Ipv4Packet.TryParse"/> refuses an option whose count would overflow; the
    /// field saturates here rather than wrap, should unchecked bytes come).
    /// </summary>
    private static void Stamp(Span<byte> option, Ipv4Address address, uint timestamp)
    {
        if (option.Length < 4)
        {
            return;
        }
        int pointer = option[2];
        int overflow = option[3] >> 4, flag = option[3] & 0x0F;
        int entry = flag == 0 ? 4 : 8;
        if (pointer < 5 || flag is not (0 or 1 or 3))
        {
            return;
        }
        if (pointer + entry - 1 > option.Length)
        {
            option[3] = (byte)(Math.Min(15, overflow + 1) << 4 | flag);
            return;
        }
        var slot = option[(pointer - 1)..];
        switch (flag)
        {
            case 0:
                BinaryPrimitives.WriteUInt32BigEndian(slot, timestamp);
                break;
            case 1:
                address.Write(slot);
                BinaryPrimitives.WriteUInt32BigEndian(slot[4..], timestamp);
                break;
            default:
                if (Ipv4Address.Read(slot) != address)
                {
                    return; // the next prespecified hop is someone else
                }
                BinaryPrimitives.WriteUInt32BigEndian(slot[4..], timestamp);
                break;
        }
        option[2] = (byte)(pointer + entry);
    }
}
