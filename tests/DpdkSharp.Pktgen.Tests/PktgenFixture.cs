using DpdkSharp.Runtime;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace DpdkSharp.Pktgen.Tests;

/// <summary>
/// The one EAL of the test process (DPDK initialises once per process): a net_null port for rate tests and a
/// net_ring pair (crossed rings: a cable inside the process) for sendrecv against a reflector. The rings hold more
/// than a second at the tests' rates, so a busy machine that preempts a worker delays frames but drops none. Also the
/// server end of a net_memif link, for tests whose other end is the tool in another process. Fails loudly, never
/// skips, without root.
/// </summary>
public sealed class PktgenFixture : IDisposable
{
    private readonly Ring _aToB;
    private readonly Ring _bToA;

    public PktgenFixture()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException("The pktgen tests need root (DPDK maps memory and creates devices). Run them as root.");
        }

        MemifLink = new Peers.MemifLink(log2RingSize: 14);
        Eal = Eal.Initialize(new EalOptions
        {
            Lcores = "0",
            InMemory = true,
            UseHugepages = false,
            NoTelemetry = true,
            LogLevel = DpdkLogLevel.Warning,
            VirtualDevices = ["net_null0", MemifLink.ServerVdev],
        });
        Pool = Mempool.CreatePacketPool("pktgen_tests_pool", 32767);
        _aToB = Ring.Create("pktgen_a_to_b", 16384);
        _bToA = Ring.Create("pktgen_b_to_a", 16384);
        Generator = Port.FromRings("pktgen_gen", rx: _bToA, tx: _aToB);
        Peer = Port.FromRings("pktgen_peer", rx: _aToB, tx: _bToA);
        Null = Port.FindByName("net_null0");
        Memif = Port.FindByName("net_memif0");
        foreach (var port in new[] { Generator, Peer, Null, Memif })
        {
            port.Configure(new PortConfig { RxPool = Pool });
            port.Start();
        }
    }

    public Eal Eal { get; }

    /// <summary>Every mbuf comes from here; each test must leave it with none in use.</summary>
    public Mempool Pool { get; }

    /// <summary>The generator's end of the ring pair.</summary>
    public Port Generator { get; }

    /// <summary>The reflector's end.</summary>
    public Port Peer { get; }

    /// <summary>net_null: takes and frees everything sent, counts it.</summary>
    public Port Null { get; }

    /// <summary>net_memif, the server end: a client in another process connects to <see cref="MemifLink"/>.</summary>
    public Port Memif { get; }

    /// <summary>The memif link's socket and the client's vdev argument.</summary>
    public Peers.MemifLink MemifLink { get; }

    public void Dispose()
    {
        foreach (var port in new[] { Generator, Peer, Null, Memif })
        {
            port.Stop();
            port.Close();
        }

        _aToB.Dispose();
        _bToA.Dispose();
        Pool.Dispose();
        Eal.Dispose();
        MemifLink.Dispose();
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PktgenCollection : ICollectionFixture<PktgenFixture>
{
    public const string Name = "pktgen";
}

/// <summary>Base of every DPDK test here: after each test every mbuf must be back in the pool (rings drained first).</summary>
[Collection(PktgenCollection.Name)]
public abstract class PktgenTest(PktgenFixture fixture) : IDisposable
{
    protected PktgenFixture Fixture { get; } = fixture;

    public void Dispose()
    {
        // What is still on the rings belongs to nobody once the sessions stopped: drain it, then count.
        Span<nint> slots = stackalloc nint[64];
        var drained = 0;
        foreach (var port in new[] { Fixture.Generator, Fixture.Peer })
        {
            var rx = port.GetRxQueue(0);
            var burst = new MbufBurst(slots);
            int n;
            while ((n = rx.Receive(ref burst)) > 0)
            {
                drained += n;
                burst.FreeAll();
            }
        }

        Assert.Equal(0, Fixture.Pool.InUseCount);
        Assert.True(drained == 0, $"{drained} frame(s) left on the rings after the test's sessions stopped");
    }
}
