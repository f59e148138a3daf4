using DpdkSharp.Runtime.Tests.Infrastructure;
using DpdkSharp.Tests.Shared;

namespace DpdkSharp.Runtime.Tests.Scenarios;

/// <summary>What a user sees when something is wrong, each in a fresh process: one line per finding on stdout.</summary>
public static class ErrorScenarios
{
    private static EalOptions Minimal => EalScenarios.Minimal;

    /// <summary>An EAL argument the EAL refuses: the exception, and nothing of the EAL's usage text anywhere.</summary>
    public static int BadArgument(string[] args)
    {
        // "--logged" first: with DPDK's log routed into a logger (the EAL's complaints then come that way).
        var logged = args is ["--logged", ..];
        try
        {
            using var eal = Eal.Initialize(Minimal with
            {
                ExtraArguments = logged ? args[1..] : args,
                LoggerFactory = logged ? new CapturingLoggerFactory() : null,
            });
            Console.WriteLine("NO EXCEPTION");
            return 1;
        }
        catch (DpdkException e)
        {
            Console.WriteLine($"DpdkException errno={e.ErrorCode} message={e.Message}");
            return 0;
        }
    }

    /// <summary>
    /// A vdev that fails to probe (args[0]) beside one that works, with a logger: the port lookup's message, and
    /// every log entry as LOG|category|level|message.
    /// </summary>
    public static int FailedProbe(string[] args)
    {
        var logs = new CapturingLoggerFactory();
        using var eal = Eal.Initialize(Minimal with { VirtualDevices = ["net_ring0", args[0]], LoggerFactory = logs });
        Console.WriteLine($"PROBE FAILURES {eal.ProbeFailures.Count}");
        Console.WriteLine($"RING FOUND {Port.TryFindByName("net_ring0", out _)}");
        var name = args[0].Split(',')[0];
        try
        {
            Port.FindByName(name);
            Console.WriteLine("NO EXCEPTION");
            return 1;
        }
        catch (DpdkException e)
        {
            Console.WriteLine($"DpdkException errno={e.ErrorCode} message={e.Message}");
        }
        foreach (var entry in logs.Entries)
        {
            Console.WriteLine($"LOG|{entry.Category}|{entry.Level}|{entry.Message}");
        }
        return 0;
    }

    /// <summary>
    /// Teardown in <c>using</c> order while the user's exception unwinds: the pool (declared first) after the port,
    /// which is stopped and closed. The port still holds mbufs of the pool (net_ring keeps what was sent in its
    /// ring), so the pool cannot be freed: the user's exception comes out all the same.
    /// </summary>
    public static int TeardownUnderException()
    {
        using var eal = Eal.Initialize(Minimal with { VirtualDevices = ["net_ring0", "net_null0"] });
        Mempool? leaked = null;
        Port ring = default;
        try
        {
            using var pool = Mempool.CreatePacketPool("teardown_pool", 1023, 0);
            leaked = pool;
            using var port = Port.FindByName("net_ring0");
            ring = port;
            port.Configure(new PortConfig { RxQueues = 1, TxQueues = 1, RxDescriptors = 256, TxDescriptors = 256, RxPool = pool });
            port.Start();
            // Eight frames sent and never received: the port's ring holds their mbufs when the error comes.
            var burst = new MbufBurst(stackalloc nint[8]);
            pool.AllocBulk(ref burst, 8);
            foreach (var m in burst)
            {
                m.Append(64, out _);
            }
            port.GetTxQueue(0).Transmit(ref burst);
            Console.WriteLine($"IN USE WHILE STARTED {pool.InUseCount}");
            throw new TimeoutException("the user's own error");
        }
        catch (TimeoutException e)
        {
            Console.WriteLine($"CAUGHT {e.GetType().Name} {e.Message}");
        }
        Console.WriteLine($"PORT VALID AFTER {ring.IsValid}");
        ring.Dispose(); // idempotent
        // net_ring does not drain its rings on close: the pool could not be freed, and said so only in the log.
        Console.WriteLine($"POOL FREED {leaked!.TryDispose(out var inUse)} {inUse}");

        var unconfigured = Port.FindByName("net_null0");
        try
        {
            unconfigured.Start();
            Console.WriteLine("NO EXCEPTION");
            return 1;
        }
        catch (InvalidOperationException e)
        {
            Console.WriteLine($"InvalidOperationException {e.Message}");
        }
        return 0;
    }
}
