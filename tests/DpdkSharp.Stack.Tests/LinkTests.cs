namespace DpdkSharp.Stack.Tests;

/// <summary>Two interface cores over an in-memory cable: everything resolved and exchanged by the stacks themselves.</summary>
public class LinkTests
{
    private sealed class Pair : IDisposable
    {
        public readonly ArrayPacketBufferPool PoolA, PoolB;
        public readonly InMemoryLink Link;
        public readonly NetworkInterfaceCore A, B;
        public long Now;

        public Pair(int mtu = 1500, int bufferSize = 2048, Func<InterfaceOptions, InterfaceOptions>? changeB = null)
        {
            PoolA = new ArrayPacketBufferPool(1024, bufferSize);
            PoolB = new ArrayPacketBufferPool(1024, bufferSize);
            Link = new InMemoryLink(PoolA, PoolB);
            A = new NetworkInterfaceCore(Net.Options(o => o with { Name = "a", Mtu = mtu }), PoolA, Link.SinkA);
            var optionsB = Net.Options(o => o with { Name = "b", Mac = Net.PeerMac, Address = Net.PeerIp, Mtu = mtu });
            B = new NetworkInterfaceCore(changeB is null ? optionsB : changeB(optionsB), PoolB, Link.SinkB);
            Link.Attach(A, B);
            A.Start(At(0));
            B.Start(At(0));
            Link.Pump(At(0));
        }

        public void Run(long until, long step = 10 * T.Ms)
        {
            while (Now < until)
            {
                Now += step;
                A.Poll(At(Now));
                B.Poll(At(Now));
                Link.Pump(At(Now));
            }
        }

        public void Dispose()
        {
            A.Dispose();
            B.Dispose();
            Assert.Equal(0, Link.Pending);
            Assert.Equal(0, PoolA.Outstanding);
            Assert.Equal(0, PoolB.Outstanding);
        }
    }

    [Fact]
    public void Ping_resolves_arp_and_gets_replies()
    {
        using var p = new Pair();
        var data = "abcdefgh01234567"u8.ToArray();
        for (ushort seq = 1; seq <= 5; seq++)
        {
            Assert.Equal(NetError.None, p.A.SendEchoRequest(Net.PeerIp, 0x77, seq, data, At(p.Now)));
            p.Link.Pump(At(p.Now));
        }
        var buffer = new byte[64];
        for (ushort seq = 1; seq <= 5; seq++)
        {
            Assert.True(p.A.TryReceiveEchoReply(buffer, out var reply));
            Assert.Equal(new EchoReply(Net.PeerIp, 0x77, seq, data.Length, data.Length), reply);
            Assert.Equal(data, buffer.AsSpan(0, data.Length).ToArray());
        }
        Assert.False(p.A.TryReceiveEchoReply(buffer, out _));

        // A ping larger than the MTU: fragmented, reassembled, answered (fragmented again), reassembled.
        var big = new byte[5000];
        new Random(792).NextBytes(big);
        Assert.Equal(NetError.None, p.A.SendEchoRequest(Net.PeerIp, 0x78, 1, big, At(p.Now)));
        p.Link.Pump(At(p.Now));
        var bigBuffer = new byte[6000];
        Assert.True(p.A.TryReceiveEchoReply(bigBuffer, out var bigReply));
        Assert.Equal(5000, bigReply.DataLength);
        Assert.Equal(big, bigBuffer.AsSpan(0, 5000).ToArray());
        Assert.Equal(ArpEntryState.Reachable, p.A.Neighbors.GetState(Net.PeerIp));
        Assert.Equal(ArpEntryState.Reachable, p.B.Neighbors.GetState(Net.UsIp));
    }

    [Fact]
    public void Udp_both_ways_including_datagrams_larger_than_the_mtu()
    {
        using var p = new Pair();
        p.A.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 0), out var client);
        p.B.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 7), out var server);
        var rng = new Random(768);
        var buffer = new byte[70000];
        foreach (int size in new[] { 0, 1, 1472, 1473, 2960, 8000, 30000, UdpDatagram.MaxPayload })
        {
            var payload = new byte[size];
            rng.NextBytes(payload);
            Assert.Equal(NetError.None, p.A.SendUdp(client, new Ipv4Endpoint(Net.PeerIp, 7), payload, At(p.Now)));
            p.Link.Pump(At(p.Now));
            Assert.Equal(NetError.None, p.B.Udp.TryReceive(server, buffer, out var r));
            Assert.Equal(size, r.DatagramLength);
            Assert.Equal(payload, buffer.AsSpan(0, size).ToArray());

            // Echo it back to the client's ephemeral port.
            Assert.Equal(NetError.None, p.B.SendUdp(server, r.Remote, buffer.AsSpan(0, size), At(p.Now)));
            p.Link.Pump(At(p.Now));
            Assert.Equal(NetError.None, p.A.Udp.TryReceive(client, buffer, out var back));
            Assert.Equal(new Ipv4Endpoint(Net.PeerIp, 7), back.Remote);
            Assert.Equal(payload, buffer.AsSpan(0, back.BytesCopied).ToArray());
        }
        // The only drops: each side's gratuitous ARP announcements, which are for nobody in particular.
        Assert.Equal(p.A.Counters.DropCount(DropReason.NotForUs), p.A.Counters.FramesDropped);
        Assert.Equal(p.B.Counters.DropCount(DropReason.NotForUs), p.B.Counters.FramesDropped);
        Assert.Equal(0, p.B.Reassembly.InProgress);
    }

    [Fact]
    public void Fragments_are_8_byte_aligned_and_fit_the_mtu()
    {
        using var p = new Pair(mtu: 576);
        var frames = new List<byte[]>();
        p.Link.Filter = (side, f) => { if (side == 0) { frames.Add(f.ToArray()); } return true; };
        p.A.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 1), out var h);
        p.B.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 7), out var server);
        p.A.SendUdp(h, new Ipv4Endpoint(Net.PeerIp, 7), new byte[2000], At(p.Now));
        p.Link.Pump(At(p.Now));
        var ipFrames = frames.Where(f => f[12] == 8 && f[13] == 0).ToList();
        Assert.Equal(4, ipFrames.Count); // 2008 bytes of UDP in 552-byte pieces
        int expectedOffset = 0;
        foreach (var f in ipFrames)
        {
            Assert.True(Ipv4Packet.TryParse(f.AsSpan(14), true, out var ip, out _));
            Assert.True(ip.TotalLength <= 576);
            Assert.Equal(expectedOffset, ip.FragmentOffset);
            Assert.Equal(expectedOffset + ip.Payload.Length < 2008, ip.MoreFragments);
            if (ip.MoreFragments)
            {
                Assert.Equal(0, ip.Payload.Length % 8);
            }
            expectedOffset += ip.Payload.Length;
        }
        Assert.Equal(2008, expectedOffset);
        Assert.Equal(NetError.None, p.B.Udp.TryReceive(server, new byte[4000], out var r));
        Assert.Equal(2000, r.DatagramLength);
    }

    [Fact]
    public void Jumbo_mtu_sends_large_datagrams_whole()
    {
        using var p = new Pair(mtu: 9000, bufferSize: 9100);
        int frames = 0;
        p.Link.Filter = (side, f) => { if (side == 0 && f[12] == 8 && f[13] == 0) { frames++; } return true; };
        p.A.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 1), out var h);
        p.B.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 7), out var server);
        Assert.Equal(NetError.None, p.A.SendUdp(h, new Ipv4Endpoint(Net.PeerIp, 7), new byte[8972], At(p.Now)));
        p.Link.Pump(At(p.Now));
        Assert.Equal(1, frames);
        Assert.Equal(NetError.None, p.B.Udp.TryReceive(server, new byte[9000], out var r));
        Assert.Equal(8972, r.DatagramLength);
        Assert.Throws<ArgumentException>(() => new NetworkInterfaceCore(Net.Options(o => o with { Mtu = 9000 }), new ArrayPacketBufferPool(4, 2048), new CaptureSink(p.PoolA)));
    }

    [Fact]
    public void Closed_port_on_the_peer_surfaces_connection_refused()
    {
        using var p = new Pair();
        p.A.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 0), out var h);
        p.A.Udp.Connect(h, new Ipv4Endpoint(Net.PeerIp, 9));
        Assert.Equal(NetError.None, p.A.SendUdp(h, null, "x"u8, At(p.Now)));
        p.Link.Pump(At(p.Now));
        Assert.Equal(NetError.ConnectionRefused, p.A.Udp.TryReceive(h, new byte[4], out _));
        Assert.Equal(1, p.B.Counters.DropCount(DropReason.NoSocket));
    }

    [Fact]
    public void Lost_arp_replies_time_out_and_lost_fragments_expire()
    {
        using var p = new Pair();
        p.A.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 0), out var h);
        p.B.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 7), out var server);
        // Unknown host on the link: the queued datagram is dropped after the retries.
        p.A.SendUdp(h, new Ipv4Endpoint(Ipv4Address.Parse("10.0.0.99"), 7), [1], At(p.Now));
        p.Run(5 * T.Sec);
        Assert.Equal(1, p.A.Counters.DropCount(DropReason.ArpTimeout, DropStage.Transmit));

        // Lose the second fragment of a datagram: B keeps the rest until the reassembly timeout.
        int seen = 0;
        p.Link.Filter = (side, f) => !(side == 0 && f[12] == 8 && f[13] == 0 && ++seen == 2);
        p.A.SendUdp(h, new Ipv4Endpoint(Net.PeerIp, 7), new byte[4000], At(p.Now));
        p.Link.Pump(At(p.Now));
        Assert.Equal(1, p.B.Reassembly.InProgress);
        p.Link.Filter = null;
        p.Run(p.Now + 31 * T.Sec, 1 * T.Sec);
        Assert.Equal(0, p.B.Reassembly.InProgress);
        Assert.Equal(1, p.B.Counters.DropCount(DropReason.ReassemblyTimeout, DropStage.Buffered));
        Assert.Equal(NetError.WouldBlock, p.B.Udp.TryReceive(server, new byte[10], out _));
        // B told A with Time Exceeded (fragment zero had arrived); A's endpoint sees it.
        Assert.Equal(NetError.TimeExceeded, p.A.Udp.TryReceive(h, new byte[10], out _));
    }
}
