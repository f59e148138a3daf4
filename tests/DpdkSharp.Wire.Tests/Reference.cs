namespace DpdkSharp.Wire.Tests;

/// <summary>Slow, obviously right versions of what the wire code does fast.</summary>
internal static class Reference
{
    /// <summary>RFC 1071 §4.1's loop: 16-bit big-endian words, a trailing odd byte padded with zero, carries folded, complemented.</summary>
    public static ushort Checksum(ReadOnlySpan<byte> data, uint initial = 0)
    {
        uint sum = initial;
        for (int i = 0; i + 1 < data.Length; i += 2)
        {
            sum += (uint)(data[i] << 8 | data[i + 1]);
        }
        if ((data.Length & 1) != 0)
        {
            sum += (uint)data[^1] << 8;
        }
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (ushort)~sum;
    }
}
