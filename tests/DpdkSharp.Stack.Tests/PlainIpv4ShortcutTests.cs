using System.Buffers.Binary;

namespace DpdkSharp.Stack.Tests;

/// <summary>
/// The receive path's shortcut for plain IPv4 frames (NetworkInterfaceCore.TryReceivePlainIpv4) against the general
/// path's rules, at each edge of what the shortcut takes: a frame on either side of an edge must end as the general
/// path ends it, drop reason included. A priority-tagged frame (VLAN 0) always takes the general path, so each frame's
/// tagged twin is the general path's answer to compare with.
/// </summary>
public partial class PlainIpv4ShortcutTests
{
    private const ushort Port = 7;

    public static TheoryData<string, string, RxDisposition, DropReason?> Frames()
    {
        var data = new TheoryData<string, string, RxDisposition, DropReason?>();
        void Add(string name, Func<byte[]> frame, RxDisposition expected, DropReason? reason = null, RxChecksumStatus device = RxChecksumStatus.Unknown) =>
            data.Add(name, Convert.ToHexString(frame()) + ":" + (int)device, expected, reason);

        byte[] Plain() => Build.UdpFromPeer(1000, Port, [1, 2, 3, 4]);
        byte[] Udp() => Build.Udp(Net.PeerIp, Net.UsIp, 1000, Port, [1, 2, 3, 4]);
        byte[] WithIp(Action<byte[]> change, bool fixChecksum = true)
        {
            var f = Plain();
            change(f);
            if (fixChecksum)
            {
                f[24] = f[25] = 0;
                int ihl = (f[14] & 15) * 4;
                BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(24), Build.RefChecksum(f.AsSpan(14, Math.Min(ihl, f.Length - 14))));
            }
            return f;
        }

        Add("plain", Plain, RxDisposition.Delivered);
        Add("don't fragment", () => Build.FromPeer(17, Udp(), df: true), RxDisposition.Delivered);
        Add("ttl 0", () => Build.FromPeer(17, Udp(), ttl: 0), RxDisposition.Delivered);
        Add("link padding", () => Build.Ethernet(Net.UsMac, Net.PeerMac, 0x0800, Build.Ipv4(Net.PeerIp, Net.UsIp, 17, Udp()).Concat(new byte[30]).ToArray()),
            RxDisposition.Delivered);
        Add("ip options", () => Build.Ethernet(Net.UsMac, Net.PeerMac, 0x0800, Build.Ipv4(Net.PeerIp, Net.UsIp, 17, Udp(), options: [1, 1, 1, 0])),
            RxDisposition.Delivered);
        // A first fragment: its data a multiple of 8 bytes (RFC 791 §3.2), as every fragment but the last.
        Add("more fragments", () => Build.FromPeer(17, Build.Udp(Net.PeerIp, Net.UsIp, 1000, Port, new byte[8]), mf: true), RxDisposition.Buffered);
        Add("bad header checksum", () => WithIp(f => f[24] ^= 0x55, fixChecksum: false), RxDisposition.Dropped, DropReason.BadChecksum);
        Add("bad header checksum the device judged good", () => WithIp(f => f[24] ^= 0x55, fixChecksum: false), RxDisposition.Delivered,
            device: RxChecksumStatus.Ipv4Good);
        Add("good header the device judged bad", Plain, RxDisposition.Dropped, DropReason.BadChecksum, RxChecksumStatus.Ipv4Bad);
        Add("bad udp checksum", () => WithIp(f => f[14 + 20 + 8] ^= 0x40, fixChecksum: false), RxDisposition.Dropped, DropReason.BadChecksum);
        Add("total length short of a udp header", () => WithIp(f => BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(16), 27)),
            RxDisposition.Dropped, DropReason.Malformed);
        Add("total length of the ip header alone", () => WithIp(f => BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(16), 20)),
            RxDisposition.Dropped, DropReason.Malformed);
        Add("total length short of the ip header", () => WithIp(f => BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(16), 19)),
            RxDisposition.Dropped, DropReason.Malformed);
        Add("total length beyond the frame", () => WithIp(f => BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(16), (ushort)(f.Length - 14 + 1))),
            RxDisposition.Dropped, DropReason.Malformed);
        Add("version 6", () => WithIp(f => f[14] = 0x65), RxDisposition.Dropped, DropReason.Malformed);
        Add("source our subnet's broadcast", () => WithIp(f => Ipv4Address.Parse("10.0.0.255").Write(f.AsSpan(26))),
            RxDisposition.Dropped, DropReason.InvalidAddress);
        Add("source multicast", () => WithIp(f => Ipv4Address.Parse("224.0.0.9").Write(f.AsSpan(26))), RxDisposition.Dropped, DropReason.InvalidAddress);
        Add("source ourselves", () => WithIp(f => Net.UsIp.Write(f.AsSpan(26))), RxDisposition.Dropped, DropReason.InvalidAddress);
        Add("destination another host", () => WithIp(f => Ipv4Address.Parse("10.0.0.9").Write(f.AsSpan(30))), RxDisposition.Dropped, DropReason.NotForUs);
        Add("link broadcast to our address", () => Build.Ethernet(MacAddress.Broadcast, Net.PeerMac, 0x0800, Build.Ipv4(Net.PeerIp, Net.UsIp, 17, Udp())),
            RxDisposition.Dropped, DropReason.NotForUs);
        Add("link source multicast", () => Build.Ethernet(Net.UsMac, MacAddress.Parse("01:00:5e:00:00:09"), 0x0800, Build.Ipv4(Net.PeerIp, Net.UsIp, 17, Udp())),
            RxDisposition.Dropped, DropReason.InvalidAddress);
        Add("link source ourselves", () => Build.Ethernet(Net.UsMac, Net.UsMac, 0x0800, Build.Ipv4(Net.PeerIp, Net.UsIp, 17, Udp())),
            RxDisposition.Dropped, DropReason.InvalidAddress);
        Add("another link destination", () => Build.Ethernet(Net.OtherMac, Net.PeerMac, 0x0800, Build.Ipv4(Net.PeerIp, Net.UsIp, 17, Udp())),
            RxDisposition.Dropped, DropReason.NotForUs);
        Add("priority tag", () => Build.Ethernet(Net.UsMac, Net.PeerMac, 0x0800, Build.Ipv4(Net.PeerIp, Net.UsIp, 17, Udp()), vlan: 0), RxDisposition.Delivered);
        Add("closed port", () => Build.UdpFromPeer(1000, Port + 1, [1]), RxDisposition.Dropped, DropReason.NoSocket);
        Add("icmp echo request", () => Build.FromPeer(1, Build.Icmp(8, 0, 1, 2, [1, 2, 3])), RxDisposition.Consumed);
        Add("tcp to a closed port", () => Build.FromPeer(6, TcpSyn()), RxDisposition.Dropped, DropReason.NoSocket);
        Add("an unknown protocol", () => Build.FromPeer(253, [1, 2, 3, 4]), RxDisposition.Dropped, DropReason.UnsupportedProtocol);
        AddHostile(Add);
        return data;
    }

    /// <summary>A SYN from the peer to port 80, its checksum over the pseudo-header.</summary>
    private static byte[] TcpSyn()
    {
        var t = new byte[20];
        BinaryPrimitives.WriteUInt16BigEndian(t, 40000);
        BinaryPrimitives.WriteUInt16BigEndian(t.AsSpan(2), 80);
        BinaryPrimitives.WriteUInt32BigEndian(t.AsSpan(4), 1000);
        t[12] = 5 << 4;
        t[13] = 0x02;
        BinaryPrimitives.WriteUInt16BigEndian(t.AsSpan(14), 65535);
        var pseudo = new byte[12 + t.Length];
        Net.PeerIp.Write(pseudo);
        Net.UsIp.Write(pseudo.AsSpan(4));
        pseudo[9] = 6;
        BinaryPrimitives.WriteUInt16BigEndian(pseudo.AsSpan(10), (ushort)t.Length);
        t.CopyTo(pseudo.AsSpan(12));
        BinaryPrimitives.WriteUInt16BigEndian(t.AsSpan(16), Build.RefChecksum(pseudo));
        return t;
    }

    [Theory]
    [MemberData(nameof(Frames))]
    public void Each_edge_ends_as_the_general_path_ends_it(string name, string frameAndDevice, RxDisposition expected, DropReason? reason)
    {
        var parts = frameAndDevice.Split(':');
        var frame = Convert.FromHexString(parts[0]);
        var device = (RxChecksumStatus)int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        var (core, _, _) = Net.Core();
        Assert.Equal(NetError.None, core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, Port), out _));

        Assert.True(expected == core.Receive(frame, At(0), device), name);

        var c = core.Counters;
        Assert.Equal(1, c.FramesReceived);
        if (reason is DropReason r)
        {
            Assert.Equal(1, c.DropCount(r));
            Assert.Equal(1, c.FramesDropped);
        }
        else
        {
            Assert.Equal(0, c.FramesDropped);
        }
        if (expected == RxDisposition.Delivered)
        {
            Assert.Equal(1, c.ReceivedPackets(NetLayer.Udp));
            Assert.Equal(1, c.ReceivedPackets(NetLayer.Ipv4));
            Assert.Equal(frame.Length, c.ReceivedBytes(NetLayer.Ethernet));
            Assert.Equal(BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(frame[12] == 0x81 ? 20 : 16)), c.ReceivedBytes(NetLayer.Ipv4));
        }
    }

    [Fact]
    public void A_vlan_interface_takes_its_tagged_frames_the_general_way()
    {
        var (core, _, _) = Net.Core(o => o with { VlanId = 5 });
        Assert.Equal(NetError.None, core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, Port), out _));
        var udp = Build.Udp(Net.PeerIp, Net.UsIp, 1000, Port, [1]);

        Assert.Equal(RxDisposition.Delivered, core.Receive(Build.Ethernet(Net.UsMac, Net.PeerMac, 0x0800, Build.Ipv4(Net.PeerIp, Net.UsIp, 17, udp), vlan: 5), At(0)));
        Assert.Equal(RxDisposition.Dropped, core.Receive(Build.FromPeer(17, udp), At(0)));
        Assert.Equal(1, core.Counters.DropCount(DropReason.NotForUs));
    }

    [Theory]
    [MemberData(nameof(Frames))]
    public void Each_frame_and_its_priority_tagged_twin_end_alike(string name, string frameAndDevice, RxDisposition expected, DropReason? reason)
    {
        _ = (expected, reason); // the other theory's expectations: here the general path's answer is the expectation
        var parts = frameAndDevice.Split(':');
        var frame = Convert.FromHexString(parts[0]);
        var device = (RxChecksumStatus)int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        if (frame[12] == 0x81)
        {
            return; // tagged already: both would take the general path
        }
        // The same frame with a priority tag (VLAN 0) after the addresses: the general path's.
        var twin = frame[..12].Concat(new byte[] { 0x81, 0x00, 0x00, 0x00 }).Concat(frame[12..]).ToArray();

        var (plain, plainSent) = Outcome(frame, device);
        var (general, generalSent) = Outcome(twin, device);

        Assert.True(general == plain, $"{name}:\nshortcut {plain}\ngeneral  {general}");
        Assert.Equal(generalSent.Select(Convert.ToHexString), plainSent.Select(Convert.ToHexString));
    }

    /// <summary>One frame into a fresh core with a bound UDP port and the peer's MAC known: what it ended as, every count, what it sent.</summary>
    private static (string Counts, List<byte[]> Sent) Outcome(byte[] frame, RxChecksumStatus device)
    {
        var (core, sink, _) = Net.Core(o => o with { StaticNeighbors = [new(Net.PeerIp, Net.PeerMac)] });
        Assert.Equal(NetError.None, core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, Port), out _));
        var disposition = core.Receive(frame, At(0), device);
        var c = core.Counters;
        var counts = new List<string> { $"{disposition}", $"delivered {c.FramesDelivered}", $"consumed {c.FramesConsumed}", $"buffered {c.FramesBuffered}", $"dropped {c.FramesDropped}" };
        foreach (var r in Enum.GetValues<DropReason>())
        {
            foreach (var stage in Enum.GetValues<DropStage>())
            {
                if (c.DropCount(r, stage) != 0)
                {
                    counts.Add($"{r}/{stage} {c.DropCount(r, stage)}");
                }
            }
        }
        foreach (var layer in Enum.GetValues<NetLayer>())
        {
            // Ethernet's received bytes differ by the tag's four; its packets do not.
            counts.Add($"{layer} rx {c.ReceivedPackets(layer)}/{(layer == NetLayer.Ethernet ? 0 : c.ReceivedBytes(layer))} tx {c.SentPackets(layer)}/{c.SentBytes(layer)}");
        }
        return (string.Join(", ", counts), sink.Take());
    }
}
