namespace DpdkSharp.Stack.Tests;

public class ArpTests
{
    // An ARP request as the Linux kernel sends it: broadcast, target MAC zero, padded to 60 bytes.
    private const string LinuxRequest =
        "ffffffffffff525400123456080600010800060400015254001234560a0000020000000000000a000001000000000000000000000000000000000000";
    private const string ExpectedReply =
        "525400123456020000000001080600010800060400020200000000010a0000015254001234560a000002000000000000000000000000000000000000";

    [Fact]
    public void Answers_a_linux_request_byte_for_byte_and_learns_the_sender()
    {
        var (core, sink, pool) = Net.Core();
        Assert.Equal(RxDisposition.Consumed, core.Receive(Net.Hex(LinuxRequest), At(0)));
        Assert.Equal(ExpectedReply, Convert.ToHexStringLower(sink.Single()));
        Assert.True(core.Neighbors.TryGet(Net.PeerIp, At(0), out var mac));
        Assert.Equal(Net.PeerMac, mac);
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public void Parses_fields()
    {
        var f = Net.Hex(LinuxRequest);
        Assert.True(ArpPacket.TryParse(f.AsSpan(14), out var arp, out _));
        Assert.Equal(ArpOperation.Request, arp.Operation);
        Assert.Equal(Net.PeerMac, arp.SenderMac);
        Assert.Equal(Net.PeerIp, arp.SenderIp);
        Assert.True(arp.TargetMac.IsZero);
        Assert.Equal(Net.UsIp, arp.TargetIp);
    }

    [Theory]
    [InlineData(0, 1, 0x0800, 6, 4, DropReason.Malformed)]     // truncated to 20 bytes
    [InlineData(28, 6, 0x0800, 6, 4, DropReason.UnsupportedProtocol)] // IEEE 802 hardware type
    [InlineData(28, 1, 0x86DD, 6, 4, DropReason.UnsupportedProtocol)]
    [InlineData(28, 1, 0x0800, 8, 4, DropReason.Malformed)]   // odd hlen: lengths no longer fit 28 bytes
    [InlineData(28, 1, 0x0800, 6, 16, DropReason.Malformed)]
    [InlineData(28, 1, 0x0800, 2, 2, DropReason.UnsupportedProtocol)]
    public void Rejects_odd_packets(int length, ushort htype, ushort ptype, byte hlen, byte plen, DropReason expected)
    {
        var a = Build.Arp(1, Net.PeerMac, Net.PeerIp, default, Net.UsIp);
        a[0] = (byte)(htype >> 8);
        a[1] = (byte)htype;
        a[2] = (byte)(ptype >> 8);
        a[3] = (byte)ptype;
        a[4] = hlen;
        a[5] = plen;
        var data = length == 0 ? a.AsSpan(0, 20) : a;
        Assert.False(ArpPacket.TryParse(data, out _, out var reason));
        Assert.Equal(expected, reason);
    }

    [Fact]
    public void Requests_for_other_hosts_only_update_known_entries()
    {
        var (core, sink, _) = Net.Core();
        var forOther = Build.Ethernet(MacAddress.Broadcast, Net.PeerMac, 0x0806, Build.Arp(1, Net.PeerMac, Net.PeerIp, default, Ipv4Address.Parse("10.0.0.9")));
        Assert.Equal(RxDisposition.Dropped, core.Receive(forOther, At(0)));
        Assert.Equal(ArpEntryState.Free, core.Neighbors.GetState(Net.PeerIp));
        Assert.Empty(sink.Frames);
        Assert.Equal(1, core.Counters.DropCount(DropReason.NotForUs));
    }

    [Fact]
    public void Someone_claiming_our_address_is_a_counted_conflict()
    {
        var (core, _, _) = Net.Core();
        var claim = Build.Ethernet(MacAddress.Broadcast, Net.OtherMac, 0x0806, Build.Arp(1, Net.OtherMac, Net.UsIp, default, Net.UsIp));
        Assert.Equal(RxDisposition.Dropped, core.Receive(claim, At(0)));
        Assert.Equal(1, core.Counters.ArpConflicts);
        Assert.Equal(1, core.Counters.DropCount(DropReason.InvalidAddress));
    }

    [Fact]
    public void Start_sends_gratuitous_announcements_rfc5227()
    {
        var (core, sink, _) = Net.Core();
        core.Start(At(0));
        var first = sink.Single();
        Assert.True(EthernetFrame.TryParse(first, out var eth));
        Assert.True(eth.Destination.IsBroadcast);
        Assert.True(ArpPacket.TryParse(eth.Payload, out var arp, out _));
        Assert.Equal(ArpOperation.Request, arp.Operation);
        Assert.Equal(Net.UsIp, arp.SenderIp);
        Assert.Equal(Net.UsIp, arp.TargetIp);
        Assert.True(arp.TargetMac.IsZero);
        Assert.Equal(60, first.Length);

        Assert.Equal(At(2 * T.Sec), core.Poll(At(1 * T.Sec)));
        Assert.Single(sink.Frames);
        core.Poll(At(2 * T.Sec));
        Assert.Equal(2, sink.Frames.Count);
        Assert.Equal(Instant.Never, core.Poll(At(10 * T.Sec)));
        Assert.Equal(2, sink.Frames.Count);
    }

    [Fact]
    public void Queues_while_resolving_then_releases_on_reply()
    {
        var (core, sink, pool) = Net.Core();
        core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 5000), out var h);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(NetError.None, core.SendUdp(h, new Ipv4Endpoint(Net.PeerIp, 9), [(byte)i], At(i * T.Ms)));
        }
        // One broadcast request (the retry interval holds the others back), three frames queued.
        var request = sink.Single();
        Assert.True(MacAddress.Read(request).IsBroadcast);
        Assert.Equal(3, core.Neighbors.QueuedFrames);
        Assert.Equal(3, pool.Outstanding);

        Assert.Equal(RxDisposition.Consumed, core.Receive(Build.ArpReplyFromPeer(), At(5 * T.Ms)));
        var released = sink.Frames.Skip(1).ToList();
        Assert.Equal(3, released.Count);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(Net.PeerMac, MacAddress.Read(released[i]));
            Assert.Equal((byte)i, released[i][42]);
        }
        Assert.Equal(0, core.Neighbors.QueuedFrames);
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public void Retries_then_times_out_and_drops_queued_frames_with_a_count()
    {
        var (core, sink, pool) = Net.Core();
        core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 5000), out var h);
        core.SendUdp(h, new Ipv4Endpoint(Net.PeerIp, 9), [1], At(0));
        core.SendUdp(h, new Ipv4Endpoint(Net.PeerIp, 9), [2], At(0));
        Assert.Single(sink.Frames);
        Assert.Equal(At(1 * T.Sec), core.Poll(At(500 * T.Ms)));
        core.Poll(At(1 * T.Sec));
        core.Poll(At(2 * T.Sec));
        Assert.Equal(3, sink.Frames.Count); // MaxRequests = 3
        Assert.Equal(ArpEntryState.Incomplete, core.Neighbors.GetState(Net.PeerIp));
        core.Poll(At(3 * T.Sec));
        Assert.Equal(3, sink.Frames.Count);
        Assert.Equal(ArpEntryState.Free, core.Neighbors.GetState(Net.PeerIp));
        Assert.Equal(2, core.Counters.DropCount(DropReason.ArpTimeout, DropStage.Transmit));
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public void Queue_is_bounded_per_entry_keeping_the_latest()
    {
        var (core, sink, pool) = Net.Core(o => o with { Arp = new ArpOptions { MaxQueuedPerEntry = 2, MaxQueuedTotal = 3 } });
        core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 5000), out var h);
        for (int i = 0; i < 5; i++)
        {
            core.SendUdp(h, new Ipv4Endpoint(Net.PeerIp, 9), [(byte)i], At(0));
        }
        Assert.Equal(2, core.Neighbors.QueuedFrames);
        Assert.Equal(3, core.Counters.DropCount(DropReason.ArpQueueFull, DropStage.Transmit));
        // Global bound: a second destination gets only the one node left.
        var third = Ipv4Address.Parse("10.0.0.3");
        core.SendUdp(h, new Ipv4Endpoint(third, 9), [10], At(0));
        core.SendUdp(h, new Ipv4Endpoint(third, 9), [11], At(0));
        Assert.Equal(3, core.Neighbors.QueuedFrames);
        Assert.Equal(4, core.Counters.DropCount(DropReason.ArpQueueFull, DropStage.Transmit));
        sink.Take();
        core.Receive(Build.ArpReplyFromPeer(), At(0));
        Assert.Equal([3, 4], sink.Frames.Select(f => f[42]).ToArray());
        core.Dispose();
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public void Entries_expire_and_are_refreshed_by_unicast_before_expiry()
    {
        var (core, sink, _) = Net.Core(o => o with { Arp = new ArpOptions { EntryLifetime = TimeSpan.FromSeconds(60), RefreshWindow = TimeSpan.FromSeconds(10) } });
        core.Receive(Build.ArpReplyFromPeer(), At(0));
        core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 5000), out var h);
        core.SendUdp(h, new Ipv4Endpoint(Net.PeerIp, 9), [1], At(10 * T.Sec));
        Assert.Single(sink.Take()); // data only, no refresh yet

        core.SendUdp(h, new Ipv4Endpoint(Net.PeerIp, 9), [2], At(55 * T.Sec));
        var frames = sink.Take();
        Assert.Equal(2, frames.Count);
        var refresh = frames.Single(f => f[12] == 0x08 && f[13] == 0x06);
        Assert.Equal(Net.PeerMac, MacAddress.Read(refresh)); // unicast poll
        // The peer answers: the entry lives on.
        core.Receive(Build.ArpReplyFromPeer(), At(56 * T.Sec));
        core.Poll(At(70 * T.Sec));
        Assert.Equal(ArpEntryState.Reachable, core.Neighbors.GetState(Net.PeerIp));
        // Without traffic it expires.
        core.Poll(At(117 * T.Sec));
        Assert.Equal(ArpEntryState.Free, core.Neighbors.GetState(Net.PeerIp));
    }

    [Fact]
    public void Requests_are_rate_limited_globally()
    {
        var (core, sink, _) = Net.Core(o => o with { Arp = new ArpOptions { RequestBurst = 4, RequestsPerSecond = 2, MaxQueuedTotal = 64 } });
        core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 5000), out var h);
        for (int i = 10; i < 30; i++)
        {
            core.SendUdp(h, new Ipv4Endpoint(new Ipv4Address(Net.UsIp.Value - 1 + (uint)i), 9), [1], At(0));
        }
        Assert.Equal(4, sink.Frames.Count);
        Assert.Equal(16, core.Neighbors.RequestsRateLimited);
        // One second later: two more tokens.
        core.Poll(At(1 * T.Sec));
        Assert.Equal(6, sink.Frames.Count);
    }

    [Fact]
    public void Static_entries_never_expire()
    {
        var (core, _, _) = Net.Core(o => o with { StaticNeighbors = [new(Net.PeerIp, Net.PeerMac)] });
        core.Poll(At(10_000 * T.Sec));
        Assert.Equal(ArpEntryState.Static, core.Neighbors.GetState(Net.PeerIp));
        core.Receive(Build.Ethernet(Net.UsMac, Net.OtherMac, 0x0806, Build.Arp(2, Net.OtherMac, Net.PeerIp, Net.UsMac, Net.UsIp)), At(0));
        Assert.True(core.Neighbors.TryGet(Net.PeerIp, At(0), out var mac));
        Assert.Equal(Net.PeerMac, mac);
    }
}
