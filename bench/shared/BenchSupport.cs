using System.Runtime.InteropServices;
using DpdkSharp.Runtime;

// Helpers the whole-process benchmarks share (linked into each program by its csproj, so every benchmark stays
// one self-contained executable).

/// <summary>net_ring ports over a pair of rings, as the benchmarks wire them.</summary>
internal static class RingPorts
{
    /// <summary>A started port that receives from <paramref name="rx"/> and transmits into <paramref name="tx"/>.</summary>
    public static Port FromRings(string name, Ring rx, Ring tx, Mempool pool, ushort descriptors = 1024)
    {
        var port = Port.FromRings(name, rx, tx);
        port.Configure(new PortConfig { RxPool = pool, RxDescriptors = descriptors, TxDescriptors = descriptors });
        port.Start();
        return port;
    }

    /// <summary>Drains both ports of a pair (what is still queued is freed, so leaked mbufs can be counted), then stops and closes them.</summary>
    public static void DrainAndClose(Port a, Port b)
    {
        Drain(a);
        Drain(b);
        foreach (var port in new[] { a, b })
        {
            port.Stop();
            port.Close();
        }
    }

    /// <summary>Frees whatever is still queued for <paramref name="port"/> to receive (before counting leaked mbufs).</summary>
    public static void Drain(Port port)
    {
        var burst = new MbufBurst(stackalloc nint[32]);
        var rx = port.GetRxQueue(0);
        while (rx.Receive(ref burst) > 0)
        {
            burst.FreeAll();
        }
    }
}

internal static unsafe partial class Affinity
{
    [LibraryImport("libc", SetLastError = true)]
    private static partial int sched_setaffinity(int pid, nuint size, ulong* mask);

    /// <summary>Pins the calling thread to <paramref name="cpu"/> (threads it creates inherit the mask).</summary>
    public static void Pin(int cpu)
    {
        ulong mask = 1UL << cpu;
        if (sched_setaffinity(0, sizeof(ulong), &mask) != 0)
        {
            throw new InvalidOperationException($"sched_setaffinity({cpu}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }
}

internal static class Stats
{
    /// <summary>The median of the rounds (the upper one of an even count): one slow round does not move it.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}

internal static class BenchSetup
{
    /// <summary>The benchmarks' EAL: in memory (no hugepages to set up), one lcore (0, which pins this thread to CPU 0), quiet.</summary>
    public static Eal InMemoryEal() => Eal.Initialize(new EalOptions
    {
        Lcores = "0",
        InMemory = true,
        NoTelemetry = true,
        LogLevel = DpdkLogLevel.Error,
    });

    /// <summary>Positional argument <paramref name="index"/> as an integer, or <paramref name="fallback"/> when it is absent.</summary>
    public static int Int(string[] args, int index, int fallback) =>
        args.Length > index ? int.Parse(args[index], System.Globalization.CultureInfo.InvariantCulture) : fallback;

    /// <summary>Positional argument <paramref name="index"/> as a number, or <paramref name="fallback"/> when it is absent.</summary>
    public static double Double(string[] args, int index, double fallback) =>
        args.Length > index ? double.Parse(args[index], System.Globalization.CultureInfo.InvariantCulture) : fallback;
}
