using System.Buffers.Binary;

namespace DpdkSharp.Wire;

/// <summary>ICMP message types this stack reads or writes (RFC 792).</summary>
public enum IcmpType : byte
{
    /// <summary>Echo reply.</summary>
    EchoReply = 0,
    /// <summary>Destination unreachable.</summary>
    DestinationUnreachable = 3,
    /// <summary>Source quench (deprecated, RFC 6633).</summary>
    SourceQuench = 4,
    /// <summary>Redirect (for routers to send).</summary>
    Redirect = 5,
    /// <summary>Echo request (ping).</summary>
    EchoRequest = 8,
    /// <summary>Time exceeded (TTL or reassembly).</summary>
    TimeExceeded = 11,
    /// <summary>Parameter problem.</summary>
    ParameterProblem = 12,
}

/// <summary>Destination Unreachable codes (RFC 792; RFC 1122 §3.2.2.1).</summary>
public enum IcmpUnreachableCode : byte
{
    /// <summary>Network unreachable.</summary>
    Network = 0,
    /// <summary>Host unreachable.</summary>
    Host = 1,
    /// <summary>Protocol unreachable.</summary>
    Protocol = 2,
    /// <summary>Port unreachable.</summary>
    Port = 3,
    /// <summary>Fragmentation needed and Don't Fragment set (path MTU discovery).</summary>
    FragmentationNeeded = 4,
}

/// <summary>
/// An ICMP message (RFC 792): type, code, checksum over the whole message, four type-specific
/// bytes (identifier and sequence for echo; unused or next-hop MTU for errors), then the body.
/// A view over the caller's bytes.
/// </summary>
public readonly ref struct IcmpMessage
{
    /// <summary>Bytes of the ICMP header: type, code, checksum and the four type-specific bytes.</summary>
    public const int HeaderLength = 8;

    private readonly ReadOnlySpan<byte> _b;

    private IcmpMessage(ReadOnlySpan<byte> bytes) => _b = bytes;

    /// <summary>The message type.</summary>
    public IcmpType Type => (IcmpType)_b[0];
    /// <summary>The code within the type.</summary>
    public byte Code => _b[1];
    /// <summary>The checksum field as received.</summary>
    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(_b[2..]);
    /// <summary>The echo identifier (first two type-specific bytes).</summary>
    public ushort Identifier => BinaryPrimitives.ReadUInt16BigEndian(_b[4..]);
    /// <summary>The echo sequence number (last two type-specific bytes).</summary>
    public ushort SequenceNumber => BinaryPrimitives.ReadUInt16BigEndian(_b[6..]);
    /// <summary>Data of an echo; the original IP header plus at least 8 bytes for an error.</summary>
    public ReadOnlySpan<byte> Body => _b[HeaderLength..];
    /// <summary>Whether the type is an error message (which quotes a datagram).</summary>
    public bool IsError => Type is IcmpType.DestinationUnreachable or IcmpType.TimeExceeded or IcmpType.ParameterProblem or IcmpType.SourceQuench or IcmpType.Redirect;

    /// <summary>Parses an ICMP message (at least 8 bytes); with <paramref name="verifyChecksum"/> the checksum over the whole message must hold. On failure <paramref name="reason"/> says why.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, bool verifyChecksum, out IcmpMessage message, out DropReason reason)
    {
        message = default;
        reason = DropReason.Malformed;
        if (data.Length < HeaderLength)
        {
            return false;
        }
        if (verifyChecksum && !InternetChecksum.IsValid(data))
        {
            reason = DropReason.BadChecksum;
            return false;
        }
        message = new IcmpMessage(data);
        return true;
    }

    /// <summary>Writes the 8-byte header and finishes the checksum over header and <paramref name="bodySum"/> (the folded sum of the body).</summary>
    public static void WriteHeader(Span<byte> destination, IcmpType type, byte code, ushort first, ushort second, uint bodySum)
    {
        destination[0] = (byte)type;
        destination[1] = code;
        destination[2] = 0;
        destination[3] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], first);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], second);
        uint sum = InternetChecksum.Sum(destination[..HeaderLength], bodySum);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], InternetChecksum.Finish(sum));
    }

    /// <summary>
    /// What an ICMP error says about a datagram we sent (RFC 1122 §3.2.2: the body quotes the
    /// original IP header and at least its first 8 data bytes, enough for the UDP/TCP ports).
    /// False when the quote is too short or not a UDP datagram from us.
    /// </summary>
    public bool TryGetQuotedUdp(out Ipv4Endpoint local, out Ipv4Endpoint remote) => TryGetQuoted(IpProtocol.Udp, out local, out remote, out _);

    /// <summary>
    /// What an ICMP error says about a <paramref name="protocol"/> datagram we sent: its endpoints and
    /// the quoted transport bytes (at least 8: for TCP the ports and the sequence number, which
    /// RFC 5927 §4.1 checks). False when the quote is too short, of another protocol or not of a
    /// first fragment.
    /// </summary>
    public bool TryGetQuoted(IpProtocol protocol, out Ipv4Endpoint local, out Ipv4Endpoint remote, out ReadOnlySpan<byte> transport)
    {
        local = default;
        remote = default;
        transport = default;
        var quote = Body;
        if (quote.Length < Ipv4Packet.MinHeaderLength || (quote[0] >> 4) != 4)
        {
            return false;
        }
        int ihl = (quote[0] & 0x0F) * 4;
        if (ihl < Ipv4Packet.MinHeaderLength || quote.Length < ihl + 8 || (IpProtocol)quote[9] != protocol)
        {
            return false;
        }
        // Only the first fragment carries the transport header.
        if ((BinaryPrimitives.ReadUInt16BigEndian(quote[6..]) & 0x1FFF) != 0)
        {
            return false;
        }
        var src = Ipv4Address.Read(quote[12..]);
        var dst = Ipv4Address.Read(quote[16..]);
        transport = quote[ihl..];
        local = new Ipv4Endpoint(src, BinaryPrimitives.ReadUInt16BigEndian(transport));
        remote = new Ipv4Endpoint(dst, BinaryPrimitives.ReadUInt16BigEndian(transport[2..]));
        return true;
    }
}
