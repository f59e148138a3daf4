using System.Buffers.Binary;

namespace DpdkSharp.Runtime.Headers;

/// <summary>Well-known EtherType values (host order).</summary>
public static class EtherTypes
{
    /// <summary>IPv4.</summary>
    public const ushort Ipv4 = 0x0800;
    /// <summary>ARP.</summary>
    public const ushort Arp = 0x0806;
    /// <summary>802.1Q VLAN tag.</summary>
    public const ushort Vlan = 0x8100;
    /// <summary>802.1ad outer VLAN tag.</summary>
    public const ushort Qinq = 0x88A8;
    /// <summary>IPv6.</summary>
    public const ushort Ipv6 = 0x86DD;
}

/// <summary>An Ethernet II header (14 bytes) over packet bytes; multi-byte fields are read and written in network order.</summary>
public readonly ref struct EthernetHeader
{
    /// <summary>Header size in bytes.</summary>
    public const int Size = 14;

    private readonly Span<byte> _bytes;

    /// <summary>A view of the first <see cref="Size"/> bytes of <paramref name="bytes"/>.</summary>
    /// <exception cref="ArgumentException">Fewer than <see cref="Size"/> bytes.</exception>
    public EthernetHeader(Span<byte> bytes) => _bytes = HeaderBytes.Take(bytes, Size, "Ethernet");

    /// <summary>Destination address.</summary>
    public MacAddress Destination { get => new(_bytes); set => value.WriteTo(_bytes); }

    /// <summary>Source address.</summary>
    public MacAddress Source { get => new(_bytes[6..]); set => value.WriteTo(_bytes[6..]); }

    /// <summary>EtherType (host order), e.g. <see cref="EtherTypes.Ipv4"/>.</summary>
    public ushort EtherType
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[12..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[12..], value);
    }

    /// <summary>The bytes after the header.</summary>
    public Span<byte> Payload => _bytes.Length == Size ? default : HeaderBytes.After(_bytes, Size);

    /// <summary>Swaps source and destination (what a reflector does).</summary>
    public void SwapAddresses()
    {
        Span<byte> tmp = stackalloc byte[6];
        _bytes[..6].CopyTo(tmp);
        _bytes.Slice(6, 6).CopyTo(_bytes);
        tmp.CopyTo(_bytes.Slice(6, 6));
    }
}

/// <summary>An 802.1Q tag (4 bytes: TCI then the inner EtherType), the bytes after an Ethernet header whose EtherType is VLAN.</summary>
public readonly ref struct VlanHeader
{
    /// <summary>Header size in bytes.</summary>
    public const int Size = 4;

    private readonly Span<byte> _bytes;

    /// <summary>A view of the first <see cref="Size"/> bytes.</summary>
    public VlanHeader(Span<byte> bytes) => _bytes = HeaderBytes.Take(bytes, Size, "VLAN");

    /// <summary>Tag control information: priority (3 bits), drop eligible (1), VLAN id (12).</summary>
    public ushort Tci
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes, value);
    }

    /// <summary>The VLAN id (low 12 bits of the TCI).</summary>
    public int VlanId
    {
        get => Tci & 0x0FFF;
        set => Tci = (ushort)((Tci & 0xF000) | (value & 0x0FFF));
    }

    /// <summary>Priority code point (top 3 bits of the TCI).</summary>
    public int Priority
    {
        get => Tci >> 13;
        set => Tci = (ushort)((Tci & 0x1FFF) | ((value & 0x7) << 13));
    }

    /// <summary>The EtherType of what follows the tag.</summary>
    public ushort EtherType
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[2..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[2..], value);
    }

    /// <summary>The bytes after the tag.</summary>
    public Span<byte> Payload => HeaderBytes.After(_bytes, Size);
}

/// <summary>Shared checks for header views.</summary>
internal static class HeaderBytes
{
    // Keep the whole span (the payload follows) but refuse one too short for the header itself.
    public static Span<byte> Take(Span<byte> bytes, int size, string header)
    {
        if (bytes.Length < size)
            throw new ArgumentException($"{header} header needs {size} bytes, got {bytes.Length}.", nameof(bytes));
        return bytes;
    }

    public static Span<byte> After(Span<byte> bytes, int size) => bytes.Length <= size ? default : bytes[size..];

    /// <summary>The Internet checksum (RFC 1071) over <paramref name="data"/> with an initial partial sum.</summary>
    public static ushort InternetChecksum(ReadOnlySpan<byte> data, uint sum = 0)
    {
        var i = 0;
        for (; i + 1 < data.Length; i += 2)
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        if (i < data.Length)
            sum += (uint)data[i] << 8;
        while ((sum >> 16) != 0)
            sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }
}
