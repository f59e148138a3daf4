using System.Buffers.Binary;

namespace DpdkSharp.Stack.Tests;

/// <summary>
/// Hostile and malformed frames at the shortcut's edges (issue #11's battery, repeated against the shortcut): lengths that
/// disagree with each other or with the frame, link padding that is not zeros, checksums of 0 and 0xFFFF, sources no
/// datagram may carry, group destinations, flag and option combinations, frames of every length up to a header. Each goes
/// through both theories of <see cref="PlainIpv4ShortcutTests"/>: its expected end, and the same end as its general-path twin.
/// </summary>
public partial class PlainIpv4ShortcutTests
{
    private delegate void AddFrame(string name, Func<byte[]> frame, RxDisposition expected, DropReason? reason = null,
        RxChecksumStatus device = RxChecksumStatus.Unknown);

    private static readonly Ipv4Address SubnetBroadcast = Ipv4Address.Parse("10.0.0.255");

    private static void AddHostile(AddFrame add)
    {
        byte[] Frame(Ipv4Address source, Ipv4Address destination, byte protocol, byte[] l4, MacAddress? linkDestination = null,
            byte[]? options = null, bool df = false, bool mf = false, int offset = 0) =>
            Build.Ethernet(linkDestination ?? Net.UsMac, Net.PeerMac, 0x0800,
                Build.Ipv4(source, destination, protocol, l4, df: df, mf: mf, offset: offset, options: options));
        byte[] UdpFrom(Ipv4Address source, Ipv4Address destination, MacAddress? linkDestination = null, ushort port = Port) =>
            Frame(source, destination, 17, Build.Udp(source, destination, 1000, port, [1, 2, 3, 4]), linkDestination);
        byte[] WithUdpChecksum(ushort checksum)
        {
            var f = Build.UdpFromPeer(1000, Port, [1, 2, 3, 4]);
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(14 + 20 + 6), checksum);
            return f;
        }
        byte[] Echo() => Build.Icmp(8, 0, 1, 2, [1, 2, 3]);

        // Lengths. RFC 791 §3.1: total length counts header and data, and what follows it on the link is padding; RFC 768:
        // the UDP length counts its header and data and may be less than the IP payload, never more.
        add("link padding of non-zero bytes", () =>
        {
            var f = Build.UdpFromPeer(1000, Port, [1, 2, 3, 4]).Concat(Enumerable.Repeat((byte)0xA5, 21)).ToArray();
            f.AsSpan(14 + 32).Fill(0x5A); // the 60-byte minimum's padding too: neither checksum may cover it
            return f;
        }, RxDisposition.Delivered);
        add("empty udp datagram in a minimum frame", () => Build.UdpFromPeer(1000, Port, []), RxDisposition.Delivered);
        add("udp length beyond the ip payload", () =>
        {
            var f = Build.UdpFromPeer(1000, Port, [1, 2, 3, 4]);
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(14 + 20 + 4), 13);
            return f;
        }, RxDisposition.Dropped, DropReason.Malformed);
        add("udp length short of the ip payload", () =>
            Build.FromPeer(17, Build.Udp(Net.PeerIp, Net.UsIp, 1000, Port, [1, 2]).Concat(new byte[] { 9, 9, 9, 9 }).ToArray()),
            RxDisposition.Delivered);
        add("udp length short of its header", () =>
        {
            var f = Build.UdpFromPeer(1000, Port, [1, 2, 3, 4]);
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(14 + 20 + 4), 7);
            return f;
        }, RxDisposition.Dropped, DropReason.Malformed);
        add("ethernet header alone", () => Build.Ethernet(Net.UsMac, Net.PeerMac, 0x0800, [], pad: false), RxDisposition.Dropped, DropReason.Malformed);
        add("frame one byte short of an ip header", () => Build.UdpFromPeer(1000, Port, [])[..33], RxDisposition.Dropped, DropReason.Malformed);
        add("frame of exactly an ip header", () =>
        {
            var f = Build.UdpFromPeer(1000, Port, [])[..34];
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(16), 20);
            f[24] = f[25] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(24), Build.RefChecksum(f.AsSpan(14, 20)));
            return f;
        }, RxDisposition.Dropped, DropReason.Malformed);

        // RFC 768 "Fields": 0 is no checksum; a computed 0 is sent as 0xFFFF, which is then the only valid value.
        add("udp checksum none", () => WithUdpChecksum(0), RxDisposition.Delivered);
        add("udp checksum 0xffff for a zero sum", () =>
        {
            // With the payload word equal to the checksum of the datagram with a zero word, the sum is all ones.
            var probe = Build.Udp(Net.PeerIp, Net.UsIp, 1000, Port, [0, 0]);
            var udp = Build.Udp(Net.PeerIp, Net.UsIp, 1000, Port, probe.AsSpan(6, 2));
            Assert.Equal(0xFFFF, BinaryPrimitives.ReadUInt16BigEndian(udp.AsSpan(6)));
            return Build.FromPeer(17, udp);
        }, RxDisposition.Delivered);
        add("udp checksum 0xffff for another sum", () => WithUdpChecksum(0xFFFF), RxDisposition.Dropped, DropReason.BadChecksum);

        // Sources (RFC 1122 §3.2.1.3): loopback never leaves a host; "this network" only from a host that is learning its
        // address, which cannot know ours: it broadcasts. Class E is left to the application, as Linux leaves it.
        add("source 0.0.0.0 to our address", () => UdpFrom(Ipv4Address.Any, Net.UsIp), RxDisposition.Dropped, DropReason.InvalidAddress);
        add("source 0.1.2.3 to our address", () => UdpFrom(Ipv4Address.Parse("0.1.2.3"), Net.UsIp), RxDisposition.Dropped, DropReason.InvalidAddress);
        add("source 0.0.0.0 to the limited broadcast", () => UdpFrom(Ipv4Address.Any, Ipv4Address.Broadcast, MacAddress.Broadcast), RxDisposition.Delivered);
        add("source loopback", () => UdpFrom(Ipv4Address.Parse("127.0.0.1"), Net.UsIp), RxDisposition.Dropped, DropReason.InvalidAddress);
        add("source loopback to a closed port", () => UdpFrom(Ipv4Address.Parse("127.1.2.3"), Net.UsIp, port: Port + 1),
            RxDisposition.Dropped, DropReason.InvalidAddress);
        add("source loopback to the subnet broadcast", () => UdpFrom(Ipv4Address.Parse("127.0.0.1"), SubnetBroadcast, MacAddress.Broadcast),
            RxDisposition.Dropped, DropReason.InvalidAddress);
        add("echo request from loopback", () => Frame(Ipv4Address.Parse("127.0.0.1"), Net.UsIp, 1, Echo()), RxDisposition.Dropped, DropReason.InvalidAddress);
        add("source class e", () => UdpFrom(Ipv4Address.Parse("240.0.0.1"), Net.UsIp), RxDisposition.Delivered);
        add("source limited broadcast", () => UdpFrom(Ipv4Address.Broadcast, Net.UsIp), RxDisposition.Dropped, DropReason.InvalidAddress);

        // Destinations: group ones go the general way (the shortcut only takes our address).
        add("destination the subnet broadcast", () => UdpFrom(Net.PeerIp, SubnetBroadcast, MacAddress.Broadcast), RxDisposition.Delivered);
        add("destination the subnet broadcast in a unicast frame", () => UdpFrom(Net.PeerIp, SubnetBroadcast), RxDisposition.Delivered);
        add("destination the limited broadcast", () => UdpFrom(Net.PeerIp, Ipv4Address.Broadcast, MacAddress.Broadcast), RxDisposition.Delivered);
        add("destination loopback", () => UdpFrom(Net.PeerIp, Ipv4Address.Parse("127.0.0.1")), RxDisposition.Dropped, DropReason.NotForUs);
        add("destination 0.0.0.0", () => UdpFrom(Net.PeerIp, Ipv4Address.Any), RxDisposition.Dropped, DropReason.NotForUs);
        add("closed port at the subnet broadcast", () => UdpFrom(Net.PeerIp, SubnetBroadcast, MacAddress.Broadcast, Port + 1),
            RxDisposition.Dropped, DropReason.NoSocket);
        // RFC 1122 §3.2.2.6: an echo request to a broadcast address MAY be silently discarded (the default here).
        add("echo request to the subnet broadcast", () => Frame(Net.PeerIp, SubnetBroadcast, 1, Echo(), MacAddress.Broadcast),
            RxDisposition.Dropped, DropReason.NotForUs);
        add("vlan 5 to our mac on an untagged interface", () =>
            Build.Ethernet(Net.UsMac, Net.PeerMac, 0x0800, Build.Ipv4(Net.PeerIp, Net.UsIp, 17, Build.Udp(Net.PeerIp, Net.UsIp, 1000, Port, [1])), vlan: 5),
            RxDisposition.Dropped, DropReason.NotForUs);

        // Flags and offset (RFC 791 §3.1): the reserved bit is ignored; DF says nothing of whether this is a fragment.
        byte[] Udp8() => Build.Udp(Net.PeerIp, Net.UsIp, 1000, Port, new byte[8]);
        add("reserved flag bit", () =>
        {
            var f = Build.UdpFromPeer(1000, Port, [1, 2, 3, 4]);
            f[20] |= 0x80;
            f[24] = f[25] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(24), Build.RefChecksum(f.AsSpan(14, 20)));
            return f;
        }, RxDisposition.Delivered);
        add("don't fragment and more fragments", () => Build.FromPeer(17, Udp8(), df: true, mf: true), RxDisposition.Buffered);
        add("don't fragment at an offset", () => Build.FromPeer(17, Udp8(), df: true, offset: 8), RxDisposition.Buffered);
        add("ttl 0 echo request", () => Build.FromPeer(1, Echo(), ttl: 0), RxDisposition.Consumed);

        // Options (RFC 791 §3.1 "Options", RFC 1122 §3.2.1.8): checked, then skipped; the checksum covers them.
        byte[] Udp4() => Build.Udp(Net.PeerIp, Net.UsIp, 1000, Port, [1, 2, 3, 4]);
        add("forty bytes of no-op options", () => Frame(Net.PeerIp, Net.UsIp, 17, Udp4(), options: Enumerable.Repeat((byte)1, 40).ToArray()),
            RxDisposition.Delivered);
        add("options with a bad header checksum", () =>
        {
            var f = Frame(Net.PeerIp, Net.UsIp, 17, Udp4(), options: [7, 7, 4, 0, 0, 0, 0, 0]);
            f[14 + 20 + 5] ^= 0x11; // inside the record route's empty slot: only the checksum can tell
            return f;
        }, RxDisposition.Dropped, DropReason.BadChecksum);
        add("option of length 0", () => Frame(Net.PeerIp, Net.UsIp, 17, Udp4(), options: [7, 0, 0, 0]), RxDisposition.Dropped, DropReason.Malformed);
        add("option running past the header", () => Frame(Net.PeerIp, Net.UsIp, 17, Udp4(), options: [7, 9, 4, 0]), RxDisposition.Dropped, DropReason.Malformed);
        add("options after end of list are not read", () => Frame(Net.PeerIp, Net.UsIp, 17, Udp4(), options: [0, 7, 99, 1]), RxDisposition.Delivered);
        add("echo request with record route", () => Frame(Net.PeerIp, Net.UsIp, 1, Echo(), options: [7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            RxDisposition.Consumed);
        // RFC 7126 §4.3.5, §4.4.5: source-routed datagrams are dropped by default (Linux: accept_source_route 0).
        add("echo request with a loose source route", () => Frame(Net.PeerIp, Net.UsIp, 1, Echo(), options: [0x83, 7, 4, 10, 1, 1, 1, 0]),
            RxDisposition.Dropped, DropReason.SourceRoute);
        add("udp with a strict source route", () => Frame(Net.PeerIp, Net.UsIp, 17, Udp4(), options: [1, 0x89, 7, 8, 10, 1, 1, 1]),
            RxDisposition.Dropped, DropReason.SourceRoute);
        // RFC 791 §3.1: some room but not enough, or an overflow count that overflows, is an error; full is not.
        add("echo request with record route room for half an address", () => Frame(Net.PeerIp, Net.UsIp, 1, Echo(), options: [7, 5, 4, 0, 0, 0, 0, 0]),
            RxDisposition.Dropped, DropReason.Malformed);
        add("echo request with a full timestamp at overflow 15", () => Frame(Net.PeerIp, Net.UsIp, 1, Echo(), options: [68, 8, 9, 0xF0, 1, 2, 3, 4]),
            RxDisposition.Dropped, DropReason.Malformed);
        add("echo request with a full timestamp", () => Frame(Net.PeerIp, Net.UsIp, 1, Echo(), options: [68, 8, 9, 0x30, 1, 2, 3, 4]),
            RxDisposition.Consumed);
        add("ihl of 4", () => WithIhl(0x44), RxDisposition.Dropped, DropReason.Malformed);
        add("ihl beyond the total length", () => WithIhl(0x4F), RxDisposition.Dropped, DropReason.Malformed);
        add("ihl 6 eating the udp header", () => WithIhl(0x46), RxDisposition.Dropped, DropReason.Malformed);
    }

    /// <summary>The plain UDP frame with another version/IHL byte and its header checksum made right again over 20 bytes.</summary>
    private static byte[] WithIhl(byte versionAndIhl)
    {
        var f = Build.UdpFromPeer(1000, Port, [1, 2, 3, 4]);
        f[14] = versionAndIhl;
        int ihl = Math.Min((versionAndIhl & 15) * 4, f.Length - 14);
        f[24] = f[25] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(24), Build.RefChecksum(f.AsSpan(14, ihl)));
        return f;
    }
}
