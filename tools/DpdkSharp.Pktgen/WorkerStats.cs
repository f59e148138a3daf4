using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using HdrHistogram;

namespace DpdkSharp.Pktgen;

/// <summary>
/// One worker's counters: written only by that worker, with plain stores (no atomics, no locks), read by the
/// stats reader with volatile loads. 64-bit stores are atomic on x64, so a read sees a whole value, at most one
/// burst old. The worker's lines and the reader's request line are 128 bytes apart and aligned (see
/// <see cref="WorkerStatsBlock"/>), so neither the writes nor the adjacent-line prefetcher share a line between cores.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 256)]
public struct WorkerCounters
{
    /// <summary>Frames transmitted (taken by the TX queue).</summary>
    [FieldOffset(0)] public long TxPackets;
    /// <summary>Bytes transmitted, each frame with its FCS.</summary>
    [FieldOffset(8)] public long TxBytes;
    /// <summary>Frames received.</summary>
    [FieldOffset(16)] public long RxPackets;
    /// <summary>Bytes received, each frame with its FCS.</summary>
    [FieldOffset(24)] public long RxBytes;
    /// <summary>Frames received that are not ours or whose payload does not match (magic, size, fill, flow id).</summary>
    [FieldOffset(32)] public long Bad;
    /// <summary>Frames whose sequence number was seen before (within the window).</summary>
    [FieldOffset(40)] public long Duplicates;
    /// <summary>Frames that arrived after a later one of their flow (within the window).</summary>
    [FieldOffset(48)] public long Reordered;
    /// <summary>Frames older than the window: reordered or duplicated beyond what the window tells apart.</summary>
    [FieldOffset(56)] public long TooOld;
    /// <summary>Packets the rate schedule skipped because the sender could not keep up.</summary>
    [FieldOffset(64)] public long TxSkipped;
    /// <summary>Frames transmitted back by a reflector.</summary>
    [FieldOffset(72)] public long Reflected;
    /// <summary>The last histogram swap the worker made (answers <see cref="SwapRequest"/>).</summary>
    [FieldOffset(80)] public long SwapDone;
    /// <summary>Bytes the worker's thread allocated in its packet loop (should stay 0).</summary>
    [FieldOffset(88)] public long AllocatedBytes;
    /// <summary>ARP requests for the reflector's address answered.</summary>
    [FieldOffset(96)] public long ArpAnswered;
    /// <summary>ARP frames a reflector dropped: not a request for its address.</summary>
    [FieldOffset(104)] public long ArpIgnored;
    /// <summary>Written by the reader only: asks the worker to swap its latency histograms.</summary>
    [FieldOffset(128)] public long SwapRequest;
}

/// <summary>The counters of every worker, in one cache-aligned native block (no GC moves, no false sharing).</summary>
public sealed unsafe class WorkerStatsBlock : IDisposable
{
    private WorkerCounters* _block;

    /// <summary>Counters for <paramref name="workers"/> workers, zeroed.</summary>
    public WorkerStatsBlock(int workers)
    {
        Count = workers;
        _block = (WorkerCounters*)NativeMemory.AlignedAlloc((nuint)(workers * sizeof(WorkerCounters)), 128);
        NativeMemory.Clear(_block, (nuint)(workers * sizeof(WorkerCounters)));
    }

    /// <summary>The number of workers.</summary>
    public int Count { get; }

    /// <summary>Worker <paramref name="index"/>'s counters.</summary>
    public ref WorkerCounters this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            ObjectDisposedException.ThrowIf(_block == null, this);
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index));
            }

            return ref _block[index];
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_block != null)
        {
            NativeMemory.AlignedFree(_block);
            _block = null;
        }
    }
}

/// <summary>
/// A worker's latency histograms, double-buffered: the worker records into the active one; the reader asks for a
/// swap (a counter in the worker's stats), the worker swaps between bursts and says so, and the reader then owns
/// the other one until its next request. No lock, no atomic read-modify-write, nothing shared on the packet path.
/// </summary>
public sealed class LatencyRecorder
{
    /// <summary>The highest latency recorded (10 s, in ns); longer ones are recorded as this.</summary>
    public const long HighestNanoseconds = 10_000_000_000;

    private readonly LongHistogram[] _histograms = [NewHistogram(), NewHistogram()];
    private int _active;

    /// <summary>A histogram with the range and precision every latency histogram of the tool uses (3 digits).</summary>
    public static LongHistogram NewHistogram() => new(1, HighestNanoseconds, 3);

    /// <summary>Records a latency (worker only).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Record(long nanoseconds) =>
        _histograms[_active].RecordValue(Math.Clamp(nanoseconds, 1, HighestNanoseconds));

    /// <summary>Swaps if the reader asked (worker only, between bursts).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Poll(ref WorkerCounters counters)
    {
        var request = Volatile.Read(ref counters.SwapRequest);
        if (request != counters.SwapDone)
        {
            _active ^= 1;
            Volatile.Write(ref counters.SwapDone, request); // publishes the records into the now-inactive histogram
        }
    }

    /// <summary>
    /// Takes what the worker recorded since the last collection into <paramref name="into"/> (reader only). When the
    /// worker does not answer within <paramref name="timeout"/> (it has stopped), it reads the active one directly.
    /// </summary>
    public void Collect(ref WorkerCounters counters, HistogramBase into, TimeSpan timeout, bool workerStopped)
    {
        if (workerStopped)
        {
            // No worker to race with: both histograms are the reader's.
            foreach (var h in _histograms)
            {
                into.Add(h);
                h.Reset();
            }

            return;
        }

        var request = counters.SwapRequest + 1;
        Volatile.Write(ref counters.SwapRequest, request);
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        var spin = new SpinWait();
        while (Volatile.Read(ref counters.SwapDone) != request)
        {
            if (Environment.TickCount64 > deadline)
            {
                return; // the worker is busy elsewhere or stuck: collect next time
            }

            spin.SpinOnce();
        }

        // After the answered swap the worker writes the other histogram: the one it left is the reader's. A late answer
        // to a timed-out request only delays records to the next interval; none is lost.
        var left = _histograms[Volatile.Read(ref _active) ^ 1];
        into.Add(left);
        left.Reset();
    }
}
