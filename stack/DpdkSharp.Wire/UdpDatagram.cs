using System.Buffers.Binary;

namespace DpdkSharp.Wire;

/// <summary>
/// A UDP datagram (RFC 768), a view over the caller's bytes. <see cref="TryParse"/> checks the
/// length field against the IP payload (extra bytes after the UDP length are cut off, a length
/// larger than the payload or smaller than 8 is malformed).
/// </summary>
public readonly ref struct UdpDatagram
{
    /// <summary>Bytes of the UDP header.</summary>
    public const int HeaderLength = 8;
    /// <summary>Largest payload over IPv4: 65535 - 20 (IP header) - 8 (UDP header).</summary>
    public const int MaxPayload = Ipv4Packet.MaxTotalLength - Ipv4Packet.MinHeaderLength - HeaderLength;

    private readonly ReadOnlySpan<byte> _b;
    // The header's fields, from the one load TryParse makes of it (behind its length check), rather than sliced out of
    // the bytes, range-checked, at each access: the receive path reads the ports and the checksum more than once.
    private readonly ushort _sourcePort;
    private readonly ushort _destinationPort;
    private readonly ushort _checksum;

    private UdpDatagram(ReadOnlySpan<byte> bytes, ulong header)
    {
        _b = bytes;
        _sourcePort = (ushort)(header >> 48);
        _destinationPort = (ushort)(header >> 32);
        _checksum = (ushort)header;
    }

    /// <summary>The source port.</summary>
    public ushort SourcePort => _sourcePort;
    /// <summary>The destination port.</summary>
    public ushort DestinationPort => _destinationPort;
    /// <summary>Bytes of the datagram (the length field): header and payload.</summary>
    public int Length => _b.Length;
    /// <summary>The checksum field as received (0: none computed).</summary>
    public ushort Checksum => _checksum;
    /// <summary>The whole datagram.</summary>
    public ReadOnlySpan<byte> Bytes => _b;
    /// <summary>The payload after the header.</summary>
    public ReadOnlySpan<byte> Payload => _b[HeaderLength..];

    /// <summary>Parses a datagram from an IP payload: false when shorter than its header or than its own length field says.</summary>
    public static bool TryParse(ReadOnlySpan<byte> ipPayload, out UdpDatagram datagram)
    {
        datagram = default;
        if (ipPayload.Length < HeaderLength)
        {
            return false;
        }
        ulong header = BinaryPrimitives.ReadUInt64BigEndian(ipPayload);
        int length = (ushort)(header >> 16);
        if (length < HeaderLength || length > ipPayload.Length)
        {
            return false;
        }
        datagram = new UdpDatagram(ipPayload[..length], header);
        return true;
    }

    /// <summary>
    /// RFC 768 "Fields": a checksum of zero means the sender computed none (accepted); otherwise
    /// the sum over pseudo-header and datagram must be all ones.
    /// </summary>
    public bool ChecksumValid(Ipv4Address source, Ipv4Address destination)
    {
        if (Checksum == 0)
        {
            return true;
        }
        return InternetChecksum.IsValidWithPseudoHeader(_b, source, destination, IpProtocol.Udp);
    }

    /// <summary>
    /// Writes the 8-byte header. The checksum covers pseudo-header, this header and
    /// <paramref name="payloadSum"/> (the folded sum of the payload); a computed 0 is sent as
    /// 0xFFFF because 0 means "no checksum" (RFC 768). With <paramref name="offload"/> the field
    /// gets the non-complemented pseudo-header sum instead and the device finishes it (DPDK's
    /// rte_ipv4_phdr_cksum convention).
    /// </summary>
    public static void WriteHeader(Span<byte> destination, Ipv4Address source, Ipv4Address dest, ushort sourcePort, ushort destPort,
        int payloadLength, uint payloadSum, bool offload)
    {
        int length = HeaderLength + payloadLength;
        BinaryPrimitives.WriteUInt16BigEndian(destination, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], destPort);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], (ushort)length);
        destination[6] = 0;
        destination[7] = 0;
        uint pseudo = InternetChecksum.PseudoHeaderSum(source, dest, IpProtocol.Udp, length);
        if (offload)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[6..], (ushort)pseudo);
            return;
        }
        // The header's words from their values, not read back (see InternetChecksum.Fold).
        uint header = InternetChecksum.Fold((uint)sourcePort + destPort + (uint)length);
        ushort checksum = InternetChecksum.Finish(InternetChecksum.Add(InternetChecksum.Add(pseudo, payloadSum), header));
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], checksum == 0 ? (ushort)0xFFFF : checksum);
    }
}
