using System.Buffers.Binary;

namespace DpdkSharp.Stack.Tests;

public class UdpTests
{
    private static readonly Ipv4Endpoint Any7 = new(Ipv4Address.Any, 7);

    [Fact]
    public void Checksum_is_verified_and_zero_means_none()
    {
        var (core, _, _) = Net.Core();
        core.Udp.Bind(Any7, out var h);
        Assert.Equal(RxDisposition.Delivered, core.Receive(Build.UdpFromPeer(1, 7, [1, 2, 3]), At(0)));
        Assert.Equal(RxDisposition.Delivered, core.Receive(Build.FromPeer(17, Build.Udp(Net.PeerIp, Net.UsIp, 1, 7, [4], checksum: false)), At(0)));
        var bad = Build.UdpFromPeer(1, 7, [5]);
        bad[14 + 20 + 8] ^= 0x40;
        Assert.Equal(RxDisposition.Dropped, core.Receive(bad, At(0)));
        Assert.Equal(1, core.Counters.DropCount(DropReason.BadChecksum));
    }

    [Fact]
    public void Computed_zero_checksum_is_sent_as_ffff()
    {
        // Find a payload whose checksum computes to 0 (sum all ones), then check the wire value.
        var (core, sink, _) = Net.Core(o => o with { StaticNeighbors = [new(Net.PeerIp, Net.PeerMac)] });
        core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 1000), out var h);
        var payload = new byte[2];
        // Reference: checksum of pseudo + header + payload with payload 0; then choose payload so the sum becomes 0xFFFF.
        var probe = Build.Udp(Net.UsIp, Net.PeerIp, 1000, 2000, payload);
        ushort c = BinaryPrimitives.ReadUInt16BigEndian(probe.AsSpan(6));
        // With payload word w the complemented checksum drops by w; w = c makes it 0.
        BinaryPrimitives.WriteUInt16BigEndian(payload, c);
        core.SendUdp(h, new Ipv4Endpoint(Net.PeerIp, 2000), payload, At(0));
        var f = sink.Single();
        Assert.Equal(0xFFFF, BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan(40)));
        Assert.True(UdpDatagram.TryParse(f.AsSpan(34, 10), out var d));
        Assert.True(d.ChecksumValid(Net.UsIp, Net.PeerIp));
    }

    [Fact]
    public void A_datagram_to_a_group_goes_with_the_multicast_TTL_of_1_by_default_and_unicast_with_the_default_TTL()
    {
        var group = Ipv4Address.Parse("239.1.2.3");
        foreach (var (multicastTtl, expected) in new (byte?, byte)[] { (null, 1), (16, 16) })
        {
            var (core, sink, _) = Net.Core(o => (multicastTtl is byte t ? o with { MulticastTtl = t } : o) with { StaticNeighbors = [new(Net.PeerIp, Net.PeerMac)] });
            core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 1000), out var h);
            Assert.Equal(NetError.None, core.SendUdp(h, new Ipv4Endpoint(group, 2000), [1, 2, 3], At(0)));
            var toGroup = sink.Single();
            // RFC 1112 §6.1 (TTL 1 unless the sender asks for more) and §6.4 (the group's MAC, no ARP).
            Assert.Equal(expected, toGroup[14 + 8]);
            Assert.Equal(MacAddress.ForIpv4Multicast(group), MacAddress.Read(toGroup));
            Assert.Equal(0, Build.RefChecksum(toGroup.AsSpan(14, 20)));
            sink.Take();
            core.SendUdp(h, new Ipv4Endpoint(Net.PeerIp, 2000), [1, 2, 3], At(0));
            Assert.Equal(64, sink.Single()[14 + 8]);
        }
    }

    [Fact]
    public void Length_field_is_checked_against_the_ip_payload()
    {
        Assert.False(UdpDatagram.TryParse(new byte[7], out _));
        var u = Build.Udp(Net.PeerIp, Net.UsIp, 1, 2, [1, 2, 3, 4]);
        BinaryPrimitives.WriteUInt16BigEndian(u.AsSpan(4), 13);
        Assert.False(UdpDatagram.TryParse(u, out _));
        BinaryPrimitives.WriteUInt16BigEndian(u.AsSpan(4), 7);
        Assert.False(UdpDatagram.TryParse(u, out _));
        BinaryPrimitives.WriteUInt16BigEndian(u.AsSpan(4), 10);
        Assert.True(UdpDatagram.TryParse(u, out var d));
        Assert.Equal(2, d.Payload.Length);
    }

    [Fact]
    public void Demux_prefers_connected_then_bound_address_then_wildcard()
    {
        var (core, _, _) = Net.Core();
        var t = core.Udp;
        Assert.Equal(NetError.None, t.Bind(new Ipv4Endpoint(Ipv4Address.Any, 53), out var wildcard));
        Assert.Equal(NetError.None, t.Bind(new Ipv4Endpoint(Net.UsIp, 53), out var bound, reuseAddress: true));
        Assert.Equal(NetError.None, t.Bind(new Ipv4Endpoint(Net.UsIp, 53), out var connected, reuseAddress: true));
        Assert.Equal(NetError.None, t.Connect(connected, new Ipv4Endpoint(Net.PeerIp, 4000)));

        core.Receive(Build.UdpFromPeer(4000, 53, [1]), At(0));   // 4-tuple
        core.Receive(Build.UdpFromPeer(4001, 53, [2]), At(0));   // bound address
        var bcast = Build.Ethernet(MacAddress.Broadcast, Net.PeerMac, 0x0800,
            Build.Ipv4(Net.PeerIp, Ipv4Address.Broadcast, 17, Build.Udp(Net.PeerIp, Ipv4Address.Broadcast, 4000, 53, [3])));
        core.Receive(bcast, At(0));                              // only the wildcard takes broadcast

        var buf = new byte[8];
        Assert.Equal(NetError.None, t.TryReceive(connected, buf, out var r));
        Assert.Equal(1, buf[0]);
        Assert.Equal(new Ipv4Endpoint(Net.PeerIp, 4000), r.Remote);
        Assert.Equal(NetError.None, t.TryReceive(bound, buf, out _));
        Assert.Equal(2, buf[0]);
        Assert.Equal(NetError.None, t.TryReceive(wildcard, buf, out _));
        Assert.Equal(3, buf[0]);
        Assert.Equal(NetError.WouldBlock, t.TryReceive(connected, buf, out _));

        // Closing the specific endpoints hands their traffic to the wildcard.
        t.Close(connected);
        t.Close(bound);
        core.Receive(Build.UdpFromPeer(4000, 53, [4]), At(0));
        Assert.Equal(NetError.None, t.TryReceive(wildcard, buf, out _));
        Assert.Equal(4, buf[0]);
        Assert.Equal(NetError.InvalidHandle, t.TryReceive(connected, buf, out _));
    }

    [Fact]
    public void Bind_conflicts()
    {
        var (core, _, _) = Net.Core();
        var t = core.Udp;
        Assert.Equal(NetError.None, t.Bind(new Ipv4Endpoint(Net.UsIp, 80), out var a));
        Assert.Equal(NetError.AddressInUse, t.Bind(new Ipv4Endpoint(Net.UsIp, 80), out _));
        Assert.Equal(NetError.AddressInUse, t.Bind(new Ipv4Endpoint(Net.UsIp, 80), out _, reuseAddress: true));
        Assert.Equal(NetError.None, t.Bind(new Ipv4Endpoint(Ipv4Address.Any, 80), out _));
        Assert.Equal(NetError.InvalidArgument, t.Bind(new Ipv4Endpoint(Ipv4Address.Parse("10.9.9.9"), 81), out _));
        t.Close(a);
        Assert.Equal(NetError.None, t.Bind(new Ipv4Endpoint(Net.UsIp, 80), out _));
    }

    [Fact]
    public void Ephemeral_ports_are_in_range_unique_and_not_reused_at_once()
    {
        var (core, _, _) = Net.Core(o => o with { Udp = new UdpOptions { EphemeralFirst = 40000, EphemeralLast = 40009, MaxEndpoints = 64 } });
        var t = core.Udp;
        var handles = new List<UdpHandle>();
        var ports = new HashSet<ushort>();
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(NetError.None, t.Bind(new Ipv4Endpoint(Ipv4Address.Any, 0), out var h));
            Assert.True(t.TryGetLocal(h, out var local));
            Assert.InRange(local.Port, 40000, 40009);
            Assert.True(ports.Add(local.Port));
            handles.Add(h);
        }
        Assert.Equal(NetError.NoEphemeralPorts, t.Bind(new Ipv4Endpoint(Ipv4Address.Any, 0), out _));
        t.TryGetLocal(handles[3], out var freed);
        t.Close(handles[3]);
        t.Close(handles[7]);
        Assert.Equal(NetError.None, t.Bind(new Ipv4Endpoint(Ipv4Address.Any, 0), out var next));
        t.TryGetLocal(next, out var got);
        Assert.Equal(freed.Port, got.Port); // round robin reaches the lower freed port first after wrapping
        // Defaults are Linux's range.
        var (dflt, _, _) = Net.Core();
        dflt.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 0), out var d);
        dflt.Udp.TryGetLocal(d, out var dl);
        Assert.InRange(dl.Port, 32768, 60999);
    }

    [Fact]
    public void Receive_buffer_limit_drops_and_counts()
    {
        var (core, _, _) = Net.Core(o => o with { Udp = new UdpOptions { ReceiveBufferBytes = 1000, MaxQueuedDatagrams = 100 } });
        core.Udp.Bind(Any7, out var h);
        var payload = new byte[300];
        int delivered = 0;
        for (int i = 0; i < 5; i++)
        {
            if (core.Receive(Build.UdpFromPeer(1, 7, payload), At(0)) == RxDisposition.Delivered)
            {
                delivered++;
            }
        }
        Assert.Equal(3, delivered);
        Assert.Equal(2, core.Counters.DropCount(DropReason.ReceiveBufferFull));
        Assert.Equal((3, 900, 2L), core.Udp.GetQueueState(h));
        // Reading frees room; a truncating read reports the full length.
        Assert.Equal(NetError.None, core.Udp.TryReceive(h, new byte[100], out var r));
        Assert.True(r.Truncated);
        Assert.Equal(300, r.DatagramLength);
        Assert.Equal(RxDisposition.Delivered, core.Receive(Build.UdpFromPeer(1, 7, payload), At(0)));
    }

    [Fact]
    public void Receive_queue_wraps_without_corrupting_data()
    {
        var (core, _, _) = Net.Core(o => o with { Udp = new UdpOptions { ReceiveBufferBytes = 5000 } });
        core.Udp.Bind(Any7, out var h);
        var rng = new Random(11);
        var expected = new Queue<byte[]>();
        var buffer = new byte[2000];
        for (int i = 0; i < 500; i++)
        {
            var p = new byte[rng.Next(0, 1400)];
            rng.NextBytes(p);
            if (core.Receive(Build.UdpFromPeer(1, 7, p), At(0)) == RxDisposition.Delivered)
            {
                expected.Enqueue(p);
            }
            if (rng.Next(3) == 0 || expected.Count > 3)
            {
                while (expected.Count > 0)
                {
                    Assert.Equal(NetError.None, core.Udp.TryReceive(h, buffer, out var r));
                    Assert.Equal(expected.Dequeue(), buffer.AsSpan(0, r.BytesCopied).ToArray());
                }
            }
        }
    }

    [Fact]
    public void Readiness_events_are_edge_triggered_and_removed_on_close()
    {
        var (core, _, _) = Net.Core();
        core.Udp.Bind(Any7, out var a);
        core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 8), out var b);
        core.Receive(Build.UdpFromPeer(1, 7, [1]), At(0));
        core.Receive(Build.UdpFromPeer(1, 7, [2]), At(0));
        core.Receive(Build.UdpFromPeer(1, 8, [3]), At(0));
        Assert.True(core.Udp.TryDequeueReady(out var first));
        Assert.Equal(a, first);
        core.Udp.Close(b);
        Assert.False(core.Udp.TryDequeueReady(out _));
    }

    [Fact]
    public void Send_errors()
    {
        var (core, _, _) = Net.Core(o => o with { StaticNeighbors = [new(Net.PeerIp, Net.PeerMac)] });
        core.Udp.Bind(Any7, out var h);
        Assert.Equal(NetError.NotConnected, core.SendUdp(h, null, [1], At(0)));
        Assert.Equal(NetError.InvalidArgument, core.SendUdp(h, new Ipv4Endpoint(Net.PeerIp, 0), [1], At(0)));
        Assert.Equal(NetError.MessageTooLong, core.SendUdp(h, new Ipv4Endpoint(Net.PeerIp, 9), new byte[65508], At(0)));
        core.Udp.SetDontFragment(h, true);
        Assert.Equal(NetError.MessageTooLong, core.SendUdp(h, new Ipv4Endpoint(Net.PeerIp, 9), new byte[1473], At(0)));
        Assert.Equal(NetError.None, core.SendUdp(h, new Ipv4Endpoint(Net.PeerIp, 9), new byte[1472], At(0)));
        Assert.Equal(NetError.InvalidHandle, core.SendUdp(new UdpHandle(99, 1), new Ipv4Endpoint(Net.PeerIp, 9), [1], At(0)));
    }

    [Fact]
    public void A_connected_socket_whose_next_hop_never_answers_ARP_reports_host_unreachable()
    {
        var (core, sink, pool) = Net.Core(o => o with { Arp = o.Arp with { Announcements = 0, MaxRequests = 2, RetryInterval = TimeSpan.FromMilliseconds(100) } });
        var silent = Ipv4Address.Parse("10.0.0.9");
        Assert.Equal(NetError.None, core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 5000), out var connected));
        Assert.Equal(NetError.None, core.Udp.Connect(connected, new Ipv4Endpoint(silent, 53)));
        Assert.Equal(NetError.None, core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 5001), out var other));
        Assert.Equal(NetError.None, core.Udp.Connect(other, new Ipv4Endpoint(Net.PeerIp, 53)));
        Assert.Equal(NetError.None, core.SendUdp(connected, null, [1, 2, 3], At(0))); // queued behind ARP
        for (long t = 0; t <= 2 * Sec; t += 50 * Ms)
        {
            core.Poll(At(t));
        }
        // RFC 1122 §2.3.2.1: the neighbour was given up on; like Linux, the connected socket hears EHOSTUNREACH.
        Assert.Equal(NetError.HostUnreachable, core.SendUdp(connected, null, [4], At(2 * Sec)));
        Assert.Equal(NetError.None, core.SendUdp(other, null, [5], At(2 * Sec))); // a socket to another neighbour is unaffected
        Assert.Equal(1, core.Counters.DropCount(DropReason.ArpTimeout, DropStage.Transmit)); // the queued datagram
        core.Dispose();
        sink.Take();
        Assert.Equal(0, pool.Outstanding);
    }
}
