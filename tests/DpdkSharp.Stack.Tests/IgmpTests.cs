using System.Buffers.Binary;

namespace DpdkSharp.Stack.Tests;

/// <summary>The IGMPv2 host (RFC 2236) of the core: reports on start, answers to queries, suppression, leaves, v1 routers.</summary>
public class IgmpTests
{
    private static readonly Ipv4Address GroupA = Ipv4Address.Parse("239.1.2.3");
    private static readonly Ipv4Address GroupB = Ipv4Address.Parse("239.200.0.9");
    private static readonly Ipv4Address AllSystems = Ipv4Address.Parse("224.0.0.1");
    private static readonly Ipv4Address AllRouters = Ipv4Address.Parse("224.0.0.2");

    /// <summary>An IGMP message we sent, read back with the tests' own parsing.</summary>
    private sealed record Sent(byte Type, Ipv4Address Group, Ipv4Address Destination);

    [Fact]
    public void Start_reports_each_group_at_once_and_once_more_within_the_unsolicited_interval_but_never_all_systems()
    {
        var (core, sink, _) = Net.Core(o => o with { MulticastGroups = [GroupA, AllSystems, GroupA] });
        core.Start(At(0));

        Assert.Equal([new Sent(0x16, GroupA, GroupA)], Igmp(sink));
        // RFC 2236 §8.10: the repeat comes within the Unsolicited Report Interval (10 s).
        Assert.True(core.NextTimerAt <= At(10 * Sec), $"next timer {core.NextTimerAt}");
        core.Poll(At(10 * Sec));
        Assert.Equal([new Sent(0x16, GroupA, GroupA)], Igmp(sink));
        core.Poll(At(100 * Sec));
        Assert.Empty(Igmp(sink));
        Assert.Equal(2, core.Counters.SentPackets(NetLayer.Igmp));
    }

    [Fact]
    public void A_general_query_is_answered_for_every_group_after_a_random_delay_within_its_max_response_time()
    {
        var (core, sink, _) = Started([GroupA, GroupB]);
        Assert.Equal(RxDisposition.Consumed, core.Receive(Query(AllSystems, default, code: 20), At(30 * Sec)));

        // RFC 2236 §3: each timer is a random value in (0, Max Resp Time]; nothing goes at once.
        core.Poll(At(30 * Sec));
        Assert.Empty(Igmp(sink));
        Assert.InRange(core.NextTimerAt, At(30 * Sec + 1), At(32 * Sec));
        core.Poll(At(32 * Sec));
        var reports = Igmp(sink);
        Assert.Equal(2, reports.Count);
        Assert.Contains(new Sent(0x16, GroupA, GroupA), reports);
        Assert.Contains(new Sent(0x16, GroupB, GroupB), reports);
        Assert.Equal(1, core.Counters.ReceivedPackets(NetLayer.Igmp));
    }

    [Fact]
    public void A_group_specific_query_is_answered_for_that_group_only_and_one_for_a_group_not_joined_is_not_received()
    {
        var (core, sink, _) = Started([GroupA, GroupB]);
        Assert.Equal(RxDisposition.Consumed, core.Receive(Query(GroupB, GroupB, code: 10), At(30 * Sec)));
        core.Poll(At(31 * Sec));
        Assert.Equal([new Sent(0x16, GroupB, GroupB)], Igmp(sink));

        var other = Ipv4Address.Parse("239.9.9.9");
        Assert.Equal(RxDisposition.Dropped, core.Receive(Query(other, other, code: 10), At(40 * Sec)));
        Assert.Equal(1, core.Counters.DropCount(DropReason.NotForUs));
        core.Poll(At(100 * Sec));
        Assert.Empty(Igmp(sink));
    }

    [Fact]
    public void Another_members_report_suppresses_ours_and_only_the_groups_we_reported_last_are_left_on_stop()
    {
        var (core, sink, _) = Started([GroupA, GroupB]);
        core.Receive(Query(AllSystems, default, code: 100), At(30 * Sec));
        // RFC 2236 §3: hearing another host's report for a group we are delaying on, we stop our timer.
        Assert.Equal(RxDisposition.Consumed, core.Receive(Report(0x16, GroupA, GroupA), At(30 * Sec)));
        core.Poll(At(40 * Sec));
        Assert.Equal([new Sent(0x16, GroupB, GroupB)], Igmp(sink));

        // RFC 2236 §3: a Leave goes to all routers from the last host to report; for A that was the other member.
        core.Stop(At(50 * Sec));
        Assert.Equal([new Sent(0x17, GroupB, AllRouters)], Igmp(sink));
        core.Poll(At(100 * Sec));
        Assert.Empty(Igmp(sink));
    }

    [Fact]
    public void A_report_sent_to_another_address_than_its_group_suppresses_nothing()
    {
        var (core, sink, _) = Started([GroupA]);
        core.Receive(Query(AllSystems, default, code: 100), At(30 * Sec));
        Assert.Equal(RxDisposition.Consumed, core.Receive(Report(0x16, GroupA, AllSystems), At(30 * Sec)));
        core.Poll(At(40 * Sec));
        Assert.Equal([new Sent(0x16, GroupA, GroupA)], Igmp(sink));
    }

    [Fact]
    public void A_running_timer_is_shortened_by_a_query_with_less_time_but_never_lengthened()
    {
        var (core, sink, _) = Started([GroupA]);
        core.Receive(Query(AllSystems, default, code: 100), At(30 * Sec));
        var first = core.NextTimerAt;
        Assert.InRange(first, At(30 * Sec + 1), At(40 * Sec));

        // RFC 2236 §3: reset only if the requested Max Response Time is less than the timer's remaining value.
        core.Receive(Query(AllSystems, default, code: 250), At(30 * Sec));
        Assert.Equal(first, core.NextTimerAt);
        core.Receive(Query(GroupA, GroupA, code: 1), At(30 * Sec));
        Assert.InRange(core.NextTimerAt, At(30 * Sec + 1), At(30 * Sec + 100 * Ms));
        core.Poll(At(30 * Sec + 100 * Ms));
        Assert.Equal([new Sent(0x16, GroupA, GroupA)], Igmp(sink));
    }

    [Fact]
    public void After_a_version_1_query_reports_are_version_1_and_no_leave_is_sent_until_the_router_present_timeout_passes()
    {
        var (core, sink, _) = Started([GroupA]);
        // RFC 2236 §4: a query with Max Resp Time 0 comes from an IGMPv1 router; reports within 10 s, as version 1.
        core.Receive(Query(AllSystems, default, code: 0), At(30 * Sec));
        Assert.True(core.NextTimerAt <= At(40 * Sec));
        core.Poll(At(40 * Sec));
        Assert.Equal([new Sent(0x12, GroupA, GroupA)], Igmp(sink));
        core.Stop(At(50 * Sec));
        Assert.Empty(Igmp(sink));

        // 400 s after the last version 1 query (RFC 2236 §8.11) the host is back to version 2, Leave included.
        var (later, laterSink, _) = Started([GroupA]);
        later.Receive(Query(AllSystems, default, code: 0), At(30 * Sec));
        later.Poll(At(40 * Sec));
        Igmp(laterSink);
        later.Receive(Query(AllSystems, default, code: 100), At(431 * Sec));
        later.Poll(At(441 * Sec));
        Assert.Equal([new Sent(0x16, GroupA, GroupA)], Igmp(laterSink));
        later.Stop(At(450 * Sec));
        Assert.Equal([new Sent(0x17, GroupA, AllRouters)], Igmp(laterSink));
    }

    [Fact]
    public void A_version_3_query_is_answered_with_a_version_2_report_within_its_decoded_max_response_time()
    {
        var (core, sink, _) = Started([GroupA]);
        // RFC 3376 §4.1.1: code 0x8A is exp 0, mant 10: (0x1A << 3) tenths = 20.8 s.
        Assert.Equal(RxDisposition.Consumed, core.Receive(Query(AllSystems, default, code: 0x8A, length: 12), At(30 * Sec)));
        Assert.InRange(core.NextTimerAt, At(30 * Sec + 1), At(50 * Sec + 800 * Ms));
        core.Poll(At(50 * Sec + 800 * Ms));
        Assert.Equal([new Sent(0x16, GroupA, GroupA)], Igmp(sink));
    }

    [Fact]
    public void Malformed_messages_are_dropped_and_counted_by_reason()
    {
        var (core, sink, _) = Started([GroupA]);
        var badChecksum = Query(AllSystems, default, code: 100);
        badChecksum[14 + 24 + 7] ^= 0x01; // the group's last byte (after Ethernet and the 24-byte IP header), under the IGMP checksum
        Assert.Equal(RxDisposition.Dropped, core.Receive(badChecksum, At(30 * Sec)));
        Assert.Equal(1, core.Counters.DropCount(DropReason.BadChecksum));
        // RFC 3376 §7.1: a query of 9 to 11 bytes is none of the versions and is ignored.
        Assert.Equal(RxDisposition.Dropped, core.Receive(Query(AllSystems, default, code: 100, length: 10), At(30 * Sec)));
        Assert.Equal(RxDisposition.Dropped, core.Receive(Frame(AllSystems, new byte[6]), At(30 * Sec)));
        Assert.Equal(2, core.Counters.DropCount(DropReason.Malformed));
        core.Poll(At(100 * Sec));
        Assert.Empty(Igmp(sink));
    }

    [Fact]
    public void With_IGMP_off_nothing_is_reported_and_IGMP_is_an_unsupported_protocol()
    {
        var (core, sink, _) = Net.Core(o => o with { MulticastGroups = [GroupA], Igmp = new IgmpOptions { Enabled = false } });
        core.Start(At(0));
        core.Poll(At(100 * Sec));
        Assert.Empty(Igmp(sink));
        Assert.Equal(RxDisposition.Dropped, core.Receive(Query(AllSystems, default, code: 100), At(100 * Sec)));
        Assert.Equal(1, core.Counters.DropCount(DropReason.UnsupportedProtocol));
        core.Stop(At(100 * Sec));
        Assert.Empty(Igmp(sink));
    }

    [Fact]
    public void Our_reports_carry_TTL_1_the_router_alert_option_and_valid_checksums_to_the_groups_MAC()
    {
        var (core, sink, _) = Net.Core(o => o with { MulticastGroups = [GroupA] });
        core.Start(At(0));
        var frame = sink.Frames.Single(f => f[23] == 2);
        Assert.Equal(MacAddress.ForIpv4Multicast(GroupA), MacAddress.Read(frame));
        Assert.Equal(Net.UsMac, MacAddress.Read(frame.AsSpan(6)));
        var ip = frame.AsSpan(14);
        Assert.Equal(0x46, ip[0]); // RFC 2236 §2: the Router Alert option (RFC 2113) makes the header 24 bytes
        Assert.Equal(1, ip[8]);    // TTL 1
        Assert.Equal("94040000", Convert.ToHexString(ip.Slice(20, 4)));
        Assert.Equal(32, BinaryPrimitives.ReadUInt16BigEndian(ip[2..]));
        Assert.Equal(Net.UsIp, Ipv4Address.Read(ip[12..]));
        Assert.Equal(0, Build.RefChecksum(ip[..24]));
        Assert.Equal(0, Build.RefChecksum(ip.Slice(24, 8)));
    }

    [Fact]
    public void A_group_joined_while_up_is_reported_at_once_received_and_after_its_last_leave_left_and_no_longer_received()
    {
        var (core, sink, _) = Started([]);
        var datagram = Build.Ethernet(MacAddress.ForIpv4Multicast(GroupB), Net.PeerMac, 0x0800,
            Build.Ipv4(Net.PeerIp, GroupB, 17, Build.Udp(Net.PeerIp, GroupB, 4000, 4000, "hi"u8)));
        Assert.Equal(RxDisposition.Dropped, core.Receive(datagram, At(30 * Sec)));
        Assert.Equal(1, core.Counters.DropCount(DropReason.NotForUs));

        core.JoinGroup(GroupB, At(30 * Sec));
        core.JoinGroup(GroupB, At(30 * Sec)); // a second join (another socket) sends nothing more
        Assert.Equal([new Sent(0x16, GroupB, GroupB)], Igmp(sink));
        Assert.Equal([AllSystems, GroupB], core.Groups);
        Assert.Equal(RxDisposition.Dropped, core.Receive(datagram, At(31 * Sec)));
        Assert.Equal(1, core.Counters.DropCount(DropReason.NoSocket)); // received up to UDP, where no socket has port 4000

        // Joins are counted: the group stays until the last leave, then RFC 2236 §3's Leave goes to all routers.
        core.LeaveGroup(GroupB, At(32 * Sec));
        Assert.Empty(Igmp(sink));
        Assert.Equal([AllSystems, GroupB], core.Groups);
        core.LeaveGroup(GroupB, At(33 * Sec));
        Assert.Equal([new Sent(0x17, GroupB, AllRouters)], Igmp(sink));
        Assert.Equal([AllSystems], core.Groups);
        Assert.Equal(RxDisposition.Dropped, core.Receive(datagram, At(34 * Sec)));
        Assert.Equal(2, core.Counters.DropCount(DropReason.NotForUs));
        core.Poll(At(100 * Sec)); // the join's repeated report was cancelled with it
        Assert.Empty(Igmp(sink));

        core.LeaveGroup(GroupB, At(100 * Sec)); // not joined: nothing
        core.JoinGroup(AllSystems, At(100 * Sec)); // always received, never reported
        Assert.Empty(Igmp(sink));
        Assert.Throws<ArgumentException>(() => core.JoinGroup(Net.PeerIp, At(100 * Sec)));
        Assert.Throws<ArgumentException>(() => Net.Core(o => o with { MulticastGroups = [Net.PeerIp] }));
    }

    private static (NetworkInterfaceCore Core, CaptureSink Sink, ArrayPacketBufferPool Pool) Started(Ipv4Address[] groups)
    {
        var made = Net.Core(o => o with { MulticastGroups = groups });
        made.Core.Start(At(0));
        made.Core.Poll(At(20 * Sec)); // the start-up reports are all out
        made.Sink.Take();
        return made;
    }

    /// <summary>The IGMP messages sent since the last call (other frames, ARP announcements, are ignored).</summary>
    private static List<Sent> Igmp(CaptureSink sink)
    {
        var sent = new List<Sent>();
        foreach (var f in sink.Take())
        {
            if (BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan(12)) != 0x0800 || f[14 + 9] != 2)
            {
                continue;
            }
            int ihl = (f[14] & 0x0F) * 4;
            var igmp = f.AsSpan(14 + ihl);
            sent.Add(new Sent(igmp[0], Ipv4Address.Read(igmp[4..]), Ipv4Address.Read(f.AsSpan(14 + 16))));
        }
        return sent;
    }

    private static byte[] Query(Ipv4Address destination, Ipv4Address group, byte code, int length = 8)
    {
        var igmp = new byte[length];
        igmp[0] = 0x11;
        igmp[1] = code;
        group.Write(igmp.AsSpan(4));
        return Frame(destination, Checksummed(igmp));
    }

    private static byte[] Report(byte type, Ipv4Address group, Ipv4Address destination)
    {
        var igmp = new byte[8];
        igmp[0] = type;
        group.Write(igmp.AsSpan(4));
        return Frame(destination, Checksummed(igmp), source: Net.PeerIp, sourceMac: Net.PeerMac);
    }

    private static byte[] Checksummed(byte[] igmp)
    {
        BinaryPrimitives.WriteUInt16BigEndian(igmp.AsSpan(2), Build.RefChecksum(igmp));
        return igmp;
    }

    // From the router (or a peer) with TTL 1 and the Router Alert option, as RFC 2236 §2 sends every message.
    private static byte[] Frame(Ipv4Address destination, byte[] igmp, Ipv4Address? source = null, MacAddress? sourceMac = null) =>
        Build.Ethernet(MacAddress.ForIpv4Multicast(destination), sourceMac ?? Net.OtherMac, 0x0800,
            Build.Ipv4(source ?? Net.GatewayIp, destination, 2, igmp, ttl: 1, options: [0x94, 0x04, 0x00, 0x00]));
}
