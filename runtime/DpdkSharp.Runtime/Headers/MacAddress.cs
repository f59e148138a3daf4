using System.Buffers.Binary;
using System.Globalization;

namespace DpdkSharp.Runtime.Headers;

/// <summary>A 48-bit Ethernet address, stored as its 6 bytes in transmission order.</summary>
public readonly struct MacAddress : IEquatable<MacAddress>
{
    // The 6 bytes in the low 48 bits of a big-endian integer: compact, comparable, no array.
    private readonly ulong _value;

    private MacAddress(ulong value) => _value = value & 0xFFFF_FFFF_FFFFUL;

    /// <summary>The address read from 6 bytes.</summary>
    public MacAddress(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 6)
            throw new ArgumentException("A MAC address is 6 bytes.", nameof(bytes));
        _value = ((ulong)BinaryPrimitives.ReadUInt16BigEndian(bytes) << 32) | BinaryPrimitives.ReadUInt32BigEndian(bytes[2..]);
    }

    /// <summary>ff:ff:ff:ff:ff:ff.</summary>
    public static MacAddress Broadcast { get; } = new(0xFFFF_FFFF_FFFFUL);

    /// <summary>00:00:00:00:00:00.</summary>
    public static MacAddress Zero { get; } = default;

    /// <summary>Whether the group (multicast) bit is set.</summary>
    public bool IsMulticast => ((_value >> 40) & 1) != 0;

    /// <summary>Writes the 6 bytes.</summary>
    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(_value >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], (uint)_value);
    }

    /// <summary>The 6 bytes as a new array.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[6];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>Parses "aa:bb:cc:dd:ee:ff" (or with '-').</summary>
    public static MacAddress Parse(string text)
    {
        var parts = text.Split(':', '-');
        if (parts.Length != 6)
            throw new FormatException($"'{text}' is not a MAC address (six hex bytes separated by ':').");
        Span<byte> bytes = stackalloc byte[6];
        for (var i = 0; i < 6; i++)
            bytes[i] = byte.Parse(parts[i], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return new MacAddress(bytes);
    }

    /// <inheritdoc/>
    public bool Equals(MacAddress other) => _value == other._value;
    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is MacAddress other && Equals(other);
    /// <inheritdoc/>
    public override int GetHashCode() => _value.GetHashCode();
    /// <summary>Equality.</summary>
    public static bool operator ==(MacAddress left, MacAddress right) => left.Equals(right);
    /// <summary>Inequality.</summary>
    public static bool operator !=(MacAddress left, MacAddress right) => !left.Equals(right);

    /// <summary>"aa:bb:cc:dd:ee:ff".</summary>
    public override string ToString()
    {
        Span<byte> b = stackalloc byte[6];
        WriteTo(b);
        return string.Create(CultureInfo.InvariantCulture, $"{b[0]:x2}:{b[1]:x2}:{b[2]:x2}:{b[3]:x2}:{b[4]:x2}:{b[5]:x2}");
    }
}
