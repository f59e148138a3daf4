using DpdkSharp.Interop;
using DpdkSharp.Runtime;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace DpdkSharp.Stack.Dpdk.Tests.Infrastructure;

/// <summary>
/// The test process's one EAL and a cable of two net_ring ports made with <c>rte_eth_from_rings</c>
/// (A transmits into the ring B receives from, and the other way round). net_ring keeps no
/// receive buffers, so between tests the pool must be at zero mbufs in use. Fails loudly, never
/// skips, without root.
/// </summary>
public sealed unsafe class RingPairFixture : IDisposable
{
    private readonly Ring _aToB;
    private readonly Ring _bToA;

    public RingPairFixture()
    {
        Shell.RequireRoot();
        Eal = Eal.Initialize(new EalOptions
        {
            Lcores = "0",
            UseHugepages = false,
            InMemory = true,
            NoTelemetry = true,
            LogLevel = DpdkLogLevel.Error,
        });
        Pool = Mempool.CreatePacketPool("stack_tests", 4095, 0);
        _aToB = Ring.Create("a_to_b", 1024);
        _bToA = Ring.Create("b_to_a", 1024);
        PortA = FromRings("cable_a", _bToA, _aToB);
        PortB = FromRings("cable_b", _aToB, _bToA);
    }

    public Eal Eal { get; }
    public Mempool Pool { get; }
    public Port PortA { get; }
    public Port PortB { get; }

    private Port FromRings(string name, Ring rx, Ring tx)
    {
        var port = Port.FromRings(name, rx, tx);
        port.Configure(new PortConfig { RxPool = Pool, RxDescriptors = 512, TxDescriptors = 512 });
        port.Start();
        return port;
    }

    /// <summary>Frees what is left in both ports' rings (frames sent after the peer's reactor stopped).</summary>
    public void DrainRings()
    {
        Span<nint> slots = stackalloc nint[64];
        foreach (var port in new[] { PortA, PortB })
        {
            var burst = new MbufBurst(slots);
            while (port.GetRxQueue(0).Receive(ref burst) > 0)
            {
                burst.FreeAll();
            }
        }
    }

    public void Dispose()
    {
        foreach (var port in new[] { PortA, PortB })
        {
            port.Stop();
            port.Close();
        }
        _aToB.Dispose();
        _bToA.Dispose();
        Pool.Dispose();
        Eal.Dispose();
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RingPairCollection : ICollectionFixture<RingPairFixture>
{
    public const string Name = "ring pair";
}
