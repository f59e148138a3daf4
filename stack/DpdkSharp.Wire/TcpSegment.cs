using System.Buffers.Binary;

namespace DpdkSharp.Wire;

/// <summary>TCP control bits (RFC 9293 §3.1; ECE and CWR from RFC 3168 §6.1).</summary>
[Flags]
public enum TcpFlags : byte
{
    /// <summary>No bit set.</summary>
    None = 0,
    /// <summary>No more data from the sender.</summary>
    Fin = 0x01,
    /// <summary>Synchronize sequence numbers.</summary>
    Syn = 0x02,
    /// <summary>Reset the connection.</summary>
    Rst = 0x04,
    /// <summary>Push function.</summary>
    Psh = 0x08,
    /// <summary>The acknowledgment field is significant.</summary>
    Ack = 0x10,
    /// <summary>The urgent pointer field is significant.</summary>
    Urg = 0x20,
    /// <summary>ECN echo.</summary>
    Ece = 0x40,
    /// <summary>Congestion window reduced.</summary>
    Cwr = 0x80,
}

/// <summary>
/// A TCP segment (RFC 9293 §3.1), a view over the caller's bytes. <see cref="TryParse"/> checks the
/// data offset against the segment (at least 5 words, not past the end); options are parsed
/// separately and bounds-checked (<see cref="TcpOptions.TryParse"/>).
/// </summary>
public readonly ref struct TcpSegment
{
    /// <summary>Bytes of a header without options.</summary>
    public const int MinHeaderLength = 20;
    /// <summary>Bytes of a header with the most options (data offset 15).</summary>
    public const int MaxHeaderLength = 60;

    private readonly ReadOnlySpan<byte> _b;

    private TcpSegment(ReadOnlySpan<byte> bytes) => _b = bytes;

    /// <summary>The source port.</summary>
    public ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(_b);
    /// <summary>The destination port.</summary>
    public ushort DestinationPort => BinaryPrimitives.ReadUInt16BigEndian(_b[2..]);
    /// <summary>The sequence number of the first octet (of the SYN, when set).</summary>
    public SequenceNumber Sequence => new(BinaryPrimitives.ReadUInt32BigEndian(_b[4..]));
    /// <summary>The next sequence number the sender expects (when <see cref="TcpFlags.Ack"/> is set).</summary>
    public SequenceNumber Acknowledgment => new(BinaryPrimitives.ReadUInt32BigEndian(_b[8..]));
    /// <summary>Bytes of the header, options included (the data offset times 4).</summary>
    public int HeaderLength => (_b[12] >> 4) * 4;
    /// <summary>The control bits.</summary>
    public TcpFlags Flags => (TcpFlags)_b[13];
    /// <summary>The window field, unscaled.</summary>
    public ushort Window => BinaryPrimitives.ReadUInt16BigEndian(_b[14..]);
    /// <summary>The checksum field as received.</summary>
    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(_b[16..]);
    /// <summary>The urgent pointer field.</summary>
    public ushort UrgentPointer => BinaryPrimitives.ReadUInt16BigEndian(_b[18..]);
    /// <summary>The option bytes (between the fixed header and the data).</summary>
    public ReadOnlySpan<byte> Options => _b[MinHeaderLength..HeaderLength];
    /// <summary>The data.</summary>
    public ReadOnlySpan<byte> Payload => _b[HeaderLength..];
    /// <summary>The whole segment.</summary>
    public ReadOnlySpan<byte> Bytes => _b;
    /// <summary>
    /// The sequence space the segment occupies: its data plus one for SYN and one for FIN
    /// (RFC 9293 §3.4, SEG.LEN).
    /// </summary>
    public int SequenceLength => Payload.Length + ((Flags & TcpFlags.Syn) != 0 ? 1 : 0) + ((Flags & TcpFlags.Fin) != 0 ? 1 : 0);

    /// <summary>
    /// Parses a segment from an IP payload. False, with <see cref="DropReason.Malformed"/>, when it
    /// is shorter than 20 bytes or its data offset is below 5 or past its end.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> ipPayload, out TcpSegment segment, out DropReason reason)
    {
        segment = default;
        reason = DropReason.Malformed;
        if (ipPayload.Length < MinHeaderLength)
        {
            return false;
        }
        int headerLength = (ipPayload[12] >> 4) * 4;
        if (headerLength < MinHeaderLength || headerLength > ipPayload.Length)
        {
            return false;
        }
        segment = new TcpSegment(ipPayload);
        return true;
    }

    /// <summary>Whether the checksum over the IPv4 pseudo-header and the segment holds (RFC 9293 §3.1 "Checksum").</summary>
    public bool ChecksumValid(Ipv4Address source, Ipv4Address destination) =>
        InternetChecksum.IsValidWithPseudoHeader(_b, source, destination, IpProtocol.Tcp);

    /// <summary>
    /// Writes a header with <paramref name="options"/> (padded to a multiple of 4, see
    /// <see cref="TcpOptions.Write"/>) in front of <paramref name="payloadLength"/> bytes whose folded
    /// sum is <paramref name="payloadSum"/>, and fills in the checksum; with <paramref name="offload"/>
    /// the field gets the pseudo-header sum for the device to finish (DPDK's convention). Returns the
    /// header length.
    /// </summary>
    public static int WriteHeader(Span<byte> destination, Ipv4Address source, Ipv4Address dest, ushort sourcePort, ushort destPort,
        SequenceNumber sequence, SequenceNumber acknowledgment, TcpFlags flags, ushort window, ReadOnlySpan<byte> options,
        int payloadLength, uint payloadSum, bool offload)
    {
        if ((options.Length & 3) != 0 || options.Length > MaxHeaderLength - MinHeaderLength)
        {
            throw new ArgumentException($"TCP options must be padded to a multiple of 4 bytes and at most 40, got {options.Length}.", nameof(options));
        }
        int headerLength = MinHeaderLength + options.Length;
        BinaryPrimitives.WriteUInt16BigEndian(destination, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], destPort);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], sequence.Value);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], acknowledgment.Value);
        destination[12] = (byte)(headerLength / 4 << 4);
        destination[13] = (byte)flags;
        BinaryPrimitives.WriteUInt16BigEndian(destination[14..], window);
        destination[16] = 0;
        destination[17] = 0;
        destination[18] = 0; // urgent pointer: this stack never sends urgent data
        destination[19] = 0;
        options.CopyTo(destination[MinHeaderLength..]);
        int length = headerLength + payloadLength;
        uint pseudo = InternetChecksum.PseudoHeaderSum(source, dest, IpProtocol.Tcp, length);
        if (offload)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[16..], (ushort)pseudo);
            return headerLength;
        }
        uint header = InternetChecksum.Sum(destination[..headerLength]);
        BinaryPrimitives.WriteUInt16BigEndian(destination[16..],
            InternetChecksum.Finish(InternetChecksum.Add(InternetChecksum.Add(pseudo, payloadSum), header)));
        return headerLength;
    }
}
