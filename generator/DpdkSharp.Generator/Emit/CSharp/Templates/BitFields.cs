// Template: copied verbatim into every generated Common.cs (after its usings and namespace). Not compiled into the
// generator (an embedded resource): real C# that tools can read; the generated code's own compilation checks it.
/// <summary>Bit-fields that no 8-byte window holds (packed records): read and written byte by byte.</summary>
internal static class BitFields
{
    public static ulong Read(ref byte record, long bitOffset, int width)
    {
        var (raw, shift, _) = Gather(ref record, bitOffset, width);
        return (ulong)((raw >> shift) & ((UInt128.One << width) - 1));
    }

    public static void Write(ref byte record, long bitOffset, int width, ulong value)
    {
        var (raw, shift, count) = Gather(ref record, bitOffset, width);
        var first = (int)(bitOffset / 8);
        var mask = ((UInt128.One << width) - 1) << shift;
        raw = (raw & ~mask) | (((UInt128)value << shift) & mask);
        for (var i = 0; i < count; i++)
            Unsafe.Add(ref record, first + i) = (byte)(raw >> (8 * i));
    }

    /// <summary>The little-endian value of the bytes covering the field, the field's shift in it, and the byte count.</summary>
    private static (UInt128 Raw, int Shift, int Count) Gather(ref byte record, long bitOffset, int width)
    {
        var first = (int)(bitOffset / 8);
        var shift = (int)(bitOffset % 8);
        var count = (shift + width + 7) / 8;
        UInt128 raw = 0;
        for (var i = 0; i < count; i++)
            raw |= (UInt128)Unsafe.Add(ref record, first + i) << (8 * i);
        return (raw, shift, count);
    }
}
