using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DpdkSharp.Runtime;

// Forwarding benchmark on a net_ring pair (what port B sends, port A receives), 64-byte frames,
// bursts of 32, one lcore. C and C# rounds alternate in this one process over the same ports and pool; prints
// one JSON line: median Mpps of each, the ratio C#/C, and bytes the C# loop allocated per packet.
var nativeLibrary = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "libdpdksharp_bench_forward.so");
var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
const ulong Iterations = 4_000_000;
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

var c = new List<double>();
var cs = new List<double>();
long allocated = 0;
ulong csPackets = 0;
for (var round = 0; round < rounds; round++)
{
    var sw = Stopwatch.StartNew();
    var n = forwardC.Run(rxPort.Id, txPort.Id, Iterations);
    c.Add(n / sw.Elapsed.TotalSeconds / 1e6);

    var before = GC.GetAllocatedBytesForCurrentThread();
    sw.Restart();
    n = Forwarder.Run(rx, tx, Iterations);
    var seconds = sw.Elapsed.TotalSeconds;
    allocated += GC.GetAllocatedBytesForCurrentThread() - before;
    csPackets += n;
    cs.Add(n / seconds / 1e6);
}

var cMpps = Median(c);
var csMpps = Median(cs);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"bench\":\"forward\",\"frame_bytes\":{FrameLength + 4},\"burst\":32,\"rounds\":{rounds},\"c_mpps\":{cMpps:F2},\"csharp_mpps\":{csMpps:F2},\"ratio_csharp_over_c\":{csMpps / cMpps:F3},\"csharp_bytes_allocated_per_packet\":{(double)allocated / csPackets:F4}}}"));

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
            throw new InvalidOperationException("pool too small to prime");
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
        burst.FreeAll();
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
                continue;
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
            throw new InvalidOperationException("could not create the net_ring pair");
        return (new Port(a), new Port(b));
    }

    public ulong Run(ushort rxPort, ushort txPort, ulong iterations) => Forward(rxPort, txPort, iterations);
}
