using System.Buffers.Binary;

namespace DpdkSharp.Stack.Tests;

public class Ipv4Tests
{
    private static readonly byte[] Captured = Net.Hex("45000073000040004011b861c0a80001c0a800c7");

    [Fact]
    public void Parses_a_captured_header()
    {
        var packet = new byte[0x73];
        Captured.CopyTo(packet, 0);
        Assert.True(Ipv4Packet.TryParse(packet, true, out var ip, out _));
        Assert.Equal(20, ip.HeaderLength);
        Assert.Equal(0x73, ip.TotalLength);
        Assert.True(ip.DontFragment);
        Assert.False(ip.IsFragment);
        Assert.Equal(64, ip.Ttl);
        Assert.Equal(IpProtocol.Udp, ip.Protocol);
        Assert.Equal("192.168.0.1", ip.Source.ToString());
        Assert.Equal("192.168.0.199", ip.Destination.ToString());
        Assert.Equal(0x73 - 20, ip.Payload.Length);
    }

    [Fact]
    public void Writes_the_same_header()
    {
        var b = new byte[20];
        Ipv4Packet.WriteHeader(b, Ipv4Address.Parse("192.168.0.1"), Ipv4Address.Parse("192.168.0.199"), IpProtocol.Udp,
            0x73, 0, 64, dontFragment: true, moreFragments: false, fragmentOffsetBytes: 0, computeChecksum: true);
        Assert.Equal(Captured, b);
    }

    [Fact]
    public void Cuts_link_padding_using_total_length()
    {
        var ip = Build.Ipv4(Net.PeerIp, Net.UsIp, 17, new byte[4]);
        var padded = ip.Concat(new byte[22]).ToArray();
        Assert.True(Ipv4Packet.TryParse(padded, true, out var p, out _));
        Assert.Equal(4, p.Payload.Length);
    }

    public static TheoryData<string, DropReason> BadHeaders()
    {
        var data = new TheoryData<string, DropReason>();
        void Add(string name, Action<byte[]> mutate, DropReason reason, bool fixChecksum = true)
        {
            var p = Build.Ipv4(Net.PeerIp, Net.UsIp, 17, new byte[12]);
            mutate(p);
            int ihl = Math.Min((p[0] & 15) * 4, p.Length);
            if (fixChecksum && ihl >= 20)
            {
                p[10] = p[11] = 0;
                BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(10), Build.RefChecksum(p.AsSpan(0, ihl)));
            }
            data.Add(Convert.ToHexString(p), reason);
        }
        Add("version 6", p => p[0] = 0x65, DropReason.Malformed);
        Add("ihl 4", p => p[0] = 0x44, DropReason.Malformed);
        Add("ihl beyond packet", p => p[0] = 0x4F, DropReason.Malformed);
        Add("total < ihl", p => BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), 19), DropReason.Malformed);
        Add("total > frame", p => BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), 33), DropReason.Malformed);
        Add("bad checksum", p => p[10] ^= 0x55, DropReason.BadChecksum, fixChecksum: false);
        return data;
    }

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public void Rejects_bad_headers(string hex, DropReason expected)
    {
        Assert.False(Ipv4Packet.TryParse(Convert.FromHexString(hex), true, out _, out var reason));
        Assert.Equal(expected, reason);
    }

    [Fact]
    public void Options_are_checked_then_skipped()
    {
        // NOP, NOP, then a 4-byte router alert-like option (type 0x94, len 4), ends the 8-byte options area with EOL.
        var ok = Build.Ipv4(Net.PeerIp, Net.UsIp, 17, new byte[4], options: [1, 1, 0x94, 4, 0, 0, 0, 0]);
        Assert.True(Ipv4Packet.TryParse(ok, true, out var p, out _));
        Assert.Equal(28, p.HeaderLength);
        Assert.Equal(4, p.Payload.Length);

        var overrun = Build.Ipv4(Net.PeerIp, Net.UsIp, 17, new byte[4], options: [1, 0x94, 9, 0]);
        Assert.False(Ipv4Packet.TryParse(overrun, true, out _, out var r1));
        Assert.Equal(DropReason.Malformed, r1);
        var zeroLength = Build.Ipv4(Net.PeerIp, Net.UsIp, 17, new byte[4], options: [0x94, 0, 0, 0]);
        Assert.False(Ipv4Packet.TryParse(zeroLength, true, out _, out _));
    }

    [Fact]
    public void Core_delivers_ttl_zero_and_drops_bad_sources_and_unknown_protocols()
    {
        var (core, sink, _) = Net.Core(o => o with { StaticNeighbors = [new(Net.PeerIp, Net.PeerMac)] });
        // TTL matters when forwarding, not for a datagram delivered to us (RFC 1122 §3.2.1.7, RFC 1812 §5.3.1).
        core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 2), out _);
        Assert.Equal(RxDisposition.Delivered, core.Receive(Build.FromPeer(17, Build.Udp(Net.PeerIp, Net.UsIp, 1, 2, [7]), ttl: 0), At(0)));
        Assert.Equal(0, core.Counters.TotalDrops(DropStage.Receive));

        var fromMulticast = Build.Ethernet(Net.UsMac, Net.PeerMac, 0x0800, Build.Ipv4(Ipv4Address.Parse("224.0.0.5"), Net.UsIp, 17, new byte[8]));
        Assert.Equal(RxDisposition.Dropped, core.Receive(fromMulticast, At(0)));
        Assert.Equal(1, core.Counters.DropCount(DropReason.InvalidAddress));

        // A protocol the stack does not speak (GRE): protocol unreachable (RFC 1122 §3.2.2.1).
        Assert.Equal(RxDisposition.Dropped, core.Receive(Build.FromPeer(47, new byte[20]), At(0)));
        Assert.Equal(1, core.Counters.DropCount(DropReason.UnsupportedProtocol));
        var reply = sink.Single();
        Assert.Equal(1, reply[14 + 9]);           // ICMP
        Assert.Equal(3, reply[34]);               // destination unreachable
        Assert.Equal(2, reply[35]);               // protocol
        Assert.True(InternetChecksum.IsValid(reply.AsSpan(14, 20)));
    }

    [Fact]
    public void Device_checksum_flags_are_honoured()
    {
        var (core, _, _) = Net.Core();
        core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 7), out _);
        var frame = Build.UdpFromPeer(1, 7, [1, 2]);
        frame[14 + 10] ^= 0xFF; // corrupt the IP checksum
        Assert.Equal(RxDisposition.Dropped, core.Receive(frame, At(0)));
        Assert.Equal(RxDisposition.Delivered, core.Receive(frame, At(0), RxChecksumStatus.Ipv4Good | RxChecksumStatus.L4Good));
        Assert.Equal(RxDisposition.Dropped, core.Receive(Build.UdpFromPeer(1, 7, [1]), At(0), RxChecksumStatus.Ipv4Bad));
        Assert.Equal(RxDisposition.Dropped, core.Receive(Build.UdpFromPeer(1, 7, [1]), At(0), RxChecksumStatus.L4Bad));
        Assert.Equal(3, core.Counters.DropCount(DropReason.BadChecksum));
    }

    [Fact]
    public void Tx_offload_leaves_checksums_to_the_device()
    {
        var (core, sink, _) = Net.Core(o => o with { Offloads = ChecksumOffloads.Ipv4Tx | ChecksumOffloads.UdpTx, StaticNeighbors = [new(Net.PeerIp, Net.PeerMac)] });
        core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 7), out var h);
        Assert.Equal(NetError.None, core.SendUdp(h, new Ipv4Endpoint(Net.PeerIp, 9), [1, 2, 3], At(0)));
        var f = sink.Frames[0];
        Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan(24)));
        // UDP field holds the pseudo-header sum (src, dst, proto 17, length 11), not complemented.
        uint pseudo = InternetChecksum.PseudoHeaderSum(Net.UsIp, Net.PeerIp, IpProtocol.Udp, 11);
        Assert.Equal((ushort)pseudo, BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan(40)));
        Assert.Equal(new TxFrameInfo(14, 20, TxOffloadRequest.Ipv4Checksum | TxOffloadRequest.UdpChecksum), sink.Infos[0]);
    }
}

public class RoutingTests
{
    private static Ipv4Address A(string s) => Ipv4Address.Parse(s);

    [Fact]
    public void Longest_prefix_wins()
    {
        var t = new RoutingTable();
        t.AddConnected(A("10.0.0.1"), 24);
        t.AddStatic(A("10.0.0.0"), 8, A("10.0.0.253"));
        t.AddStatic(A("10.1.2.0"), 23, A("10.0.0.252"));
        t.AddStatic(A("10.1.2.128"), 25, A("10.0.0.251"));
        t.SetDefaultGateway(A("10.0.0.254"));

        Assert.True(t.TryLookup(A("10.0.0.77"), out var r));
        Assert.True(r.IsOnLink);
        Assert.Equal(A("10.0.0.77"), r.NextHop(A("10.0.0.77")));
        Assert.True(t.TryLookup(A("10.1.2.200"), out r));
        Assert.Equal(A("10.0.0.251"), r.Gateway);
        Assert.True(t.TryLookup(A("10.1.3.1"), out r));
        Assert.Equal(A("10.0.0.252"), r.Gateway);
        Assert.True(t.TryLookup(A("10.200.0.1"), out r));
        Assert.Equal(A("10.0.0.253"), r.Gateway);
        Assert.True(t.TryLookup(A("8.8.8.8"), out r));
        Assert.Equal(RouteKind.Default, r.Kind);
        Assert.Equal(A("10.0.0.254"), r.NextHop(A("8.8.8.8")));
    }

    [Fact]
    public void Host_routes_prefix_normalisation_replacement_and_removal()
    {
        var t = new RoutingTable();
        t.AddStatic(A("192.168.1.77"), 24, A("10.0.0.1"));
        Assert.Equal(A("192.168.1.0"), t.Routes[0].Prefix);
        t.AddStatic(A("192.168.1.0"), 24, A("10.0.0.2"));
        Assert.Single(t.Routes);
        t.AddStatic(A("192.168.1.5"), 32, A("10.0.0.3"));
        Assert.True(t.TryLookup(A("192.168.1.5"), out var r));
        Assert.Equal(A("10.0.0.3"), r.Gateway);
        Assert.True(t.TryLookup(A("192.168.1.6"), out r));
        Assert.Equal(A("10.0.0.2"), r.Gateway);
        Assert.False(t.TryLookup(A("172.16.0.1"), out _));
        Assert.True(t.Remove(A("192.168.1.5"), 32, RouteKind.Static));
        Assert.True(t.TryLookup(A("192.168.1.5"), out r));
        Assert.Equal(A("10.0.0.2"), r.Gateway);
    }

    [Fact]
    public void Repeated_lookups_follow_every_route_change()
    {
        // The transmit path looks up through its last hit: a change must make the next lookup for that destination
        // see the new table. Each step checks the cached lookup against the plain one.
        var t = new RoutingTable();
        var hit = default(RouteHit);
        var destination = A("192.168.7.9");
        Ipv4Route Lookup()
        {
            Assert.True(t.TryLookup(ref hit, destination, out var cached));
            Assert.True(t.TryLookup(destination, out var plain));
            Assert.Equal(plain, cached);
            return cached;
        }

        Assert.False(t.TryLookup(ref hit, destination, out _));
        t.SetDefaultGateway(A("10.0.0.254"));
        Assert.Equal(A("10.0.0.254"), Lookup().Gateway);
        Assert.Equal(A("10.0.0.254"), Lookup().Gateway); // from the hit
        t.AddStatic(A("192.168.7.0"), 24, A("10.0.0.2"));
        Assert.Equal(A("10.0.0.2"), Lookup().Gateway);
        t.AddStatic(A("192.168.7.0"), 24, A("10.0.0.3")); // replaced
        Assert.Equal(A("10.0.0.3"), Lookup().Gateway);
        Assert.True(t.Remove(A("192.168.7.0"), 24, RouteKind.Static));
        Assert.Equal(A("10.0.0.254"), Lookup().Gateway);
        var other = A("172.16.0.1"); // another destination does not take the first one's hit
        Assert.True(t.TryLookup(ref hit, other, out var r));
        Assert.Equal(A("10.0.0.254"), r.Gateway);
        Assert.True(t.Remove(Ipv4Address.Any, 0, RouteKind.Default));
        Assert.False(t.TryLookup(ref hit, destination, out _));
        Assert.False(t.TryLookup(ref hit, other, out _));
    }

    [Fact]
    public void The_last_hit_gives_the_next_hop_only_for_its_destination_in_the_current_table()
    {
        // The transmit path takes its next hop from the last hit before any other test (RoutingTable.TryLastHit).
        var t = new RoutingTable();
        t.AddConnected(A("10.0.0.1"), 24);
        t.SetDefaultGateway(A("10.0.0.254"));
        var hit = default(RouteHit);
        Assert.False(t.TryLastHit(in hit, Ipv4Address.Any, out _)); // nothing remembered yet, not even the zero address
        Assert.True(t.TryLookup(ref hit, A("10.0.0.7"), out _));
        Assert.True(t.TryLastHit(in hit, A("10.0.0.7"), out var onLink));
        Assert.Equal(A("10.0.0.7"), onLink); // on the link: the destination itself
        Assert.False(t.TryLastHit(in hit, A("10.0.0.8"), out _));
        Assert.True(t.TryLookup(ref hit, A("192.0.2.1"), out _));
        Assert.True(t.TryLastHit(in hit, A("192.0.2.1"), out var offLink));
        Assert.Equal(A("10.0.0.254"), offLink); // off the link: the gateway
        t.AddStatic(A("192.0.2.0"), 24, A("10.0.0.2"));
        Assert.False(t.TryLastHit(in hit, A("192.0.2.1"), out _)); // the table changed
    }

    [Fact]
    public void Core_sends_off_link_traffic_to_the_gateway_and_reports_no_route()
    {
        var (core, sink, _) = Net.Core(o => o with { StaticNeighbors = [new(Net.GatewayIp, Net.OtherMac)] });
        core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 0), out var h);
        Assert.Equal(NetError.NoRoute, core.SendUdp(h, new Ipv4Endpoint(A("8.8.8.8"), 53), [1], At(0)));
        Assert.Equal(1, core.Counters.DropCount(DropReason.NoRoute, DropStage.Transmit));

        var (gwCore, gwSink, _) = Net.Core(o => o with { Gateway = Net.GatewayIp, StaticNeighbors = [new(Net.GatewayIp, Net.OtherMac)] });
        gwCore.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 0), out var g);
        Assert.Equal(NetError.None, gwCore.SendUdp(g, new Ipv4Endpoint(A("8.8.8.8"), 53), [1], At(0)));
        var f = gwSink.Single();
        Assert.Equal(Net.OtherMac, MacAddress.Read(f));
        Assert.Equal(A("8.8.8.8"), Ipv4Address.Read(f.AsSpan(30)));
        Assert.Empty(sink.Frames);
    }
}
