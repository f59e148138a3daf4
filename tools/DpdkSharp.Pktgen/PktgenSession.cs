using DpdkSharp.Runtime;
using DpdkSharp.Wire;
using HdrHistogram;

namespace DpdkSharp.Pktgen;

/// <summary>What the tool does on its port.</summary>
public enum PktgenMode
{
    /// <summary>Generate, receive what comes back, verify and measure.</summary>
    SendRecv,
    /// <summary>Swap MAC, IPv4 addresses and UDP ports of whatever arrives and send it back.</summary>
    Reflect,
    /// <summary>Generate only.</summary>
    Tx,
    /// <summary>Receive and verify only.</summary>
    Rx,
}

/// <summary>Everything a run needs besides the port and pool.</summary>
public sealed record PktgenSettings
{
    /// <summary>The mode.</summary>
    public PktgenMode Mode { get; init; } = PktgenMode.SendRecv;

    /// <summary>Queue pairs used, one worker each.</summary>
    public int Queues { get; init; } = 1;

    /// <summary>Packets per second over all workers; 0 is unlimited.</summary>
    public double RatePps { get; init; }

    /// <summary>Frame sizes with FCS, in transmit order (a mix repeats).</summary>
    public IReadOnlyList<int> Sizes { get; init; } = [64];

    /// <summary>Flows (UDP source ports <see cref="SourcePortBase"/> onwards), each with its own sequence.</summary>
    public int Flows { get; init; } = 1;

    /// <summary>The first UDP source port.</summary>
    public ushort SourcePortBase { get; init; } = 1024;

    /// <summary>The UDP destination port.</summary>
    public ushort DestinationPort { get; init; } = 9000;

    /// <summary>The source MAC; null: the port's.</summary>
    public MacAddress? SourceMac { get; init; }

    /// <summary>The destination MAC.</summary>
    public MacAddress DestinationMac { get; init; } = MacAddress.Broadcast;

    /// <summary>
    /// The source IPv4 address (198.18.0.0/15 is for benchmarks, RFC 2544); in <see cref="PktgenMode.Reflect"/>, the
    /// address the reflector answers ARP requests for.
    /// </summary>
    public Ipv4Address SourceIp { get; init; } = Ipv4Address.Parse("198.18.0.1");

    /// <summary>The destination IPv4 address.</summary>
    public Ipv4Address DestinationIp { get; init; } = Ipv4Address.Parse("198.18.0.2");

    /// <summary>Burst size for receive and transmit.</summary>
    public int Burst { get; init; } = 32;

    /// <summary>The seed of the payload fill; both ends must agree.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>
    /// How far (in time) the sender may fall behind its rate schedule (preempted, the link full) before the schedule
    /// moves on and counts the packets as skipped; within it, the sender catches up so the rate stays exact.
    /// </summary>
    public TimeSpan MaxLag { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long after the start the run's overall latency begins (each interval's own latency still has every frame):
    /// the first frames meet a cold process (methods compiled on first call, then recompiled optimised by the runtime's
    /// tiered-compilation thread, which on a machine whose every CPU has a polling lcore must take the CPU from one of
    /// them), so their latency is the start-up's, not the link's. RFC 2544 (section 26.2) likewise tags the frame whose
    /// latency it measures 60 seconds into a 120-second stream, not at its start. Zero: every frame counts.
    /// </summary>
    public TimeSpan LatencyWarmup { get; init; }

    /// <summary>Run workers on the EAL's worker lcores when there are enough (DPDK's way: pinned); else on threads registered as lcores.</summary>
    public bool OnEalLcores { get; init; } = true;

    /// <summary>Checks the combination; throws <see cref="ArgumentException"/> with what is wrong.</summary>
    public void Validate()
    {
        if (Queues < 1 || Burst is < 1 or > 512 || RatePps < 0 || Sizes.Count == 0 || LatencyWarmup < TimeSpan.Zero)
        {
            throw new ArgumentException($"Need queues >= 1, burst 1..512, rate >= 0, at least one size and a latency warm-up >= 0 (got queues {Queues}, burst {Burst}, rate {RatePps}, {Sizes.Count} sizes, warm-up {LatencyWarmup.TotalSeconds} s).");
        }

        if (Sizes.Any(size => size is < PacketFormat.MinFrameSize or > PacketFormat.MaxFrameSize))
        {
            throw new ArgumentException($"Frame sizes (with FCS) must be {PacketFormat.MinFrameSize}..{PacketFormat.MaxFrameSize}, got {string.Join(',', Sizes)}.");
        }

        // Transmitting workers split the flows between them (one writer per flow's sequence): each needs one.
        var transmits = Mode is PktgenMode.SendRecv or PktgenMode.Tx;
        if ((transmits && Flows < Queues) || Flows < 1 || Flows > ushort.MaxValue || SourcePortBase + Flows - 1 > ushort.MaxValue)
        {
            throw new ArgumentException($"Need at least one flow per queue ({Queues}) and source ports within 65535 (got {Flows} flows from port {SourcePortBase}).");
        }
    }
}

/// <summary>
/// A run on one port: workers (one per queue, on EAL worker lcores when there are enough, else on threads
/// registered as lcores) and the stats merge, which the caller drives with <see cref="Collect"/> once per interval
/// (from one thread: the reader). The port must be configured with <see cref="PktgenSettings.Queues"/> queue pairs
/// and started.
/// </summary>
public sealed class PktgenSession : IDisposable
{
    private readonly Port _port;
    private readonly Worker[] _workers;
    private readonly WorkerStatsBlock _stats;
    private readonly List<Action> _joins = [];
    private readonly LongHistogram _overall = LatencyRecorder.NewHistogram();
    private readonly LongHistogram _interval = LatencyRecorder.NewHistogram();
    private readonly ulong _hz = Tsc.Hz;
    private Totals _last;
    private long _lastTimestamp;
    private long _startTimestamp;
    private volatile RunPhase _phase = RunPhase.Running;
    private int _running;
    private Exception? _failure;

    /// <summary>A session; nothing runs before <see cref="Start"/>.</summary>
    /// <param name="settings">What to do.</param>
    /// <param name="port">The port, configured with a queue pair per worker and started.</param>
    /// <param name="pool">Where generated frames come from.</param>
    /// <param name="capture">Where every frame sent and received is captured, or null.</param>
    public PktgenSession(PktgenSettings settings, Port port, Mempool pool, PcapngWriter? capture = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(pool);
        settings.Validate();
        Settings = settings;
        Capture = capture;
        _port = port;
        var templates = new FrameTemplates(settings.Sizes, settings.SourceMac ?? port.MacAddress, settings.DestinationMac,
            settings.SourceIp, settings.DestinationIp, settings.DestinationPort, settings.Seed);
        _stats = new WorkerStatsBlock(settings.Queues);
        _workers = Enumerable.Range(0, settings.Queues)
            .Select(i => new Worker(i, settings, port, pool, templates, _stats, this, _hz)).ToArray();
    }

    /// <summary>The settings.</summary>
    public PktgenSettings Settings { get; }

    /// <summary>The capture, or null.</summary>
    public PcapngWriter? Capture { get; }

    /// <summary>The phase every worker follows.</summary>
    public RunPhase Phase => _phase;

    /// <summary>Whether a worker failed (the run stopped; <see cref="Stop"/> throws its exception).</summary>
    public bool Failed => Volatile.Read(ref _failure) is not null;

    /// <summary>Starts the workers.</summary>
    public void Start()
    {
        var lcores = Lcore.Workers.Select(w => w.Id).ToArray();
        _startTimestamp = _lastTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
        foreach (var worker in _workers)
        {
            Interlocked.Increment(ref _running);
            if (Settings.OnEalLcores && lcores.Length >= _workers.Length)
            {
                // EAL worker lcores: pinned by the EAL, as DPDK applications run.
                var launch = Lcore.Launch(lcores[worker.Index], () => RunWorker(worker));
                _joins.Add(() => launch.Wait());
            }
            else
            {
                var thread = new Thread(() => RunWorker(worker, registerLcore: true))
                { IsBackground = true, Name = $"pktgen worker {worker.Index}" };
                thread.Start();
                _joins.Add(thread.Join);
            }
        }
    }

    private void RunWorker(Worker worker, bool registerLcore = false)
    {
        try
        {
            // A thread of the tool's own needs an lcore id for mempool caches; a refusal (a multi-process primary) fails the session.
            using var registration = registerLcore ? Lcore.RegisterCurrentThread() : null;
            worker.Run();
        }
        catch (Exception e)
        {
            // Every worker stops with the first failure; Stop rethrows it on the controller's thread.
            Interlocked.CompareExchange(ref _failure, e, null);
            _phase = RunPhase.Stopped;
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    /// <summary>Merges every worker's counters and latency since the last call into one report (reader thread only).</summary>
    public IntervalReport Collect()
    {
        var stopped = Volatile.Read(ref _running) == 0;
        var totals = default(Totals);
        var rxPerQueue = new long[_workers.Length];
        _interval.Reset();
        foreach (var worker in _workers)
        {
            ref var c = ref _stats[worker.Index];
            worker.Latency.Collect(ref c, _interval, TimeSpan.FromMilliseconds(200), stopped);
            totals.Add(ref c);
            rxPerQueue[worker.Index] = Volatile.Read(ref c.RxPackets);
        }

        // An interval that began within the warm-up is left out of the overall latency, whole: none of its frames count.
        if (_lastTimestamp - _startTimestamp >= Settings.LatencyWarmup.TotalSeconds * System.Diagnostics.Stopwatch.Frequency)
        {
            _overall.Add(_interval);
        }

        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        var seconds = (now - _lastTimestamp) / (double)System.Diagnostics.Stopwatch.Frequency;
        var report = new IntervalReport(
            Elapsed: (now - _startTimestamp) / (double)System.Diagnostics.Stopwatch.Frequency,
            Seconds: seconds,
            Delta: totals.Minus(_last),
            Totals: totals,
            RxPerQueue: rxPerQueue,
            Latency: LatencySummary.From(_interval),
            OverallLatency: LatencySummary.From(_overall),
            Mode: Settings.Mode);
        _last = totals;
        _lastTimestamp = now;
        return report;
    }

    /// <summary>Stops transmitting; workers keep receiving (what is in flight) until <see cref="Stop"/>.</summary>
    public void StopTransmitting()
    {
        if (_phase == RunPhase.Running)
        {
            _phase = RunPhase.Draining;
        }
    }

    /// <summary>
    /// Stops transmitting, receives for <paramref name="drain"/> (what is in flight), stops the workers and returns
    /// the last interval's report (its totals are the run's).
    /// </summary>
    public IntervalReport Stop(TimeSpan drain)
    {
        if (_phase != RunPhase.Stopped)
        {
            StopTransmitting();
            Thread.Sleep(drain);
            _phase = RunPhase.Stopped;
            foreach (var join in _joins)
            {
                join();
            }
        }

        if (_failure is { } failure)
        {
            throw new InvalidOperationException("A pktgen worker failed: " + failure.Message, failure);
        }

        return Collect();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        try
        {
            Stop(TimeSpan.Zero);
        }
        finally
        {
            _stats.Dispose();
        }
    }
}
