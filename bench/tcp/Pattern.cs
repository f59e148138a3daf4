/// <summary>
/// The bulk stream's bytes: the byte at stream offset o is o mod 251 (a prime, so no power-of-two chunking lines up
/// with it), which the receiver checks without keeping a copy of what was sent.
/// </summary>
internal static class Pattern
{
    private const int Period = 251;

    /// <summary>How much one application write offers.</summary>
    public const int Chunk = 64 * 1024;

    /// <summary>The pattern from offset 0, long enough to take a chunk at any offset within one period.</summary>
    public static byte[] Source()
    {
        var source = new byte[Period + Chunk];
        for (int i = 0; i < source.Length; i++)
        {
            source[i] = (byte)(i % Period);
        }
        return source;
    }

    /// <summary>The chunk to write at stream offset <paramref name="offset"/>.</summary>
    public static ReadOnlySpan<byte> At(byte[] source, long offset) => source.AsSpan((int)(offset % Period), Chunk);

    /// <summary>Cheap per-read check: the first and last byte of a read are where they belong in the stream.</summary>
    public static bool Ends(ReadOnlySpan<byte> read, long offset) =>
        read[0] == (byte)(offset % Period) && read[^1] == (byte)((offset + read.Length - 1) % Period);

    /// <summary>Every byte of a read (done on a sample of reads, outside the timed code).</summary>
    public static bool All(ReadOnlySpan<byte> read, long offset)
    {
        int expected = (int)(offset % Period);
        foreach (var b in read)
        {
            if (b != expected)
            {
                return false;
            }
            expected = expected == Period - 1 ? 0 : expected + 1;
        }
        return true;
    }
}
