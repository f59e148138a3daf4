using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DpdkSharp.Runtime;

// Forwarding benchmark on a net_ring pair (what port B sends, port A receives), 64-byte frames,
// bursts of 32, one lcore. C and C# rounds alternate in this one process over the same ports and pool; prints
// one JSON line: median Mpps of each, the median of the per-round ratios C#/C (and their range), and bytes the
// C# loop allocated per packet.
var nativeLibrary = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "libdpdksharp_bench_forward.so");
var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 21;
const ulong Iterations = 1_000_000; // ~40 ms a leg here: short legs keep the two of a pair close in time
const int InFlight = 512;
const int FrameLength = 60; // 64 on the wire with the CRC

using var eal = Eal.Initialize(new EalOptions
{
    Lcores = "0",
    InMemory = true,
    NoTelemetry = true,
    LogLevel = DpdkLogLevel.Error,
});
var pool = Mempool.CreatePacketPool("bench_pool", 4095, 256);
var forwardC = new NativeForwarder(nativeLibrary);
var (rxPort, txPort) = forwardC.MakeRingPair();
foreach (var port in new[] { rxPort, txPort })
{
    port.Configure(new PortConfig { RxPool = pool, RxDescriptors = 1024, TxDescriptors = 1024 });
    port.Start();
}
var rx = rxPort.GetRxQueue(0);
var tx = txPort.GetTxQueue(0);
Prime(pool, tx);

Forwarder.Run(rx, tx, Iterations / 4); // warm-up: tiering and OSR settle before measuring
forwardC.Run(rxPort.Id, txPort.Id, Iterations / 4);

// Each round runs both loops back to back, alternating which goes first (so neither always runs on caches and
// a clock the other warmed), and yields one C#/C ratio. On a shared or busy machine the throughput of both moves
// from round to round; the ratio of a pair run a few hundred milliseconds apart moves much less, so the reported
// ratio is the median of the per-round ratios, beside the medians of each side.
var c = new List<double>();
var cs = new List<double>();
var ratios = new List<double>();
var cpuRatios = new List<double>();
long allocated = 0;
ulong csPackets = 0;
for (var round = 0; round < rounds; round++)
{
    (double Wall, double Cpu) cRound = default, csRound = default;
    for (var leg = 0; leg < 2; leg++)
    {
        if ((leg == 0) == (round % 2 == 0))
        {
            var clock = LegClock.Start();
            var n = forwardC.Run(rxPort.Id, txPort.Id, Iterations);
            cRound = clock.Mpps(n);
        }
        else
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var clock = LegClock.Start();
            var n = Forwarder.Run(rx, tx, Iterations);
            csRound = clock.Mpps(n);
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
            csPackets += n;
        }
    }
    c.Add(cRound.Wall);
    cs.Add(csRound.Wall);
    ratios.Add(csRound.Wall / cRound.Wall);
    cpuRatios.Add(csRound.Cpu / cRound.Cpu);
}

// ratio_csharp_over_c: median over rounds of (C# Mpps / C Mpps), wall clock. cpu_ratio: the same with each leg's
// packets divided by the thread's CPU time instead, which leaves out the time the thread was not running (other
// processes on a shared machine), not the cost of what it ran.
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"bench\":\"forward\",\"frame_bytes\":{FrameLength + 4},\"burst\":32,\"rounds\":{rounds},\"c_mpps\":{Median(c):F2},\"csharp_mpps\":{Median(cs):F2},\"ratio_csharp_over_c\":{Median(ratios):F3},\"ratio_min\":{ratios.Min():F3},\"ratio_max\":{ratios.Max():F3},\"cpu_ratio_csharp_over_c\":{Median(cpuRatios):F3},\"csharp_bytes_allocated_per_packet\":{(double)allocated / csPackets:F4}}}"));

Drain(rx);
foreach (var port in new[] { rxPort, txPort })
{
    port.Stop();
    port.Close();
}
pool.Dispose();
return 0;

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted[sorted.Count / 2];
}

static void Prime(Mempool pool, TxQueue tx)
{
    Span<nint> slots = stackalloc nint[32];
    var burst = new MbufBurst(slots);
    for (var sent = 0; sent < InFlight;)
    {
        if (!pool.AllocBulk(ref burst, 32))
        {
            throw new InvalidOperationException("pool too small to prime");
        }

        foreach (var m in burst)
        {
            m.Append(FrameLength, out var frame);
            frame.Clear();
        }
        sent += tx.Transmit(ref burst);
        burst.FreeAll();
    }
}

static void Drain(RxQueue rx)
{
    Span<nint> slots = stackalloc nint[32];
    var burst = new MbufBurst(slots);
    while (rx.Receive(ref burst) > 0)
    {
        burst.FreeAll();
    }
}

/// <summary>Wall-clock and thread CPU time of one leg.</summary>
internal readonly struct LegClock
{
    private readonly long _wallStart;
    private readonly double _cpuStart;

    private LegClock(long wall, double cpu) => (_wallStart, _cpuStart) = (wall, cpu);

    public static LegClock Start() => new(Stopwatch.GetTimestamp(), ThreadCpuSeconds());

    /// <summary>Mpps over wall time and over this thread's CPU time.</summary>
    public (double Wall, double Cpu) Mpps(ulong packets)
    {
        var cpu = ThreadCpuSeconds() - _cpuStart;
        var wall = Stopwatch.GetElapsedTime(_wallStart).TotalSeconds;
        return (packets / wall / 1e6, packets / cpu / 1e6);
    }

    private static unsafe double ThreadCpuSeconds()
    {
        Timespec t;
        if (clock_gettime(3 /* CLOCK_THREAD_CPUTIME_ID */, &t) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        }

        return t.Seconds + t.Nanoseconds / 1e9;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern unsafe int clock_gettime(int clock, Timespec* time);
}

/// <summary>The runtime's forwarding loop, the same shape as native/forward.c.</summary>
internal static class Forwarder
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static ulong Run(RxQueue rx, TxQueue tx, ulong iterations)
    {
        Span<nint> slots = stackalloc nint[32];
        var burst = new MbufBurst(slots);
        ulong forwarded = 0;
        for (ulong i = 0; i < iterations; i++)
        {
            if (rx.Receive(ref burst) == 0)
            {
                continue;
            }

            forwarded += (ulong)tx.Transmit(ref burst);
            burst.FreeAll(); // what the queue did not take
        }
        return forwarded;
    }
}

/// <summary>The C loop of native/forward.c, loaded from the library eng/bench.sh builds.</summary>
internal sealed unsafe class NativeForwarder(string path)
{
    private readonly nint _library = NativeLibrary.Load(path);

    private delegate* unmanaged<ushort, ushort, ulong, ulong> Forward =>
        (delegate* unmanaged<ushort, ushort, ulong, ulong>)NativeLibrary.GetExport(_library, "dpdksharp_bench_forward");

    public (Port A, Port B) MakeRingPair()
    {
        var make = (delegate* unmanaged<ushort*, ushort*, int>)NativeLibrary.GetExport(_library, "dpdksharp_bench_make_ring_pair");
        ushort a, b;
        if (make(&a, &b) != 0)
        {
            throw new InvalidOperationException("could not create the net_ring pair");
        }

        return (new Port(a), new Port(b));
    }

    public ulong Run(ushort rxPort, ushort txPort, ulong iterations) => Forward(rxPort, txPort, iterations);
}
