namespace DpdkSharp.Stack.Tests;

/// <summary>Two interface cores (A = <see cref="Net.UsIp"/>, B = <see cref="Net.PeerIp"/>) over a simulated link, driven by a <see cref="NetworkSimulation"/>.</summary>
internal sealed class SimulatedPair : IDisposable
{
    public readonly ArrayPacketBufferPool PoolA, PoolB;
    public readonly SimulatedLink Link;
    public readonly NetworkSimulation Sim;
    public readonly NetworkInterfaceCore A, B;

    public SimulatedPair(Impairments? fromA = null, Impairments? fromB = null, bool staticNeighbors = true,
        Func<InterfaceOptions, InterfaceOptions>? change = null, int buffers = 1024)
    {
        PoolA = new ArrayPacketBufferPool(buffers);
        PoolB = new ArrayPacketBufferPool(buffers);
        var given = change ?? (o => o);
        change = o => FixKey(given(o)); // a fixed TCP secret (ISNs, ports, cookies): a seeded run replays exactly
        Link = new SimulatedLink(PoolA, PoolB, fromA, fromB);
        A = new NetworkInterfaceCore(change(Net.Options(o => o with
        {
            Name = "a",
            Arp = o.Arp with { Announcements = 0 },
            StaticNeighbors = staticNeighbors ? [new(Net.PeerIp, Net.PeerMac)] : [],
        })), PoolA, Link.SinkA);
        B = new NetworkInterfaceCore(change(Net.Options(o => o with
        {
            Name = "b",
            Mac = Net.PeerMac,
            Address = Net.PeerIp,
            Arp = o.Arp with { Announcements = 0 },
            StaticNeighbors = staticNeighbors ? [new(Net.UsIp, Net.UsMac)] : [],
        })), PoolB, Link.SinkB);
        Link.Attach(A, B);
        Sim = new NetworkSimulation(Link);
        Sim.Add(A);
        Sim.Add(B);
        A.Start(Sim.Now);
        B.Start(Sim.Now);
    }

    /// <summary>The TCP secret every pair uses unless its options set one.</summary>
    private static readonly byte[] s_tcpKey = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();

    private static InterfaceOptions FixKey(InterfaceOptions o) => o with { Tcp = o.Tcp with { SecretKey = o.Tcp.SecretKey ?? s_tcpKey } };

    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
        Link.Dispose();
        Assert.Equal(0, PoolA.Outstanding);
        Assert.Equal(0, PoolB.Outstanding);
    }
}
