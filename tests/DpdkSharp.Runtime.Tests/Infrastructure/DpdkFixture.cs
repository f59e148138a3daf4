using DpdkSharp.Runtime;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace DpdkSharp.Runtime.Tests.Infrastructure;

/// <summary>
/// The one EAL of the test process (DPDK initialises once per process), with the virtual devices every test
/// uses: two net_ring ports (each loops its tx back to its rx), a configured net_null port and an unconfigured
/// one. Fails loudly — never skips — when DPDK or root is missing.
/// </summary>
public sealed class DpdkFixture : IDisposable
{
    public const string Ring0 = "net_ring0";
    public const string Ring1 = "net_ring1";
    public const string Null0 = "net_null0";
    public const string UnconfiguredNull = "net_null1";

    public DpdkFixture()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException("The DPDK tests need root (DPDK maps memory and creates devices). Run them as root.");
        }

        Eal = Eal.Initialize(Options);
        Pool = Mempool.CreatePacketPool("tests_pool", 4095, cacheSize: 0);
        foreach (var name in new[] { Ring0, Ring1, Null0 })
        {
            var port = Port.FindByName(name);
            port.Configure(new PortConfig { RxQueues = 1, TxQueues = 1, RxDescriptors = 512, TxDescriptors = 512, RxPool = Pool });
            port.Start();
        }
    }

    /// <summary>The EAL options of the test process; child-process scenarios reuse them.</summary>
    public static EalOptions Options { get; } = new()
    {
        Lcores = "0-1",
        InMemory = true,
        UseHugepages = false,
        NoTelemetry = true,
        LogLevel = DpdkLogLevel.Warning,
        VirtualDevices = [Ring0, Ring1, Null0, UnconfiguredNull],
    };

    public Eal Eal { get; }

    /// <summary>The shared pool; every test must leave it with zero mbufs in use.</summary>
    public Mempool Pool { get; }

    public Port Ring0Port => Port.FindByName(Ring0);
    public Port Ring1Port => Port.FindByName(Ring1);

    public void Dispose()
    {
        foreach (var port in Port.All)
        {
            if (port.Info.RxQueueCount > 0)
            {
                port.Stop();
            }

            port.Close();
        }
        Pool.Dispose();
        Eal.Dispose();
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DpdkCollection : ICollectionFixture<DpdkFixture>
{
    public const string Name = "DPDK";
}

/// <summary>
/// Base of every DPDK test: after each test, the shared pool must be back to zero mbufs in use (a leak fails the
/// test that caused it); leftovers are then drained so the next test starts clean.
/// </summary>
[Collection(DpdkCollection.Name)]
public abstract class DpdkTest(DpdkFixture fixture) : IDisposable
{
    protected DpdkFixture Fixture { get; } = fixture;
    protected Mempool Pool => Fixture.Pool;

    public virtual void Dispose()
    {
        var leaked = Pool.InUseCount;
        if (leaked != 0)
        {
            Drain();
        }

        Assert.True(leaked == 0, $"{leaked} mbuf(s) of the shared pool still in use after the test");
    }

    private static void Drain()
    {
        Span<nint> slots = stackalloc nint[64];
        foreach (var name in new[] { DpdkFixture.Ring0, DpdkFixture.Ring1 })
        {
            var rx = Port.FindByName(name).GetRxQueue(0);
            var burst = new MbufBurst(slots);
            while (rx.Receive(ref burst) > 0)
            {
                burst.FreeAll();
            }
        }
    }
}
