namespace DpdkSharp.Stack.Tests;

public class AllocationTests
{
    [Fact]
    public void Receive_and_reply_paths_allocate_nothing_per_packet()
    {
        var pool = new ArrayPacketBufferPool(64, 2048);
        var sink = new CountingSink(pool);
        using var core = new NetworkInterfaceCore(Net.Options(o => o with { StaticNeighbors = [new(Net.PeerIp, Net.PeerMac)] }), pool, sink);
        core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 7), out var h);
        var ping = Build.FromPeer(1, Build.Icmp(8, 0, 1, 1, new byte[56]));
        var udp = Build.UdpFromPeer(1000, 7, new byte[512]);
        var closed = Build.UdpFromPeer(1000, 9, new byte[32]);
        var fragments = new[]
        {
            Build.FromPeer(17, Build.Udp(Net.PeerIp, Net.UsIp, 1, 7, new byte[2000]).AsSpan(0, 1480), 9, mf: true, offset: 0),
            Build.FromPeer(17, Build.Udp(Net.PeerIp, Net.UsIp, 1, 7, new byte[2000]).AsSpan(1480), 9, mf: false, offset: 1480),
        };
        var buffer = new byte[4096];
        var reply = new byte[512];

        void Loop(int n, long start)
        {
            for (int i = 0; i < n; i++)
            {
                long now = start + i * 1000;
                core.Receive(ping, At(now));
                core.Receive(udp, At(now));
                core.Udp.TryReceive(h, buffer, out _);
                core.SendUdp(h, new Ipv4Endpoint(Net.PeerIp, 1000), reply, At(now));
                core.Receive(closed, At(now));
                core.Receive(fragments[0], At(now));
                core.Receive(fragments[1], At(now));
                core.Udp.TryReceive(h, buffer, out _);
                core.Udp.TryDequeueReady(out _);
                core.Poll(At(now));
            }
        }

        Loop(2000, 0); // warm: JIT, tiering, lazily sized buffers
        long before = GC.GetAllocatedBytesForCurrentThread();
        Loop(10_000, 10 * T.Sec);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(sink.Count >= 20_000);
        Assert.Equal(0, pool.Outstanding);
    }
}
