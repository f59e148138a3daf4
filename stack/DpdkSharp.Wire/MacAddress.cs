using System.Buffers.Binary;
using System.Globalization;

namespace DpdkSharp.Wire;

/// <summary>A 48-bit IEEE 802 MAC address (IEEE 802-2014 §8), held in the low 48 bits of a ulong in transmission order.</summary>
public readonly record struct MacAddress
{
    private readonly ulong _value;

    /// <summary>The address whose 6 bytes are the low 48 bits of <paramref name="value"/>, first byte highest.</summary>
    public MacAddress(ulong value) => _value = value & 0xFFFF_FFFF_FFFFUL;

    /// <summary>ff:ff:ff:ff:ff:ff.</summary>
    public static MacAddress Broadcast { get; } = new(0xFFFF_FFFF_FFFFUL);
    /// <summary>00:00:00:00:00:00.</summary>
    public static MacAddress Zero => default;

    /// <summary>The 6 bytes as the low 48 bits of a number, first byte highest.</summary>
    public ulong Value => _value;
    /// <summary>Whether this is ff:ff:ff:ff:ff:ff.</summary>
    public bool IsBroadcast => _value == 0xFFFF_FFFF_FFFFUL;
    /// <summary>The group bit: the least significant bit of the first octet (broadcast is a group address too).</summary>
    public bool IsMulticast => (_value & 0x0100_0000_0000UL) != 0;
    /// <summary>Whether this is 00:00:00:00:00:00.</summary>
    public bool IsZero => _value == 0;

    /// <summary>Reads an address from 6 bytes.</summary>
    public static MacAddress Read(ReadOnlySpan<byte> source)
    {
        ulong v = (ulong)BinaryPrimitives.ReadUInt16BigEndian(source) << 32 | BinaryPrimitives.ReadUInt32BigEndian(source[2..]);
        return new MacAddress(v);
    }

    /// <summary>Writes the 6 bytes.</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(_value >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], (uint)_value);
    }

    /// <summary>The MAC an IPv4 multicast group maps to (RFC 1112 §6.4): 01:00:5e plus the low 23 bits.</summary>
    public static MacAddress ForIpv4Multicast(Ipv4Address group) => new(0x0100_5E00_0000UL | (group.Value & 0x7F_FFFF));

    /// <summary>Parses "aa:bb:cc:dd:ee:ff" (or with '-').</summary>
    public static MacAddress Parse(string text)
    {
        var parts = text.Split(':', '-');
        if (parts.Length != 6)
        {
            throw new FormatException($"'{text}' is not a MAC address.");
        }
        ulong v = 0;
        foreach (var part in parts)
        {
            v = v << 8 | byte.Parse(part, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        }
        return new MacAddress(v);
    }

    /// <summary>"aa:bb:cc:dd:ee:ff".</summary>
    public override string ToString()
    {
        Span<byte> b = stackalloc byte[6];
        Write(b);
        return string.Create(CultureInfo.InvariantCulture, $"{b[0]:x2}:{b[1]:x2}:{b[2]:x2}:{b[3]:x2}:{b[4]:x2}:{b[5]:x2}");
    }
}
