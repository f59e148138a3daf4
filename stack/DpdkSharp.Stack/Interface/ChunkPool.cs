namespace DpdkSharp.Stack.Interface;

/// <summary>
/// Fixed-size blocks of memory for data held across packets (partial datagrams today), bounded by a
/// byte budget: a block is allocated the first time the pool has no free one, then reused forever,
/// so the pool never holds more than its budget and allocates nothing once warm.
/// </summary>
/// <remarks>
/// Whoever rents blocks is charged whole blocks, like Linux charges a fragment's whole buffer
/// (skb truesize) against <c>ipfrag_high_thresh</c>: an 8-byte fragment costs a block, so bytes
/// held (<see cref="InUse"/> x <see cref="ChunkSize"/>) are the memory really used.
/// </remarks>
public sealed class ChunkPool
{
    /// <summary>Bytes in one block: a multiple of 8 (IPv4 and IPv6 fragment offsets count 8-octet units).</summary>
    public const int ChunkSize = 1024;

    private readonly byte[]?[] _chunks;
    private readonly int[] _free;
    private int _freeCount;
    private int _allocated;

    /// <summary>A pool of at most <paramref name="maxBytes"/> / <see cref="ChunkSize"/> blocks.</summary>
    public ChunkPool(int maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, ChunkSize);
        Capacity = maxBytes / ChunkSize;
        _chunks = new byte[Capacity][];
        _free = new int[Capacity];
    }

    /// <summary>Blocks the budget allows.</summary>
    public int Capacity { get; }

    /// <summary>Blocks rented now.</summary>
    public int InUse => _allocated - _freeCount;

    /// <summary>Blocks that can still be rented.</summary>
    public int Available => Capacity - InUse;

    /// <summary>Bytes allocated so far (never above <see cref="Capacity"/> x <see cref="ChunkSize"/>).</summary>
    public long AllocatedBytes => (long)_allocated * ChunkSize;

    /// <summary>Rents a block (its content is whatever its last user left). Check <see cref="Available"/> first.</summary>
    public int Rent()
    {
        if (_freeCount > 0)
        {
            return _free[--_freeCount];
        }
        if (_allocated == Capacity)
        {
            throw new InvalidOperationException("Chunk pool exhausted (the caller checks Available).");
        }
        _chunks[_allocated] = new byte[ChunkSize];
        return _allocated++;
    }

    /// <summary>Gives a block back.</summary>
    public void Return(int chunk) => _free[_freeCount++] = chunk;

    /// <summary>The memory of a rented block.</summary>
    public Span<byte> this[int chunk] => _chunks[chunk];
}
