using System.Buffers.Binary;
using System.Net;

namespace DpdkSharp.Wire;

/// <summary>
/// An IPv4 or IPv6 address in one 16-byte value, for code that must not depend on the address
/// family (a TCP connection's 4-tuple, its keyed hashes). An IPv4 address is held in its
/// IPv4-mapped form, ::ffff:a.b.c.d (RFC 4291 §2.5.5.2), so each address has exactly one value
/// and equality is a comparison of two numbers.
/// </summary>
/// <remarks>
/// The bytes are kept as two big-endian 64-bit halves (bytes 0–7 and 8–15 in network order), so
/// the struct is blittable, compares and hashes without a loop, and allocates nothing.
/// </remarks>
public readonly record struct IpAddress
{
    private const ulong MappedPrefix = 0x0000_FFFF_0000_0000; // the low half of ::ffff:0.0.0.0

    private readonly ulong _high;
    private readonly ulong _low;

    private IpAddress(ulong high, ulong low)
    {
        _high = high;
        _low = low;
    }

    /// <summary>
    /// A hash of all 128 bits, seeded per process (<see cref="HashCode"/>): the remote half of a connection's
    /// key is chosen by whoever sends the packet, so a fixed, linear hash would let a sender pick addresses
    /// that all fall into one bucket of a table and turn every lookup into a walk (hash flooding).
    /// </summary>
    public override int GetHashCode() => HashCode.Combine((uint)_high, (uint)(_high >> 32), (uint)_low, (uint)(_low >> 32));

    /// <summary>The IPv4-mapped form of <paramref name="address"/> (RFC 4291 §2.5.5.2).</summary>
    public IpAddress(Ipv4Address address)
        : this(0, MappedPrefix | address.Value)
    {
    }

    /// <summary>Widens an IPv4 address (no information is lost).</summary>
    public static implicit operator IpAddress(Ipv4Address address) => new(address);

    /// <summary>The length of <see cref="Write"/>'s output: an IPv6 address.</summary>
    public const int MaxLength = 16;

    /// <summary>Whether this is an IPv4 address (held IPv4-mapped).</summary>
    public bool IsIpv4 => _high == 0 && (_low & 0xFFFF_FFFF_0000_0000) == MappedPrefix;

    /// <summary>The bytes the address has on the wire: 4 for IPv4, 16 for IPv6.</summary>
    public int Length => IsIpv4 ? 4 : MaxLength;

    /// <summary>The unspecified address of its family: 0.0.0.0 or :: (RFC 4291 §2.5.2).</summary>
    public bool IsUnspecified => IsIpv4 ? (uint)_low == 0 : (_high | _low) == 0;

    /// <summary>A multicast address: 224.0.0.0/4 (RFC 1112 §4) or ff00::/8 (RFC 4291 §2.7).</summary>
    public bool IsMulticast => IsIpv4 ? AsIpv4().IsMulticast : (_high >> 56) == 0xFF;

    /// <summary>The IPv4 address; throws when this is an IPv6 address (an IPv4 edge was handed one it cannot send to).</summary>
    public Ipv4Address AsIpv4() => IsIpv4
        ? new Ipv4Address((uint)_low)
        : throw new InvalidOperationException($"{this} is not an IPv4 address.");

    /// <summary>Reads an address from its wire form: 4 bytes (IPv4) or 16 (IPv6), in network order.</summary>
    public static IpAddress Read(ReadOnlySpan<byte> source) => source.Length switch
    {
        4 => new IpAddress(Ipv4Address.Read(source)),
        MaxLength => new IpAddress(BinaryPrimitives.ReadUInt64BigEndian(source), BinaryPrimitives.ReadUInt64BigEndian(source[8..])),
        _ => throw new ArgumentException($"An IP address is 4 or 16 bytes, not {source.Length}.", nameof(source)),
    };

    /// <summary>Writes the wire form (<see cref="Length"/> bytes: 4 for IPv4, 16 for IPv6) and returns its length.</summary>
    public int Write(Span<byte> destination)
    {
        if (IsIpv4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)_low);
            return 4;
        }
        BinaryPrimitives.WriteUInt64BigEndian(destination, _high);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _low);
        return MaxLength;
    }

    /// <summary>The <see cref="IPAddress"/> of the same address: an IPv4 one for IPv4 (not its mapped form).</summary>
    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[MaxLength];
        return new IPAddress(bytes[..Write(bytes)]);
    }

    /// <summary>Dotted-decimal text for IPv4, RFC 5952 text for IPv6.</summary>
    public override string ToString() => IsIpv4 ? AsIpv4().ToString() : ToIPAddress().ToString();
}
