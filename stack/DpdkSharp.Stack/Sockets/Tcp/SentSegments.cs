namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// The segments sent and not yet cumulatively acknowledged, in sequence order, each with its last
/// transmit time and what loss recovery knows of it (RFC 8985 §5.2's per-segment variables). A ring
/// that doubles when full: it stops growing once it holds a window's worth of segments, so steady
/// state allocates nothing.
/// </summary>
internal sealed class SentSegments
{
    private const int InitialCapacity = 64;

    private Entry[] _entries = new Entry[InitialCapacity];
    private int _head;

    /// <summary>Segments held.</summary>
    public int Count { get; private set; }

    /// <summary>The <paramref name="index"/>-th segment from SND.UNA.</summary>
    public ref Entry this[int index] => ref _entries[(_head + index) & (_entries.Length - 1)];

    /// <summary>Records a segment of new data, [<paramref name="start"/>, <paramref name="end"/>), that follows every one held.</summary>
    public void Append(SequenceNumber start, SequenceNumber end, Instant sentAt)
    {
        if (Count == _entries.Length)
        {
            Grow();
        }
        this[Count] = new Entry { Start = start, End = end, SentAt = sentAt };
        Count++;
    }

    /// <summary>
    /// Splits the segment holding <paramref name="seq"/> in two at it (both halves keep its transmit time and
    /// marks), so a retransmission of part of a segment marks only that part; false when a segment already
    /// begins there (or none holds it).
    /// </summary>
    public bool SplitAt(SequenceNumber seq)
    {
        int i = FirstEndingAfter(seq);
        if (i == Count || this[i].Start >= seq)
        {
            return false;
        }
        if (Count == _entries.Length)
        {
            Grow();
        }
        for (int k = Count; k > i + 1; k--)
        {
            this[k] = this[k - 1];
        }
        this[i + 1] = this[i] with { Start = seq };
        this[i].End = seq;
        Count++;
        return true;
    }

    /// <summary>Drops the first segment.</summary>
    public void RemoveFirst()
    {
        this[0] = default;
        _head = (_head + 1) & (_entries.Length - 1);
        Count--;
    }

    /// <summary>Drops every segment.</summary>
    public void Clear()
    {
        Array.Clear(_entries);
        _head = 0;
        Count = 0;
    }

    /// <summary>The index of the first segment that ends after <paramref name="seq"/> (<see cref="Count"/> when none does).</summary>
    public int FirstEndingAfter(SequenceNumber seq)
    {
        int low = 0, high = Count;
        while (low < high)
        {
            int mid = (low + high) >>> 1;
            if (this[mid].End > seq)
            {
                high = mid;
            }
            else
            {
                low = mid + 1;
            }
        }
        return low;
    }

    private void Grow()
    {
        var bigger = new Entry[_entries.Length * 2];
        for (int i = 0; i < Count; i++)
        {
            bigger[i] = this[i];
        }
        _entries = bigger;
        _head = 0;
    }

    /// <summary>One segment: its sequence range (a FIN counts), when it last went out, and its marks.</summary>
    public struct Entry
    {
        public SequenceNumber Start;
        public SequenceNumber End;
        public Instant SentAt;
        /// <summary>Sent more than once (RFC 8985 Segment.retransmitted): its RTT samples are ambiguous.</summary>
        public bool Retransmitted;
        /// <summary>Every byte SACKed.</summary>
        public bool Sacked;
        /// <summary>Deemed lost (RFC 8985 Segment.lost) and not SACKed since.</summary>
        public bool Lost;
        /// <summary>Lost, then sent again, and that copy is neither delivered nor deemed lost yet (counts in the pipe).</summary>
        public bool RetransmitInFlight;

        public readonly int Length => End - Start;
    }
}
