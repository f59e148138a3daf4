using System.Numerics;
using System.Runtime.InteropServices;

namespace DpdkSharp.Stack.Interface;

/// <summary>How a fragment relates to what a <see cref="FragmentBuffer"/> already holds.</summary>
public enum FragmentFit
{
    /// <summary>Only bytes not received yet: store it with <see cref="FragmentBuffer.Add"/>.</summary>
    New,
    /// <summary>Exactly the extent of a fragment already held, now marked last: record the end with <see cref="FragmentBuffer.SetEnd"/>.</summary>
    EndOnly,
    /// <summary>Exactly the extent of a fragment already held (RFC 8200 §4.5: may be dropped, keeping the rest).</summary>
    Duplicate,
    /// <summary>Overlaps received bytes with a different extent (RFC 5722: abandon the whole datagram).</summary>
    Overlap,
    /// <summary>Ends past the known end, or announces a second, different end.</summary>
    Inconsistent,
}

/// <summary>
/// One datagram being put together from fragments at byte offsets that are multiples of
/// <see cref="Unit"/>: IPv4 (RFC 791 §3.2) and IPv6 (RFC 8200 §4.5) alike. Data lives in
/// <see cref="ChunkPool"/> blocks rented as fragments touch them; what has arrived is kept in two
/// bitmaps of 8-octet units (also pool blocks), so there are no hole descriptors to run out of.
/// </summary>
/// <remarks>
/// <para>RFC 815 keeps a list of holes, which needs a bound of its own; here, as in RFC 791
/// §3.2's own procedure (its fragment received bit table, RCVBT), the holes are the zero runs of
/// the <c>received</c> bitmap, and the <c>starts</c> bitmap marks the first unit of every fragment
/// held. That is enough
/// to tell, in time proportional to the fragment's length, whether a fragment is new, an exact
/// duplicate (its first unit starts a held fragment, none starts inside it, and it ends where that
/// fragment ends), or an overlap with a different extent. Since overlaps are refused, the datagram
/// is complete exactly when the bytes received add up to its length.</para>
/// <para>Cost: two blocks for the bitmaps plus one per block of data touched (at most 64 of 1 KiB
/// for the largest datagram); the caller checks <see cref="Check"/>'s count against its budget
/// before <see cref="Add"/>, which then cannot fail. The same store with a unit of one byte and a
/// bitmap per receive window is, in spirit, TCP's out-of-order queue.</para>
/// </remarks>
public sealed class FragmentBuffer
{
    /// <summary>Fragment offsets count 8-octet units (RFC 791 §3.1 "Fragment Offset", RFC 8200 §4.5).</summary>
    public const int Unit = 8;
    /// <summary>Largest datagram payload: the 13-bit offset in units plus the last fragment stays below 64 KiB.</summary>
    public const int MaxLength = 1 << 16;
    /// <summary>Blocks of the two bitmaps (8192 units, one bit each, 1 KiB a bitmap).</summary>
    public const int MapChunks = 2;
    /// <summary>Blocks the smallest datagram holds: the bitmaps and one block of data.</summary>
    public const int MinChunks = MapChunks + 1;

    private const int Units = MaxLength / Unit;
    private const int ChunkSize = ChunkPool.ChunkSize;

    private readonly ChunkPool _pool;
    private readonly int[] _chunks = new int[MaxLength / ChunkSize];
    private int _received = -1;
    private int _starts = -1;

    /// <summary>An empty buffer renting from <paramref name="pool"/>.</summary>
    public FragmentBuffer(ChunkPool pool)
    {
        _pool = pool;
        _chunks.AsSpan().Fill(-1);
    }

    /// <summary>Bytes received (no byte is counted twice: overlaps are refused).</summary>
    public int ReceivedBytes { get; private set; }

    /// <summary>Length of the whole datagram once its last fragment arrived, else -1.</summary>
    public int TotalLength { get; private set; } = -1;

    /// <summary>The highest end of any fragment received.</summary>
    public int MaxEnd { get; private set; }

    /// <summary>Pool blocks held (bitmaps and data).</summary>
    public int ChunksHeld { get; private set; }

    /// <summary>Every byte from 0 to the announced end has arrived.</summary>
    public bool IsComplete => TotalLength >= 0 && ReceivedBytes == TotalLength;

    /// <summary>Blocks a first fragment [offset, offset + length) of an empty buffer needs.</summary>
    public static int ChunksForFirst(int offset, int length) => MapChunks + (offset + length - 1) / ChunkSize - offset / ChunkSize + 1;

    /// <summary>
    /// Classifies the fragment [offset, offset + length) (<paramref name="last"/>: More Fragments
    /// clear) without changing anything; for <see cref="FragmentFit.New"/>,
    /// <paramref name="chunksNeeded"/> is the blocks <see cref="Add"/> will rent.
    /// </summary>
    public FragmentFit Check(int offset, int length, bool last, out int chunksNeeded)
    {
        chunksNeeded = 0;
        int end = offset + length;
        // RFC 791 §3.2: the last fragment fixes the length; nothing may lie past it, and there is one end.
        if (TotalLength >= 0 && end > TotalLength)
        {
            return FragmentFit.Inconsistent;
        }
        if (last && (MaxEnd > end || (TotalLength >= 0 && TotalLength != end)))
        {
            return FragmentFit.Inconsistent;
        }
        if (_received < 0)
        {
            chunksNeeded = ChunksForFirst(offset, length);
            return FragmentFit.New;
        }
        var received = Map(_received);
        int u0 = offset / Unit, u1 = (end - 1) / Unit;
        int ones = CountOnes(received, u0, u1);
        if (ones == 0)
        {
            for (int c = offset / ChunkSize; c <= (end - 1) / ChunkSize; c++)
            {
                chunksNeeded += _chunks[c] < 0 ? 1 : 0;
            }
            return FragmentFit.New;
        }
        var starts = Map(_starts);
        bool exact = ones == u1 - u0 + 1
            && IsSet(starts, u0)
            && (u0 == u1 || CountOnes(starts, u0 + 1, u1) == 0)
            && (u1 + 1 >= Units || IsSet(starts, u1 + 1) || !IsSet(received, u1 + 1));
        if (!exact)
        {
            return FragmentFit.Overlap;
        }
        return last && TotalLength < 0 ? FragmentFit.EndOnly : FragmentFit.Duplicate;
    }

    /// <summary>Stores a fragment <see cref="Check"/> found <see cref="FragmentFit.New"/>, renting the blocks it counted.</summary>
    public void Add(int offset, ReadOnlySpan<byte> data, bool last)
    {
        if (_received < 0)
        {
            _received = _pool.Rent();
            _starts = _pool.Rent();
            _pool[_received].Clear();
            _pool[_starts].Clear();
            ChunksHeld += MapChunks;
        }
        int end = offset + data.Length;
        int at = offset;
        while (at < end)
        {
            int c = at / ChunkSize;
            if (_chunks[c] < 0)
            {
                _chunks[c] = _pool.Rent();
                ChunksHeld++;
            }
            int within = at - c * ChunkSize;
            int n = Math.Min(ChunkSize - within, end - at);
            data.Slice(at - offset, n).CopyTo(_pool[_chunks[c]][within..]);
            at += n;
        }
        SetRange(Map(_received), offset / Unit, (end - 1) / Unit);
        Map(_starts)[offset / Unit >> 6] |= 1UL << (offset / Unit & 63);
        ReceivedBytes += data.Length;
        MaxEnd = Math.Max(MaxEnd, end);
        if (last)
        {
            TotalLength = end;
        }
    }

    /// <summary>Records the end announced by a fragment <see cref="Check"/> found <see cref="FragmentFit.EndOnly"/>.</summary>
    public void SetEnd(int end) => TotalLength = end;

    /// <summary>Copies the complete datagram (<see cref="TotalLength"/> bytes) to <paramref name="destination"/>.</summary>
    public void CopyTo(Span<byte> destination)
    {
        for (int at = 0, c = 0; at < TotalLength; at += ChunkSize, c++)
        {
            int n = Math.Min(ChunkSize, TotalLength - at);
            _pool[_chunks[c]][..n].CopyTo(destination[at..]);
        }
    }

    /// <summary>Gives every block back and forgets the datagram.</summary>
    public void Clear()
    {
        for (int c = 0; c < _chunks.Length; c++)
        {
            if (_chunks[c] >= 0)
            {
                _pool.Return(_chunks[c]);
                _chunks[c] = -1;
            }
        }
        if (_received >= 0)
        {
            _pool.Return(_received);
            _pool.Return(_starts);
            _received = _starts = -1;
        }
        ChunksHeld = 0;
        ReceivedBytes = 0;
        TotalLength = -1;
        MaxEnd = 0;
    }

    private Span<ulong> Map(int chunk) => MemoryMarshal.Cast<byte, ulong>(_pool[chunk]);

    private static bool IsSet(Span<ulong> map, int unit) => (map[unit >> 6] & (1UL << (unit & 63))) != 0;

    /// <summary>Ones among bits <paramref name="from"/>..<paramref name="to"/> (inclusive).</summary>
    private static int CountOnes(Span<ulong> map, int from, int to)
    {
        int w0 = from >> 6, w1 = to >> 6;
        ulong head = ~0UL << (from & 63), tail = ~0UL >> (63 - (to & 63));
        if (w0 == w1)
        {
            return BitOperations.PopCount(map[w0] & head & tail);
        }
        int count = BitOperations.PopCount(map[w0] & head) + BitOperations.PopCount(map[w1] & tail);
        for (int w = w0 + 1; w < w1; w++)
        {
            count += BitOperations.PopCount(map[w]);
        }
        return count;
    }

    private static void SetRange(Span<ulong> map, int from, int to)
    {
        int w0 = from >> 6, w1 = to >> 6;
        ulong head = ~0UL << (from & 63), tail = ~0UL >> (63 - (to & 63));
        if (w0 == w1)
        {
            map[w0] |= head & tail;
            return;
        }
        map[w0] |= head;
        map[w1] |= tail;
        for (int w = w0 + 1; w < w1; w++)
        {
            map[w] = ~0UL;
        }
    }
}
