namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// What a connection has received: bytes in order that the application has not read yet, then,
/// beyond RCV.NXT, data that arrived out of order, kept in place in the same ring (RFC 9293
/// §3.10.7.4, "seventh": segments beyond RCV.NXT are held for later processing) and described by
/// ranges that become the SACK blocks this side sends (RFC 2018 §4).
/// </summary>
internal sealed class TcpReceiveQueue : IGrowableQueue
{
    /// <summary>Most separate out-of-order ranges held; a segment that would make one more is dropped (and retransmitted by the peer).</summary>
    public const int MaxRanges = 16;

    private readonly ByteRing _ring;
    private readonly SackBlock[] _ranges = new SackBlock[MaxRanges];
    private readonly long[] _rangeStamps = new long[MaxRanges];
    private readonly int _windowUnit;
    private int _capacity;
    private int _maxCapacity;
    private int _rangeCount;
    private long _stamp;

    /// <summary>
    /// A queue of <paramref name="initialCapacity"/> bytes that may grow to <paramref name="maxCapacity"/>, for a
    /// window scaled by <paramref name="windowShift"/> (RFC 7323 §2.3; 0: unscaled).
    /// </summary>
    public TcpReceiveQueue(int initialCapacity, int maxCapacity, byte windowShift = 0)
    {
        _windowUnit = windowShift == 0 ? 0 : 1 << windowShift;
        _capacity = initialCapacity;
        _maxCapacity = maxCapacity;
        _ring = new ByteRing(initialCapacity + SlackFor(initialCapacity), maxCapacity + SlackFor(maxCapacity));
    }

    /// <summary>In-order bytes the application can read.</summary>
    public int Available => _ring.Count;

    /// <summary>The queue's size: the most the window can offer before it grows.</summary>
    public int Capacity => _capacity;

    /// <summary>The size the queue may grow to.</summary>
    public int MaxCapacity => _maxCapacity;

    /// <summary>Room beyond the unread bytes: the receive window (RCV.WND) this side offers now.</summary>
    public int Free => Math.Max(0, _capacity - _ring.Count);

    /// <summary>
    /// Room beyond the unread bytes for data that arrives: <see cref="Free"/> plus the slack that holds what
    /// a scaled window announced beyond it. A scaled window rounds up rather than shrink (see
    /// TcpControlBlock.NextWindow), so each ACK sent while the window closes may announce up to one unit
    /// more than the queue has; the slack (1/32 of the queue and four units, some 2 % more than the creep of
    /// full-sized segments acknowledged in pairs) keeps the bytes the peer was allowed to send, instead of
    /// dropping them and making them look lost. Not counted against the stack's memory bound.
    /// </summary>
    public int Room => _ring.Free;

    private int SlackFor(int capacity) => _windowUnit == 0 ? 0 : (capacity >> 5) + 4 * _windowUnit;

    /// <summary>Separate ranges held beyond holes.</summary>
    public int OutOfOrderRanges => _rangeCount;

    /// <summary>Whether data is held beyond a hole.</summary>
    public bool HasOutOfOrder => _rangeCount > 0;

    /// <summary>
    /// Takes data starting at <paramref name="sequence"/>, already trimmed by the caller to
    /// [<paramref name="rcvNxt"/>, <paramref name="rcvNxt"/> + <see cref="Room"/>). Returns how far RCV.NXT
    /// advances (zero when the data lies beyond a hole), or -1 when it had to be dropped because
    /// <see cref="MaxRanges"/> ranges are already held.
    /// </summary>
    public int Accept(SequenceNumber rcvNxt, SequenceNumber sequence, ReadOnlySpan<byte> data)
    {
        int offset = sequence - rcvNxt;
        if (offset < 0 || offset + data.Length > _ring.Free)
        {
            throw new ArgumentOutOfRangeException(nameof(sequence), "The caller trims segments to the receive window.");
        }
        if (data.IsEmpty)
        {
            return 0;
        }
        if (offset > 0 && !CoveredOrMergeable(sequence, sequence + data.Length) && _rangeCount == MaxRanges)
        {
            return -1;
        }
        _ring.WriteAt(_ring.Count + offset, data);
        if (offset > 0)
        {
            AddRange(sequence, sequence + data.Length);
            return 0;
        }
        // In order: RCV.NXT moves over this data and over every held range it now reaches.
        var end = sequence + data.Length;
        end = AbsorbRanges(end);
        int advanced = end - rcvNxt;
        _ring.Extend(advanced);
        return advanced;
    }

    /// <summary>Copies unread bytes to <paramref name="destination"/>; returns how many.</summary>
    public int Read(Span<byte> destination) => _ring.Read(destination);

    /// <summary>The unread bytes, as one or two spans (for zero-copy consumers), without consuming them.</summary>
    public void Peek(int length, out ReadOnlySpan<byte> first, out ReadOnlySpan<byte> second) => _ring.Peek(0, length, out first, out second);

    /// <summary>Drops <paramref name="length"/> unread bytes (after a zero-copy consumer used them).</summary>
    public void Consume(int length) => _ring.Discard(length);

    /// <summary>Grows the queue toward <paramref name="capacity"/> (receive-window autotuning); false when the ring could not grow.</summary>
    public bool TryGrow(int capacity)
    {
        int target = Math.Min(capacity, _maxCapacity);
        if (target <= _capacity)
        {
            return true;
        }
        if (!_ring.TryGrow(target + SlackFor(target)))
        {
            return false;
        }
        _capacity = target;
        return true;
    }

    /// <summary>Stops growth at <paramref name="maxCapacity"/> (never below the size held): the application fixed the size.</summary>
    public void LimitGrowth(int maxCapacity)
    {
        _maxCapacity = Math.Max(maxCapacity, _capacity);
        _ring.LimitGrowth(_maxCapacity + SlackFor(_maxCapacity));
    }

    /// <summary>
    /// Fills <paramref name="options"/> with SACK blocks: the range holding the most recently
    /// received segment first, then the other most recent ones (RFC 2018 §4).
    /// </summary>
    public void WriteSackBlocks(ref TcpOptions options, int maxBlocks)
    {
        Span<bool> used = stackalloc bool[MaxRanges];
        for (int n = 0; n < Math.Min(maxBlocks, _rangeCount); n++)
        {
            int best = -1;
            for (int i = 0; i < _rangeCount; i++)
            {
                if (!used[i] && (best < 0 || _rangeStamps[i] > _rangeStamps[best]))
                {
                    best = i;
                }
            }
            used[best] = true;
            options.AddSackBlock(_ranges[best]);
        }
    }

    /// <summary>Whether [<paramref name="left"/>, <paramref name="right"/>) is already held out of order (a duplicate, RFC 2883).</summary>
    public bool Holds(SequenceNumber left, SequenceNumber right)
    {
        for (int i = 0; i < _rangeCount; i++)
        {
            if (_ranges[i].Left <= left && right <= _ranges[i].Right)
            {
                return true;
            }
        }
        return false;
    }

    private bool CoveredOrMergeable(SequenceNumber left, SequenceNumber right)
    {
        for (int i = 0; i < _rangeCount; i++)
        {
            if (left <= _ranges[i].Right && right >= _ranges[i].Left)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Adds [left, right) to the sorted, disjoint range list, merging what it touches.</summary>
    private void AddRange(SequenceNumber left, SequenceNumber right) =>
        SequenceRanges.Insert(_ranges, ref _rangeCount, left, right, _rangeStamps, ++_stamp, out _);

    /// <summary>Removes the ranges that begin at or before <paramref name="end"/>, returning the new contiguous end.</summary>
    private SequenceNumber AbsorbRanges(SequenceNumber end)
    {
        int k = 0;
        while (k < _rangeCount && _ranges[k].Left <= end)
        {
            if (_ranges[k].Right > end)
            {
                end = _ranges[k].Right;
            }
            k++;
        }
        SequenceRanges.RemoveFirst(_ranges, ref _rangeCount, k, _rangeStamps);
        return end;
    }
}
