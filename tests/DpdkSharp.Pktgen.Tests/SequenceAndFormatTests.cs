using DpdkSharp.Wire;

namespace DpdkSharp.Pktgen.Tests;

/// <summary>The parts of the packet path that need no DPDK: sequence tracking, the pacer's arithmetic, the frame format.</summary>
public sealed class SequenceAndFormatTests
{
    [Fact]
    public void The_tracker_tells_in_order_reordered_duplicate_and_too_old_apart_across_the_32_bit_wrap()
    {
        var tracker = new SequenceTracker(2);
        uint start = uint.MaxValue - 2;
        Assert.Equal(SequenceVerdict.InOrder, tracker.Record(0, start));
        Assert.Equal(SequenceVerdict.InOrder, tracker.Record(0, start + 2));
        Assert.Equal(SequenceVerdict.Reordered, tracker.Record(0, start + 1));
        Assert.Equal(SequenceVerdict.Duplicate, tracker.Record(0, start + 1));
        Assert.Equal(SequenceVerdict.InOrder, tracker.Record(0, start + 5)); // wrapped past 0
        Assert.Equal(SequenceVerdict.Duplicate, tracker.Record(0, start + 5));
        Assert.Equal(SequenceVerdict.InOrder, tracker.Record(0, start + 5 + SequenceTracker.Window));
        Assert.Equal(SequenceVerdict.TooOld, tracker.Record(0, start + 5));
        Assert.Equal(SequenceVerdict.Reordered, tracker.Record(0, start + 6));
        Assert.Equal(SequenceVerdict.InOrder, tracker.Record(1, 7)); // flows are independent
    }

    [Fact]
    public void The_pacer_releases_exactly_the_packets_due_and_skips_beyond_its_backlog()
    {
        var pacer = new RatePacer(1000, hz: 1_000_000, maxBacklog: 100); // one packet per 1000 ticks
        pacer.Start(0);
        Assert.Equal(0, pacer.Take(999, 32));
        Assert.Equal(1, pacer.Take(1000, 32));
        Assert.Equal(32, pacer.Take(50_000, 32)); // 49 due, room for 32
        Assert.Equal(17, pacer.Take(50_000, 32));
        Assert.Equal(100, pacer.Take(1_000_000, 1000)); // 950 due: the backlog caps it
        Assert.Equal(850, pacer.Skipped);
        Assert.Equal(int.MaxValue, new RatePacer(0, 1_000_000, 0).Take(5, int.MaxValue)); // unlimited
    }

    [Fact]
    public void A_stamped_frame_reads_back_its_fields_and_a_flipped_fill_byte_or_wrong_seed_makes_it_bad()
    {
        var templates = Templates(seed: 7);
        foreach (var template in templates.Sequence)
        {
            var frame = (byte[])template.Clone();
            PacketFormat.Stamp(frame, 1030, flow: 6, sequence: 123456, tsc: 0xDEADBEEF);
            Assert.True(PacketFormat.TryRead(frame, templates, out var flow, out var sequence, out var tsc));
            Assert.Equal((6, 123456u, 0xDEADBEEFUL), (flow, sequence, tsc));
            Assert.False(PacketFormat.TryRead(frame, Templates(seed: 8), out _, out _, out _));
            frame[^1] ^= 1;
            Assert.False(PacketFormat.TryRead(frame, templates, out _, out _, out _));
        }
    }

    [Fact]
    public void Reflecting_swaps_mac_ip_and_ports_and_keeps_the_ip_checksum_valid()
    {
        var frame = (byte[])Templates(seed: 1).Sequence[0].Clone();
        PacketFormat.Stamp(frame, 1030, 6, 1, 1);
        var original = (byte[])frame.Clone();
        PacketFormat.Reflect(frame);
        Assert.True(EthernetFrame.TryParse(frame, out var ethernet));
        Assert.Equal((MacAddress.Parse("02:00:00:00:00:01"), MacAddress.Parse("02:00:00:00:00:02")), (ethernet.Destination, ethernet.Source));
        Assert.True(Ipv4Packet.TryParse(ethernet.Payload, verifyChecksum: true, out var ip, out _));
        Assert.Equal((Ipv4Address.Parse("10.0.0.2"), Ipv4Address.Parse("10.0.0.1")), (ip.Source, ip.Destination));
        Assert.True(UdpDatagram.TryParse(ip.Payload, out var udp));
        Assert.Equal((9000, 1030), (udp.SourcePort, udp.DestinationPort));
        // Nothing else moved: the payload is untouched and reflecting again gives the original frame back.
        Assert.Equal(original.AsSpan(PacketFormat.HeadersLength).ToArray(), frame.AsSpan(PacketFormat.HeadersLength).ToArray());
        PacketFormat.Reflect(frame);
        Assert.Equal(original, frame);
    }

    [Theory]
    [InlineData(42, 0x0800, 0x45, 17, true)] // the shortest plain UDP frame
    [InlineData(1514, 0x0800, 0x45, 17, true)]
    [InlineData(41, 0x0800, 0x45, 17, false)] // one byte short of the UDP header
    [InlineData(64, 0x0800, 0x46, 17, false)] // IPv4 options
    [InlineData(64, 0x0800, 0x45, 6, false)] // TCP
    [InlineData(64, 0x0800, 0x65, 17, false)] // IP version 6 under an IPv4 EtherType
    [InlineData(64, 0x8100, 0x45, 17, false)] // VLAN tag
    [InlineData(64, 0x0806, 0x45, 17, false)] // ARP
    [InlineData(13, 0x0800, 0x45, 17, false)]
    public void The_plain_udp_fast_case_reflects_as_the_general_path_does_and_leaves_every_other_frame_to_it(
        int length, int etherType, int versionAndLength, int protocol, bool plain)
    {
        // Every byte distinct (but the fields set below), so a byte moved to the wrong place shows.
        var original = new byte[length];
        for (var i = 0; i < length; i++)
        {
            original[i] = (byte)(i * 7 + 3);
        }

        SetIfInside(original, 12, (byte)(etherType >> 8));
        SetIfInside(original, 13, (byte)etherType);
        SetIfInside(original, 14, (byte)versionAndLength);
        SetIfInside(original, 23, (byte)protocol);

        var general = (byte[])original.Clone();
        PacketFormat.ReflectAny(general);
        var fast = (byte[])original.Clone();
        Assert.Equal(plain, PacketFormat.TryReflectPlainUdp(fast));
        Assert.Equal(plain ? general : original, fast);
        var reflected = (byte[])original.Clone();
        PacketFormat.Reflect(reflected);
        Assert.Equal(general, reflected);
    }

    private static void SetIfInside(byte[] frame, int offset, byte value)
    {
        if (offset < frame.Length)
        {
            frame[offset] = value;
        }
    }

    [Fact]
    public void Imix_and_lists_parse_to_frame_sizes_and_out_of_range_sizes_are_refused()
    {
        Assert.Equal([64, 594, 1518], FrameTemplates.ParseSizes("64, 594,1518"));
        var imix = FrameTemplates.ParseSizes("imix");
        Assert.Equal((7, 4, 1), (imix.Count(s => s == 64), imix.Count(s => s == 594), imix.Count(s => s == 1518)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FrameTemplates([60], default, default, default, default, 1, 1));
    }

    private static FrameTemplates Templates(ulong seed) =>
        new(FrameTemplates.ParseSizes("64,594,1518"), MacAddress.Parse("02:00:00:00:00:01"), MacAddress.Parse("02:00:00:00:00:02"),
            Ipv4Address.Parse("10.0.0.1"), Ipv4Address.Parse("10.0.0.2"), 9000, seed);
}
