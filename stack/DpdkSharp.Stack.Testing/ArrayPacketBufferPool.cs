using DpdkSharp.Stack.Interface;

namespace DpdkSharp.Stack.Testing;

/// <summary>
/// A pool of managed byte arrays for tests and for running the stack without DPDK. Fixed size,
/// preallocated, allocation-free to rent and return, and strict: returning a buffer twice or one
/// it does not own throws, so tests catch ownership bugs.
/// </summary>
public sealed class ArrayPacketBufferPool : IPacketBufferPool
{
    private readonly byte[][] _buffers;
    private readonly int[] _free;
    private readonly bool[] _rented;
    private int _freeCount;

    /// <summary>A pool of <paramref name="count"/> buffers of <paramref name="bufferSize"/> bytes, all allocated now.</summary>
    public ArrayPacketBufferPool(int count, int bufferSize = 2048)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 64);
        BufferSize = bufferSize;
        _buffers = new byte[count][];
        _free = new int[count];
        _rented = new bool[count];
        for (int i = 0; i < count; i++)
        {
            _buffers[i] = new byte[bufferSize];
            _free[i] = count - 1 - i;
        }
        _freeCount = count;
    }

    /// <inheritdoc/>
    public int BufferSize { get; }

    /// <summary>Buffers the pool holds, rented or not.</summary>
    public int Capacity => _buffers.Length;

    /// <summary>Buffers currently rented (tests assert this returns to zero).</summary>
    public int Outstanding => _buffers.Length - _freeCount;

    /// <inheritdoc/>
    public bool TryRent(out PacketBuffer buffer)
    {
        if (_freeCount == 0)
        {
            buffer = default;
            return false;
        }
        int index = _free[--_freeCount];
        _rented[index] = true;
        buffer = new PacketBuffer(index);
        return true;
    }

    /// <inheritdoc/>
    public Span<byte> GetSpan(PacketBuffer buffer) => _buffers[Check(buffer)];

    /// <inheritdoc/>
    public void Return(PacketBuffer buffer)
    {
        int index = Check(buffer);
        _rented[index] = false;
        _free[_freeCount++] = index;
    }

    private int Check(PacketBuffer buffer)
    {
        nint index = buffer.Handle;
        if ((nuint)index >= (nuint)_buffers.Length || !_rented[index])
        {
            throw new InvalidOperationException($"Buffer {index} is not rented from this pool.");
        }
        return (int)index;
    }
}
