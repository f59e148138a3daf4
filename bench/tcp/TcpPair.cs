using System.Diagnostics;

/// <summary>Round-trip times in nanoseconds, kept whole (no histogram buckets) up to a capacity, for exact percentiles.</summary>
internal sealed class Latencies(int capacity)
{
    private readonly long[] _ns = new long[capacity];

    public int Count { get; private set; }

    public bool Full => Count == _ns.Length;

    public void Add(long ns) => _ns[Count++] = ns;

    /// <summary>Forgets every sample (the array stays).</summary>
    public void Clear() => Count = 0;

    /// <summary>The sample at quantile <paramref name="q"/> (nearest rank) in microseconds.</summary>
    public double PercentileMicroseconds(double q)
    {
        if (Count == 0)
        {
            return double.NaN;
        }
        var sorted = _ns.AsSpan(0, Count).ToArray();
        Array.Sort(sorted);
        int rank = Math.Clamp((int)Math.Ceiling(q * Count) - 1, 0, Count - 1);
        return sorted[rank] / 1e3;
    }
}

/// <summary>
/// One implementation of the two workloads (the stack pair or kernel loopback), run round by round on the calling
/// thread. It owns the bulk stream's bookkeeping: what the sender's application wrote, what the receiver's read,
/// and the checks of what was read.
/// </summary>
internal abstract class TcpPair : IDisposable
{
    /// <summary>Request and response size.</summary>
    protected const int MessageBytes = 64;

    protected static readonly double NsPerTick = 1e9 / Stopwatch.Frequency;

    protected readonly byte[] Source = Pattern.Source();
    protected readonly byte[] Scratch = new byte[Pattern.Chunk];
    protected readonly byte[] Request = Filled('q');
    protected readonly byte[] Response = Filled('r');
    protected readonly byte[] Message = new byte[MessageBytes];
    private long _reads;

    public abstract string Label { get; }

    /// <summary>Payload bytes the sending application has handed over.</summary>
    protected long Sent { get; set; }

    /// <summary>Payload bytes the receiving application has read so far, all in order and checked.</summary>
    public long Delivered { get; private set; }

    /// <summary>Reads that failed the pattern check, and messages that were not the expected one (0 expected).</summary>
    public long Bad { get; protected set; }

    private static byte[] Filled(char c)
    {
        var message = new byte[MessageBytes];
        message.AsSpan().Fill((byte)c);
        return message;
    }

    /// <summary>The sender keeps its send queue full and the receiver reads everything, for <paramref name="seconds"/>; then what is in flight is drained (untimed).</summary>
    public void Bulk(double seconds)
    {
        long end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        // A step moves a whole window (hundreds of segments): the clock is read once per step.
        while (Stopwatch.GetTimestamp() < end)
        {
            BulkStep(write: true);
        }
        // Untimed: what is in flight arrives, so the next phase starts on an idle connection.
        long deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        while (Delivered < Sent)
        {
            BulkStep(write: false);
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"{Label} bulk: {Sent - Delivered} bytes still in flight after a second");
            }
        }
    }

    /// <summary>One step of each side: the sender's (writing when <paramref name="write"/>), then the receiver's.</summary>
    protected abstract void BulkStep(bool write);

    /// <summary>A read of <paramref name="length"/> bytes into <see cref="Scratch"/>: its ends checked, counted as delivered.</summary>
    protected void Delivering(int length)
    {
        if (!Pattern.Ends(Scratch.AsSpan(0, length), Delivered))
        {
            Bad++;
        }
        Delivered += length;
    }

    /// <summary>After a step: every 64th step with data has its last read checked in full, outside the timed code.</summary>
    protected void Sample(int lastRead)
    {
        if (lastRead > 0 && (++_reads & 63) == 0 && !Pattern.All(Scratch.AsSpan(0, lastRead), Delivered - lastRead))
        {
            Bad++;
        }
    }

    /// <summary>Checks a received message's first byte against <paramref name="expected"/>.</summary>
    protected void Expect(char expected)
    {
        if (Message[0] != expected)
        {
            Bad++;
        }
    }

    /// <summary>64-byte requests answered with 64-byte responses, one at a time, for <paramref name="seconds"/>; each round trip goes to <paramref name="into"/>.</summary>
    public void RoundTrips(double seconds, Latencies into)
    {
        long end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < end && !into.Full)
        {
            into.Add((long)(RoundTrip() * NsPerTick));
        }
    }

    /// <summary>One request and its response; returns the Stopwatch ticks it took.</summary>
    protected abstract long RoundTrip();

    public abstract void Dispose();
}
