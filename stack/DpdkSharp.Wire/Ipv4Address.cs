using System.Buffers.Binary;
using System.Globalization;

namespace DpdkSharp.Wire;

/// <summary>An IPv4 address (RFC 791 §3.2, "Addressing"), held as a host-order number: 10.0.0.1 is 0x0A000001.</summary>
public readonly record struct Ipv4Address(uint Value) : IComparable<Ipv4Address>
{
    /// <summary>
    /// The address mixed with a per-process seed (<see cref="HashCode"/>), not the number itself: tables keyed by
    /// addresses that senders choose (ARP, reassembly per source) would otherwise put every address congruent
    /// modulo the table's size into one bucket, which a sender can aim at (hash flooding).
    /// </summary>
    public override int GetHashCode() => HashCode.Combine(Value);

    /// <summary>0.0.0.0.</summary>
    public static Ipv4Address Any => default;
    /// <summary>255.255.255.255.</summary>
    public static Ipv4Address Broadcast { get; } = new(0xFFFF_FFFF);

    /// <summary>Whether this is 0.0.0.0 (any address, or "this host").</summary>
    public bool IsAny => Value == 0;
    /// <summary>255.255.255.255, the limited broadcast (RFC 1122 §3.2.1.3(c)).</summary>
    public bool IsBroadcast => Value == 0xFFFF_FFFF;
    /// <summary>Class D, 224.0.0.0/4 (RFC 1112 §4).</summary>
    public bool IsMulticast => (Value & 0xF000_0000) == 0xE000_0000;
    /// <summary>127.0.0.0/8.</summary>
    public bool IsLoopback => (Value >> 24) == 127;

    /// <summary>Reads an address from 4 bytes in network order.</summary>
    public static Ipv4Address Read(ReadOnlySpan<byte> source) => new(BinaryPrimitives.ReadUInt32BigEndian(source));

    /// <summary>Writes the address as 4 bytes in network order.</summary>
    public void Write(Span<byte> destination) => BinaryPrimitives.WriteUInt32BigEndian(destination, Value);

    /// <summary>The network mask of a prefix length (0..32).</summary>
    public static uint Mask(int prefixLength) => prefixLength == 0 ? 0 : uint.MaxValue << (32 - prefixLength);

    /// <summary>Whether the address is in <paramref name="network"/>/<paramref name="prefixLength"/>.</summary>
    public bool IsInSubnet(Ipv4Address network, int prefixLength) => ((Value ^ network.Value) & Mask(prefixLength)) == 0;

    /// <summary>Parses dotted-decimal text ("10.0.0.1").</summary>
    public static Ipv4Address Parse(string text)
    {
        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            throw new FormatException($"'{text}' is not an IPv4 address.");
        }
        uint v = 0;
        foreach (var part in parts)
        {
            v = v << 8 | byte.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture);
        }
        return new Ipv4Address(v);
    }

    /// <inheritdoc/>
    public int CompareTo(Ipv4Address other) => Value.CompareTo(other.Value);

    /// <summary>Dotted-decimal text.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Value >> 24}.{(Value >> 16) & 0xFF}.{(Value >> 8) & 0xFF}.{Value & 0xFF}");
}
