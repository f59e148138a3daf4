using System.Buffers.Binary;

namespace DpdkSharp.Wire;

/// <summary>
/// A validated IPv4 datagram (RFC 791 §3.1), a view over the caller's bytes. <see cref="TryParse"/>
/// applies the checks of RFC 1122 §3.2.1.1-3.2.1.3: version, IHL, total length against the
/// frame (link padding is cut off), header checksum, well-formed options (which are then skipped,
/// RFC 1122 §3.2.1.8, except those an echo reply reflects: <see cref="Ipv4Options"/>).
/// </summary>
public readonly ref struct Ipv4Packet
{
    /// <summary>Bytes of a header without options.</summary>
    public const int MinHeaderLength = 20;
    /// <summary>Largest total length the 16-bit field allows.</summary>
    public const int MaxTotalLength = 65535;
    /// <summary>The Don't Fragment bit of the flags and fragment offset word.</summary>
    public const ushort FlagDontFragment = 0x4000;
    /// <summary>The More Fragments bit of the flags and fragment offset word.</summary>
    public const ushort FlagMoreFragments = 0x2000;

    /// <summary>The header (with options).</summary>
    public ReadOnlySpan<byte> Header { get; }
    /// <summary>The payload, exactly total length minus header length.</summary>
    public ReadOnlySpan<byte> Payload { get; }

    // The fields the receive path reads for every datagram, taken from the fixed header once by TryParse (behind its
    // length check) rather than sliced out of Header, range-checked, on each access.
    private readonly ushort _flagsAndOffset;
    private readonly byte _ttl;
    private readonly byte _protocol;
    private readonly uint _source;
    private readonly uint _destination;

    private Ipv4Packet(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload, ushort flagsAndOffset, ulong ttlToSource, uint destination)
    {
        Header = header;
        Payload = payload;
        _flagsAndOffset = flagsAndOffset;
        _ttl = (byte)(ttlToSource >> 56);
        _protocol = (byte)(ttlToSource >> 48);
        _source = (uint)ttlToSource;
        _destination = destination;
    }

    /// <summary>Bytes of the header, options included.</summary>
    public int HeaderLength => Header.Length;
    /// <summary>Bytes of the datagram: header and payload.</summary>
    public int TotalLength => Header.Length + Payload.Length;
    /// <summary>The type of service (DSCP and ECN) byte.</summary>
    public byte TypeOfService => Header[1];
    /// <summary>The identification shared by a datagram's fragments.</summary>
    public ushort Identification => BinaryPrimitives.ReadUInt16BigEndian(Header[4..]);
    /// <summary>Whether Don't Fragment is set.</summary>
    public bool DontFragment => (_flagsAndOffset & FlagDontFragment) != 0;
    /// <summary>Whether More Fragments is set.</summary>
    public bool MoreFragments => (_flagsAndOffset & FlagMoreFragments) != 0;
    /// <summary>Fragment offset in bytes (the field counts 8-byte units).</summary>
    public int FragmentOffset => (_flagsAndOffset & 0x1FFF) * 8;
    /// <summary>Whether this is a fragment (More Fragments or a non-zero offset).</summary>
    public bool IsFragment => (_flagsAndOffset & (FlagMoreFragments | 0x1FFF)) != 0;
    /// <summary>Time to live.</summary>
    public byte Ttl => _ttl;
    /// <summary>The payload's protocol.</summary>
    public IpProtocol Protocol => (IpProtocol)_protocol;
    /// <summary>The header checksum field as received.</summary>
    public ushort HeaderChecksum => BinaryPrimitives.ReadUInt16BigEndian(Header[10..]);
    /// <summary>The source address.</summary>
    public Ipv4Address Source => new(_source);
    /// <summary>The destination address.</summary>
    public Ipv4Address Destination => new(_destination);

    /// <summary>Validates and parses; on failure <paramref name="reason"/> says why.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, bool verifyChecksum, out Ipv4Packet packet, out DropReason reason)
    {
        packet = default;
        reason = DropReason.Malformed;
        if (data.Length < MinHeaderLength || (data[0] >> 4) != 4)
        {
            return false;
        }
        // The fixed header's fields from a slice of constant length: the JIT proves every read in range once.
        var fixedHeader = data[..MinHeaderLength];
        int headerLength = (fixedHeader[0] & 0x0F) * 4;
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(fixedHeader[2..]);
        if (headerLength < MinHeaderLength || headerLength > data.Length || totalLength < headerLength || totalLength > data.Length)
        {
            return false;
        }
        var header = data[..headerLength];
        if (verifyChecksum && !InternetChecksum.IsValid(header))
        {
            reason = DropReason.BadChecksum;
            return false;
        }
        if (headerLength > MinHeaderLength && !OptionsWellFormed(header[MinHeaderLength..]))
        {
            return false;
        }
        // Flags and offset; TTL, protocol, checksum and source in one load; destination: all within the 20 bytes checked above.
        packet = new Ipv4Packet(header, data[headerLength..totalLength], BinaryPrimitives.ReadUInt16BigEndian(fixedHeader[6..]),
            BinaryPrimitives.ReadUInt64BigEndian(fixedHeader[8..]), BinaryPrimitives.ReadUInt32BigEndian(fixedHeader[16..]));
        return true;
    }

    /// <summary>
    /// RFC 791 §3.1 "Options": type 0 ends the list, type 1 is a one-byte no-op, every other
    /// option carries a length byte that counts itself and the type and must stay in the header;
    /// Record Route and Timestamp must also be ones this host could update (<see cref="RecordableOptionValid"/>).
    /// </summary>
    private static bool OptionsWellFormed(ReadOnlySpan<byte> options)
    {
        int i = 0;
        while (i < options.Length)
        {
            byte type = options[i];
            if (type == 0)
            {
                return true;
            }
            if (type == 1)
            {
                i++;
                continue;
            }
            if (i + 1 >= options.Length)
            {
                return false;
            }
            int length = options[i + 1];
            if (length < 2 || i + length > options.Length)
            {
                return false;
            }
            if (type is Ipv4Options.RecordRoute or Ipv4Options.Timestamp && !RecordableOptionValid(options.Slice(i, length)))
            {
                return false;
            }
            i += length;
        }
        return true;
    }

    /// <summary>
    /// RFC 791 §3.1 "Record Route" and "Internet Timestamp": the pointer starts at the first slot (4, or 5 for a timestamp);
    /// a pointer past the length means full, but "if there is some room but not enough room for a full address [or
    /// timestamp] to be inserted, or the overflow count itself overflows, the original datagram is considered to be in error
    /// and is discarded". An echo request's options are updated and reflected (RFC 1122 §3.2.2.6), so these would be too;
    /// Linux refuses the same datagrams (with a parameter problem).
    /// </summary>
    private static bool RecordableOptionValid(ReadOnlySpan<byte> option)
    {
        bool timestamp = option[0] == Ipv4Options.Timestamp;
        if (option.Length < (timestamp ? 4 : 3))
        {
            return false;
        }
        int pointer = option[2];
        if (pointer < (timestamp ? 5 : 4))
        {
            return false;
        }
        if (!timestamp)
        {
            return pointer > option.Length || pointer + 3 <= option.Length;
        }
        int flag = option[3] & 0x0F;
        if (pointer > option.Length)
        {
            // Full: one more module counts itself in the overflow (none for prespecified addresses, all of which are past).
            return flag == 3 || option[3] >> 4 != 15;
        }
        // A flag RFC 791 does not define is left alone (nothing is recorded), as Linux leaves it.
        int entry = flag == 0 ? 4 : 8;
        return flag is not (0 or 1 or 3) || pointer + entry - 1 <= option.Length;
    }

    /// <summary>
    /// Writes a header: 20 bytes, plus <paramref name="options"/> (already padded to a multiple of 4;
    /// this host sends options only when it reflects an echo request's, RFC 1122 §3.2.2.6). The
    /// checksum is computed unless the device will (<paramref name="computeChecksum"/> false leaves 0,
    /// as DPDK's IPv4 checksum offload requires).
    /// </summary>
    /// <returns>The header length.</returns>
    public static int WriteHeader(Span<byte> destination, Ipv4Address source, Ipv4Address dest, IpProtocol protocol,
        int totalLength, ushort identification, byte ttl, bool dontFragment, bool moreFragments, int fragmentOffsetBytes,
        bool computeChecksum, byte typeOfService = 0, ReadOnlySpan<byte> options = default)
    {
        if ((options.Length & 3) != 0 || options.Length > Ipv4Options.MaxLength)
        {
            throw new ArgumentException($"IPv4 options must be padded to a multiple of 4 bytes and at most {Ipv4Options.MaxLength}, got {options.Length}.", nameof(options));
        }
        int headerLength = MinHeaderLength + options.Length;
        byte versionIhl = (byte)(0x40 | headerLength / 4);
        ushort flags = (ushort)((fragmentOffsetBytes >> 3) & 0x1FFF);
        if (dontFragment)
        {
            flags |= FlagDontFragment;
        }
        if (moreFragments)
        {
            flags |= FlagMoreFragments;
        }
        if (!options.IsEmpty)
        {
            // Not for the usual header without options: an empty copy is still a call to memmove per packet.
            options.CopyTo(destination[MinHeaderLength..]);
        }
        ushort checksum = 0;
        if (computeChecksum)
        {
            // RFC 791 §3.1 "Header Checksum", summed from the field values (see InternetChecksum.Fold).
            uint sum = (uint)(versionIhl << 8 | typeOfService) + (uint)(ushort)totalLength + identification + flags + (uint)(ttl << 8 | (byte)protocol)
                + (source.Value >> 16) + (source.Value & 0xFFFF) + (dest.Value >> 16) + (dest.Value & 0xFFFF);
            uint folded = InternetChecksum.Fold(sum);
            if (!options.IsEmpty)
            {
                folded = InternetChecksum.Add(folded, InternetChecksum.Sum(options));
            }
            checksum = InternetChecksum.Finish(folded);
        }
        // The fixed header in three stores (the fields in RFC 791 §3.1 order, big-endian), range-checked once: the slice
        // of constant length lets the JIT drop the stores' own checks.
        var header = destination[..MinHeaderLength];
        BinaryPrimitives.WriteUInt64BigEndian(header, (ulong)versionIhl << 56 | (ulong)typeOfService << 48
            | (ulong)(ushort)totalLength << 32 | (ulong)identification << 16 | flags);
        BinaryPrimitives.WriteUInt64BigEndian(header[8..], (ulong)ttl << 56 | (ulong)(byte)protocol << 48 | (ulong)checksum << 32 | source.Value);
        BinaryPrimitives.WriteUInt32BigEndian(header[16..], dest.Value);
        return headerLength;
    }
}
