using System.Buffers.Binary;
using System.Net;

namespace DpdkSharp.Runtime.Headers;

/// <summary>IP protocol numbers.</summary>
public static class IpProtocols
{
    /// <summary>ICMP.</summary>
    public const byte Icmp = 1;
    /// <summary>TCP.</summary>
    public const byte Tcp = 6;
    /// <summary>UDP.</summary>
    public const byte Udp = 17;
    /// <summary>ICMPv6.</summary>
    public const byte Icmpv6 = 58;
}

/// <summary>An IPv4 header over packet bytes (20 bytes, more with options).</summary>
public readonly ref struct Ipv4Header
{
    /// <summary>Size without options.</summary>
    public const int MinSize = 20;

    private readonly Span<byte> _bytes;

    /// <summary>A view of an IPv4 header at the start of <paramref name="bytes"/>.</summary>
    public Ipv4Header(Span<byte> bytes) => _bytes = HeaderBytes.Take(bytes, MinSize, "IPv4");

    /// <summary>IP version (4).</summary>
    public int Version { get => _bytes[0] >> 4; set => _bytes[0] = (byte)((value << 4) | (_bytes[0] & 0xF)); }
    /// <summary>Header length in bytes (IHL × 4).</summary>
    public int HeaderLength { get => (_bytes[0] & 0xF) * 4; set => _bytes[0] = (byte)((_bytes[0] & 0xF0) | ((value / 4) & 0xF)); }
    /// <summary>DSCP and ECN byte.</summary>
    public byte TypeOfService { get => _bytes[1]; set => _bytes[1] = value; }
    /// <summary>Total length: header and payload.</summary>
    public ushort TotalLength { get => Read(2); set => Write(2, value); }
    /// <summary>Identification.</summary>
    public ushort Identification { get => Read(4); set => Write(4, value); }
    /// <summary>Flags (3 bits) and fragment offset (13 bits).</summary>
    public ushort FragmentField { get => Read(6); set => Write(6, value); }
    /// <summary>Time to live.</summary>
    public byte TimeToLive { get => _bytes[8]; set => _bytes[8] = value; }
    /// <summary>Protocol, e.g. <see cref="IpProtocols.Udp"/>.</summary>
    public byte Protocol { get => _bytes[9]; set => _bytes[9] = value; }
    /// <summary>Header checksum as stored.</summary>
    public ushort Checksum { get => Read(10); set => Write(10, value); }
    /// <summary>Source address (host-order integer: 10.0.0.1 is 0x0A000001).</summary>
    public uint SourceRaw { get => BinaryPrimitives.ReadUInt32BigEndian(_bytes[12..]); set => BinaryPrimitives.WriteUInt32BigEndian(_bytes[12..], value); }
    /// <summary>Destination address (host-order integer).</summary>
    public uint DestinationRaw { get => BinaryPrimitives.ReadUInt32BigEndian(_bytes[16..]); set => BinaryPrimitives.WriteUInt32BigEndian(_bytes[16..], value); }
    /// <summary>Source address.</summary>
    public IPAddress Source { get => new(_bytes.Slice(12, 4)); set => value.TryWriteBytes(_bytes.Slice(12, 4), out _); }
    /// <summary>Destination address.</summary>
    public IPAddress Destination { get => new(_bytes.Slice(16, 4)); set => value.TryWriteBytes(_bytes.Slice(16, 4), out _); }

    /// <summary>The bytes after the header (per <see cref="HeaderLength"/>).</summary>
    public Span<byte> Payload => HeaderBytes.After(_bytes, HeaderLength);

    /// <summary>The checksum the header should carry (computed with the checksum field as zero).</summary>
    public ushort ComputeChecksum()
    {
        // The sum with the stored checksum's contribution taken out: same as summing with the field zeroed.
        var header = _bytes[..HeaderLength];
        var sum = 0u;
        for (var i = 0; i + 1 < header.Length; i += 2)
            if (i != 10)
                sum += BinaryPrimitives.ReadUInt16BigEndian(header[i..]);
        return HeaderBytes.InternetChecksum(default, sum);
    }

    /// <summary>Writes the computed checksum.</summary>
    public void UpdateChecksum() => Checksum = ComputeChecksum();

    /// <summary>Whether the stored checksum is right.</summary>
    public bool IsChecksumValid => HeaderBytes.InternetChecksum(_bytes[..HeaderLength]) == 0;

    private ushort Read(int offset) => BinaryPrimitives.ReadUInt16BigEndian(_bytes[offset..]);
    private void Write(int offset, ushort value) => BinaryPrimitives.WriteUInt16BigEndian(_bytes[offset..], value);
}

/// <summary>An IPv6 fixed header over packet bytes (40 bytes).</summary>
public readonly ref struct Ipv6Header
{
    /// <summary>Size in bytes.</summary>
    public const int Size = 40;

    private readonly Span<byte> _bytes;

    /// <summary>A view of an IPv6 header at the start of <paramref name="bytes"/>.</summary>
    public Ipv6Header(Span<byte> bytes) => _bytes = HeaderBytes.Take(bytes, Size, "IPv6");

    /// <summary>Version (4 bits), traffic class (8), flow label (20).</summary>
    public uint VersionClassFlow { get => BinaryPrimitives.ReadUInt32BigEndian(_bytes); set => BinaryPrimitives.WriteUInt32BigEndian(_bytes, value); }
    /// <summary>IP version (6).</summary>
    public int Version => _bytes[0] >> 4;
    /// <summary>Payload length (after this header).</summary>
    public ushort PayloadLength { get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[4..]); set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[4..], value); }
    /// <summary>Next header (protocol).</summary>
    public byte NextHeader { get => _bytes[6]; set => _bytes[6] = value; }
    /// <summary>Hop limit.</summary>
    public byte HopLimit { get => _bytes[7]; set => _bytes[7] = value; }
    /// <summary>Source address bytes.</summary>
    public Span<byte> SourceBytes => _bytes.Slice(8, 16);
    /// <summary>Destination address bytes.</summary>
    public Span<byte> DestinationBytes => _bytes.Slice(24, 16);
    /// <summary>Source address.</summary>
    public IPAddress Source { get => new(SourceBytes); set => value.TryWriteBytes(SourceBytes, out _); }
    /// <summary>Destination address.</summary>
    public IPAddress Destination { get => new(DestinationBytes); set => value.TryWriteBytes(DestinationBytes, out _); }
    /// <summary>The bytes after the fixed header.</summary>
    public Span<byte> Payload => HeaderBytes.After(_bytes, Size);
}

/// <summary>A UDP header over packet bytes (8 bytes).</summary>
public readonly ref struct UdpHeader
{
    /// <summary>Size in bytes.</summary>
    public const int Size = 8;

    private readonly Span<byte> _bytes;

    /// <summary>A view of a UDP header at the start of <paramref name="bytes"/>.</summary>
    public UdpHeader(Span<byte> bytes) => _bytes = HeaderBytes.Take(bytes, Size, "UDP");

    /// <summary>Source port.</summary>
    public ushort SourcePort { get => Read(0); set => Write(0, value); }
    /// <summary>Destination port.</summary>
    public ushort DestinationPort { get => Read(2); set => Write(2, value); }
    /// <summary>Length of header and payload.</summary>
    public ushort Length { get => Read(4); set => Write(4, value); }
    /// <summary>Checksum (0: none, IPv4 only).</summary>
    public ushort Checksum { get => Read(6); set => Write(6, value); }
    /// <summary>The bytes after the header.</summary>
    public Span<byte> Payload => HeaderBytes.After(_bytes, Size);

    private ushort Read(int offset) => BinaryPrimitives.ReadUInt16BigEndian(_bytes[offset..]);
    private void Write(int offset, ushort value) => BinaryPrimitives.WriteUInt16BigEndian(_bytes[offset..], value);
}

/// <summary>A TCP header over packet bytes (20 bytes, more with options).</summary>
public readonly ref struct TcpHeader
{
    /// <summary>Size without options.</summary>
    public const int MinSize = 20;

    private readonly Span<byte> _bytes;

    /// <summary>A view of a TCP header at the start of <paramref name="bytes"/>.</summary>
    public TcpHeader(Span<byte> bytes) => _bytes = HeaderBytes.Take(bytes, MinSize, "TCP");

    /// <summary>Source port.</summary>
    public ushort SourcePort { get => Read(0); set => Write(0, value); }
    /// <summary>Destination port.</summary>
    public ushort DestinationPort { get => Read(2); set => Write(2, value); }
    /// <summary>Sequence number.</summary>
    public uint SequenceNumber { get => BinaryPrimitives.ReadUInt32BigEndian(_bytes[4..]); set => BinaryPrimitives.WriteUInt32BigEndian(_bytes[4..], value); }
    /// <summary>Acknowledgement number.</summary>
    public uint AcknowledgementNumber { get => BinaryPrimitives.ReadUInt32BigEndian(_bytes[8..]); set => BinaryPrimitives.WriteUInt32BigEndian(_bytes[8..], value); }
    /// <summary>Header length in bytes (data offset × 4).</summary>
    public int HeaderLength { get => (_bytes[12] >> 4) * 4; set => _bytes[12] = (byte)(((value / 4) << 4) | (_bytes[12] & 0xF)); }
    /// <summary>Flags byte (CWR ECE URG ACK PSH RST SYN FIN).</summary>
    public byte Flags { get => _bytes[13]; set => _bytes[13] = value; }
    /// <summary>Receive window.</summary>
    public ushort Window { get => Read(14); set => Write(14, value); }
    /// <summary>Checksum.</summary>
    public ushort Checksum { get => Read(16); set => Write(16, value); }
    /// <summary>Urgent pointer.</summary>
    public ushort UrgentPointer { get => Read(18); set => Write(18, value); }
    /// <summary>The bytes after the header (per <see cref="HeaderLength"/>).</summary>
    public Span<byte> Payload => HeaderBytes.After(_bytes, HeaderLength);

    private ushort Read(int offset) => BinaryPrimitives.ReadUInt16BigEndian(_bytes[offset..]);
    private void Write(int offset, ushort value) => BinaryPrimitives.WriteUInt16BigEndian(_bytes[offset..], value);
}
