namespace DpdkSharp.Stack.Tests;

public class EthernetTests
{
    [Fact]
    public void Parses_untagged_frame()
    {
        var f = Net.Hex("ffffffffffff525400123456080600010800060400015254001234560a0000020000000000000a000001000000000000000000000000000000000000");
        Assert.True(EthernetFrame.TryParse(f, out var e));
        Assert.True(e.Destination.IsBroadcast);
        Assert.Equal(Net.PeerMac, e.Source);
        Assert.Equal(EtherType.Arp, e.EtherType);
        Assert.Equal(0, e.TagCount);
        Assert.Equal(14, e.PayloadOffset);
        Assert.Equal(46, e.Payload.Length);
    }

    [Fact]
    public void Parses_802_1Q_and_QinQ_tags()
    {
        var tagged = Net.Hex("0200000000015254001234568100a06408004500");
        Assert.True(EthernetFrame.TryParse(tagged, out var e));
        Assert.Equal(1, e.TagCount);
        Assert.Equal(100, e.VlanId);
        Assert.Equal(5, e.Priority);
        Assert.Equal(EtherType.Ipv4, e.EtherType);
        Assert.Equal(18, e.PayloadOffset);

        var qinq = Net.Hex("02000000000152540012345688a8000a8100006408004500");
        Assert.True(EthernetFrame.TryParse(qinq, out var q));
        Assert.Equal(2, q.TagCount);
        Assert.Equal(100, q.VlanId);
        Assert.Equal(22, q.PayloadOffset);

        var threeTags = Net.Hex("02000000000152540012345688a8000a81000064810000010800");
        Assert.False(EthernetFrame.TryParse(threeTags, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("0200000000015254001234")]
    [InlineData("02000000000152540012345681")]
    [InlineData("0200000000015254001234568100a064")]
    [InlineData("0200000000015254001234560040")] // 802.3 length field, not a type
    public void Rejects_short_or_non_ethernet_ii(string hex) => Assert.False(EthernetFrame.TryParse(Net.Hex(hex), out _));

    [Fact]
    public void Writes_header_with_and_without_vlan()
    {
        var b = new byte[18];
        Assert.Equal(14, EthernetFrame.WriteHeader(b, Net.PeerMac, Net.UsMac, EtherType.Ipv4));
        Assert.Equal("525400123456020000000001" + "0800", Convert.ToHexStringLower(b.AsSpan(0, 14)));
        Assert.Equal(18, EthernetFrame.WriteHeader(b, Net.PeerMac, Net.UsMac, EtherType.Arp, 42));
        Assert.Equal("525400123456020000000001" + "8100002a0806", Convert.ToHexStringLower(b));
    }

    [Fact]
    public void Mac_helpers()
    {
        Assert.Equal("01:00:5e:7f:00:01", MacAddress.ForIpv4Multicast(Ipv4Address.Parse("239.255.0.1")).ToString());
        Assert.True(MacAddress.Parse("01:00:5e:00:00:01").IsMulticast);
        Assert.False(Net.UsMac.IsMulticast);
        Assert.Equal(Net.PeerMac, MacAddress.Parse(Net.PeerMac.ToString()));
    }

    [Fact]
    public void Core_drops_frames_for_other_macs_unless_promiscuous()
    {
        var (core, _, _) = Net.Core();
        var udp = Build.Udp(Net.PeerIp, Net.UsIp, 1, 7, [1]);
        var toOther = Build.Ethernet(Net.OtherMac, Net.PeerMac, 0x0800, Build.Ipv4(Net.PeerIp, Net.UsIp, 17, udp));
        core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 7), out _);
        Assert.Equal(RxDisposition.Dropped, core.Receive(toOther, At(0)));
        Assert.Equal(1, core.Counters.DropCount(DropReason.NotForUs));

        var (promisc, _, _) = Net.Core(o => o with { Promiscuous = true });
        promisc.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 7), out _);
        Assert.Equal(RxDisposition.Delivered, promisc.Receive(toOther, At(0)));
    }

    [Fact]
    public void Core_accepts_broadcast_and_multicast_only_with_group_ip_destinations()
    {
        var (core, _, _) = Net.Core(o => o with { MulticastGroups = [Ipv4Address.Parse("239.1.2.3")] });
        core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 5000), out var h);
        var bcast = Build.Ethernet(MacAddress.Broadcast, Net.PeerMac, 0x0800,
            Build.Ipv4(Net.PeerIp, Ipv4Address.Parse("10.0.0.255"), 17, Build.Udp(Net.PeerIp, Ipv4Address.Parse("10.0.0.255"), 1, 5000, [1])));
        Assert.Equal(RxDisposition.Delivered, core.Receive(bcast, At(0)));
        var group = Ipv4Address.Parse("239.1.2.3");
        var mcast = Build.Ethernet(MacAddress.ForIpv4Multicast(group), Net.PeerMac, 0x0800,
            Build.Ipv4(Net.PeerIp, group, 17, Build.Udp(Net.PeerIp, group, 1, 5000, [2])));
        Assert.Equal(RxDisposition.Delivered, core.Receive(mcast, At(0)));
        var notJoined = Ipv4Address.Parse("239.9.9.9");
        var other = Build.Ethernet(MacAddress.ForIpv4Multicast(notJoined), Net.PeerMac, 0x0800,
            Build.Ipv4(Net.PeerIp, notJoined, 17, Build.Udp(Net.PeerIp, notJoined, 1, 5000, [3])));
        Assert.Equal(RxDisposition.Dropped, core.Receive(other, At(0)));
        // RFC 1122 §3.3.6: unicast IP inside a link broadcast is discarded.
        var unicastInBroadcast = Build.Ethernet(MacAddress.Broadcast, Net.PeerMac, 0x0800,
            Build.Ipv4(Net.PeerIp, Net.UsIp, 17, Build.Udp(Net.PeerIp, Net.UsIp, 1, 5000, [4])));
        Assert.Equal(RxDisposition.Dropped, core.Receive(unicastInBroadcast, At(0)));
        Assert.Equal(2, core.Counters.DropCount(DropReason.NotForUs));
    }

    [Fact]
    public void Vlan_interface_accepts_its_vlan_and_tags_what_it_sends()
    {
        var (core, sink, _) = Net.Core(o => o with { VlanId = 100 });
        core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 7), out var h);
        var ip = Build.Ipv4(Net.PeerIp, Net.UsIp, 17, Build.Udp(Net.PeerIp, Net.UsIp, 1, 7, [1]));
        Assert.Equal(RxDisposition.Delivered, core.Receive(Build.Ethernet(Net.UsMac, Net.PeerMac, 0x0800, ip, vlan: 100), At(0)));
        Assert.Equal(RxDisposition.Dropped, core.Receive(Build.Ethernet(Net.UsMac, Net.PeerMac, 0x0800, ip, vlan: 200), At(0)));
        Assert.Equal(RxDisposition.Dropped, core.Receive(Build.Ethernet(Net.UsMac, Net.PeerMac, 0x0800, ip), At(0)));
        core.Neighbors.AddStatic(Net.PeerIp, Net.PeerMac);
        Assert.Equal(NetError.None, core.SendUdp(h, new Ipv4Endpoint(Net.PeerIp, 9), [1, 2, 3], At(0)));
        var f = sink.Single();
        Assert.True(EthernetFrame.TryParse(f, out var e));
        Assert.Equal(1, e.TagCount);
        Assert.Equal(100, e.VlanId);
    }
}
