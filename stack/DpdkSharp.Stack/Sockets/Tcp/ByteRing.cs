namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// A byte ring that grows by doubling up to a limit: a TCP connection's send queue (bytes from
/// SND.UNA on) and its receive queue (bytes the application has not read yet, then room for data
/// that arrived out of order). Offsets are relative to the oldest byte held. Growing copies once;
/// a connection grows its rings while it ramps up and then keeps them, so steady state allocates
/// nothing.
/// </summary>
internal sealed class ByteRing : IGrowableQueue
{
    private byte[] _bytes;
    private int _head;
    private int _count;

    /// <summary>A ring of <paramref name="initialCapacity"/> bytes that may grow to <paramref name="maxCapacity"/>.</summary>
    public ByteRing(int initialCapacity, int maxCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCapacity, initialCapacity);
        _bytes = new byte[initialCapacity];
        MaxCapacity = maxCapacity;
    }

    /// <summary>Bytes held (from the oldest).</summary>
    public int Count => _count;

    /// <summary>The current size of the storage.</summary>
    public int Capacity => _bytes.Length;

    /// <summary>The size the ring may grow to.</summary>
    public int MaxCapacity { get; private set; }

    /// <summary>Room left before the ring must grow.</summary>
    public int Free => _bytes.Length - _count;

    /// <summary>Doubles the storage (bounded by <see cref="MaxCapacity"/>) until <paramref name="capacity"/> fits; false when it cannot.</summary>
    public bool TryGrow(int capacity)
    {
        if (capacity <= _bytes.Length)
        {
            return true;
        }
        if (capacity > MaxCapacity)
        {
            return false;
        }
        int size = _bytes.Length;
        while (size < capacity)
        {
            size = (int)Math.Min((long)size * 2, MaxCapacity);
        }
        var bytes = new byte[size];
        // Everything up to the old capacity moves: beyond Count may lie out-of-order data.
        int first = Math.Min(_bytes.Length - _head, _bytes.Length);
        _bytes.AsSpan(_head, first).CopyTo(bytes);
        _bytes.AsSpan(0, _head).CopyTo(bytes.AsSpan(first));
        _bytes = bytes;
        _head = 0;
        return true;
    }

    /// <summary>Appends as much of <paramref name="data"/> as fits without growing; returns the bytes taken.</summary>
    public int Append(ReadOnlySpan<byte> data)
    {
        int n = Math.Min(data.Length, Free);
        WriteAt(_count, data[..n]);
        _count += n;
        return n;
    }

    /// <summary>The free space right after the held bytes, as one contiguous span (it may be shorter than <see cref="Free"/> when the ring wraps).</summary>
    public Span<byte> GetWritableSpan()
    {
        int start = (_head + _count) % _bytes.Length;
        int length = Math.Min(Free, _bytes.Length - start);
        return _bytes.AsSpan(start, length);
    }

    /// <summary>Counts <paramref name="length"/> bytes written into <see cref="GetWritableSpan"/> as held.</summary>
    public void Commit(int length) => Extend(length);

    /// <summary>Copies <paramref name="data"/> to <paramref name="offset"/> (may lie beyond <see cref="Count"/>, within capacity) without changing the count.</summary>
    public void WriteAt(int offset, ReadOnlySpan<byte> data)
    {
        if ((uint)offset > (uint)_bytes.Length || data.Length > _bytes.Length - offset)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"{data.Length} bytes at offset {offset} do not fit a {_bytes.Length}-byte ring.");
        }
        int start = (_head + offset) % _bytes.Length;
        int first = Math.Min(data.Length, _bytes.Length - start);
        data[..first].CopyTo(_bytes.AsSpan(start));
        data[first..].CopyTo(_bytes);
    }

    /// <summary>Counts <paramref name="length"/> bytes already written past the end (see <see cref="WriteAt"/>) as held.</summary>
    public void Extend(int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Free);
        _count += length;
    }

    /// <summary>The <paramref name="length"/> bytes at <paramref name="offset"/>, as one or two spans (the ring may wrap).</summary>
    public void Peek(int offset, int length, out ReadOnlySpan<byte> first, out ReadOnlySpan<byte> second)
    {
        if ((uint)offset > (uint)_count || length > _count - offset || length < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"{length} bytes at offset {offset} are not within the {_count} held.");
        }
        int start = (_head + offset) % _bytes.Length;
        int n = Math.Min(length, _bytes.Length - start);
        first = _bytes.AsSpan(start, n);
        second = _bytes.AsSpan(0, length - n);
    }

    /// <summary>Copies up to <paramref name="destination"/>'s length from the front and drops it; returns the bytes read.</summary>
    public int Read(Span<byte> destination)
    {
        int n = Math.Min(destination.Length, _count);
        Peek(0, n, out var a, out var b);
        a.CopyTo(destination);
        b.CopyTo(destination[a.Length..]);
        Discard(n);
        return n;
    }

    /// <summary>Drops <paramref name="length"/> bytes from the front.</summary>
    public void Discard(int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, _count);
        _head = (_head + length) % _bytes.Length;
        _count -= length;
    }

    /// <summary>
    /// Moves an empty ring's start back to offset 0, so later writes stay contiguous and segments
    /// stay one span. Only for a ring that holds nothing past <see cref="Count"/> (the send queue).
    /// </summary>
    public void RewindIfEmpty()
    {
        if (_count == 0)
        {
            _head = 0;
        }
    }

    /// <summary>Lowers <see cref="MaxCapacity"/> (never below the current storage): a memory bound tightening.</summary>
    public void LimitGrowth(int maxCapacity) => MaxCapacity = Math.Max(maxCapacity, _bytes.Length);
}
