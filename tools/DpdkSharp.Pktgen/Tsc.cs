using System.Diagnostics;
using System.Runtime.CompilerServices;
using DpdkSharp.Interop;

namespace DpdkSharp.Pktgen;

/// <summary>The time stamp counter, through DPDK (<c>rte_rdtsc</c>: a shim call without a GC transition) and its rate.</summary>
public static class Tsc
{
    /// <summary>The counter now.</summary>
    public static ulong Now
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Dpdk.rte_rdtsc();
    }

    private static readonly Lazy<ulong> Calibrated = new(Calibrate);

    /// <summary>
    /// Ticks per second, measured against CLOCK_MONOTONIC once per process (about 200 ms). Not
    /// <c>rte_get_tsc_hz</c>: where the EAL takes the CPU's nominal frequency, the TSC of a VM can run at another
    /// (2.6 GHz said, 2.596 GHz measured on the machine this was written on: a 0.15 % rate error by itself).
    /// </summary>
    public static ulong Hz => Calibrated.Value;

    /// <summary>The frequency the EAL reports (<c>rte_get_tsc_hz</c>), for comparison.</summary>
    public static ulong EalHz => Dpdk.rte_get_tsc_hz();

    private static ulong Calibrate()
    {
        var (t0, c0) = Pair();
        Thread.Sleep(200);
        var (t1, c1) = Pair();
        return (ulong)((c1 - c0) / ((t1 - t0) / (double)Stopwatch.Frequency));
    }

    // A TSC reading and the monotonic clock's, taken close together: retried until both fall within 2 µs, so a
    // preemption between them does not skew the calibration.
    private static (long Timestamp, ulong Tsc) Pair()
    {
        while (true)
        {
            var before = Stopwatch.GetTimestamp();
            var tsc = Now;
            var after = Stopwatch.GetTimestamp();
            if ((after - before) * 1_000_000 / Stopwatch.Frequency < 2)
            {
                return ((before + after) / 2, tsc);
            }
        }
    }
}

/// <summary>
/// Paces transmission at an exact rate from the TSC: packet n is due at start + n / rate, so the count sent by any
/// time is the count due by then (to one packet), however the bursts fall. Independent of the stats interval.
/// </summary>
public struct RatePacer
{
    private readonly double _packetsPerTick;
    private readonly long _maxBacklog;
    private ulong _start;
    private ulong _last; // the time of the latest Take
    private long _scheduled;

    /// <summary>A pacer for <paramref name="packetsPerSecond"/> (0: unlimited) on a TSC of <paramref name="hz"/>.</summary>
    /// <param name="maxBacklog">
    /// How far behind the schedule the sender may fall before the schedule moves on (the link or the core cannot
    /// carry the rate): without it, a stall would be followed by a burst at line rate to catch up.
    /// </param>
    public RatePacer(double packetsPerSecond, ulong hz, long maxBacklog)
    {
        _packetsPerTick = packetsPerSecond / hz;
        _maxBacklog = maxBacklog;
    }

    /// <summary>Whether the rate is unlimited.</summary>
    public readonly bool Unlimited => _packetsPerTick == 0;

    /// <summary>
    /// Packets the schedule skipped because the sender fell behind by more than the backlog allowed, and (after
    /// <see cref="Finish"/>) those due by the end that it never took.
    /// </summary>
    public long Skipped { get; private set; }

    /// <summary>Starts the schedule at <paramref name="now"/>.</summary>
    public void Start(ulong now)
    {
        _start = _last = now;
        _scheduled = 0;
        Skipped = 0;
    }

    /// <summary>How many packets are due at <paramref name="now"/>, at most <paramref name="room"/>; the caller sends (or queues) exactly these.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Take(ulong now, int room)
    {
        if (_packetsPerTick == 0)
        {
            return room;
        }

        _last = now;
        var due = (long)((now - _start) * _packetsPerTick) - _scheduled;
        if (due > _maxBacklog)
        {
            Skipped += due - _maxBacklog;
            _scheduled += due - _maxBacklog;
            due = _maxBacklog;
        }

        var take = (int)Math.Min(due, room);
        _scheduled += take;
        return take;
    }

    /// <summary>
    /// Ends the schedule at the latest <see cref="Take"/> (when the sender last ran while transmitting, not later:
    /// a drain after it schedules nothing) and counts what was due then and not taken as skipped: never sent.
    /// </summary>
    public void Finish()
    {
        if (_packetsPerTick == 0)
        {
            return;
        }

        var due = (long)((_last - _start) * _packetsPerTick) - _scheduled;
        if (due > 0)
        {
            Skipped += due;
            _scheduled += due;
        }
    }
}
