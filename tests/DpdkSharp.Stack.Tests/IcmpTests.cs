using System.Buffers.Binary;

namespace DpdkSharp.Stack.Tests;

public class IcmpTests
{
    // A ping as Linux iputils sends it: DF set, id 0x1c2b, seq 1, 56 data bytes (timestamp then 0x10..0x37).
    private const string LinuxPing =
        "0200000000015254001234560800450000544c5d40004001da490a0000020a0000010800ca821c2b0001a1b2c3d400000000e5f6070000000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";
    private const string ExpectedReply =
        "52540012345602000000000108004500005400000000400166a70a0000010a0000020000d2821c2b0001a1b2c3d400000000e5f6070000000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";
    // UDP "hello" from 10.0.0.2:40000 to port 9999 (closed), and the port unreachable we must send.
    private const string UdpToClosedPort =
        "02000000000152540012345608004500002112344000401114960a0000020a0000019c40270f000de4af68656c6c6f00000000000000000000000000";
    private const string ExpectedPortUnreachable =
        "52540012345602000000000108004500003d00000000400166be0a0000010a0000020303111e000000004500002112344000401114960a0000020a0000019c40270f000de4af68656c6c6f";

    private static (NetworkInterfaceCore, CaptureSink, ArrayPacketBufferPool) Core(Func<InterfaceOptions, InterfaceOptions>? change = null) =>
        Net.Core(o => (change ?? (x => x))(o with { StaticNeighbors = [new(Net.PeerIp, Net.PeerMac)] }));

    [Fact]
    public void Echo_reply_to_a_linux_ping_is_byte_exact()
    {
        var (core, sink, pool) = Core();
        Assert.Equal(RxDisposition.Consumed, core.Receive(Net.Hex(LinuxPing), At(0)));
        Assert.Equal(ExpectedReply, Convert.ToHexStringLower(sink.Single()));
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public void Port_unreachable_for_a_closed_port_is_byte_exact()
    {
        var (core, sink, _) = Core();
        Assert.Equal(RxDisposition.Dropped, core.Receive(Net.Hex(UdpToClosedPort), At(0)));
        Assert.Equal(1, core.Counters.DropCount(DropReason.NoSocket));
        Assert.Equal(ExpectedPortUnreachable, Convert.ToHexStringLower(sink.Single()));
    }

    [Fact]
    public void Echo_with_bad_checksum_or_to_broadcast_gets_no_reply()
    {
        var (core, sink, _) = Core();
        var bad = Net.Hex(LinuxPing);
        bad[^1] ^= 1;
        Assert.Equal(RxDisposition.Dropped, core.Receive(bad, At(0)));
        Assert.Equal(1, core.Counters.DropCount(DropReason.BadChecksum));
        var bcast = Build.Ethernet(MacAddress.Broadcast, Net.PeerMac, 0x0800,
            Build.Ipv4(Net.PeerIp, Ipv4Address.Broadcast, 1, Build.Icmp(8, 0, 1, 1, [1, 2, 3])));
        Assert.Equal(RxDisposition.Dropped, core.Receive(bcast, At(0)));
        Assert.Empty(sink.Frames);
    }

    [Fact]
    public void No_port_unreachable_for_broadcast_datagrams()
    {
        var (core, sink, _) = Core();
        var bcast = Build.Ethernet(MacAddress.Broadcast, Net.PeerMac, 0x0800,
            Build.Ipv4(Net.PeerIp, Ipv4Address.Broadcast, 17, Build.Udp(Net.PeerIp, Ipv4Address.Broadcast, 68, 67, [1])));
        Assert.Equal(RxDisposition.Dropped, core.Receive(bcast, At(0)));
        Assert.Empty(sink.Frames);
    }

    [Fact]
    public void Port_unreachable_is_rate_limited()
    {
        var (core, sink, _) = Core(o => o with { Icmp = new IcmpOptions { ErrorBurst = 5, ErrorsPerSecond = 10 } });
        var frame = Net.Hex(UdpToClosedPort);
        for (int i = 0; i < 50; i++)
        {
            core.Receive(frame, At(i * T.Ms)); // 50 in 50 ms: burst of 5 + none earned yet
        }
        Assert.Equal(5, sink.Frames.Count);
        Assert.Equal(45, core.Counters.DropCount(DropReason.IcmpRateLimited, DropStage.Transmit));
        Assert.Equal(50, core.Counters.DropCount(DropReason.NoSocket));
        // 100 ms later: one more token.
        core.Receive(frame, At(150 * T.Ms));
        Assert.Equal(6, sink.Frames.Count);
        // After a long pause the burst is back, not more.
        for (int i = 0; i < 20; i++)
        {
            core.Receive(frame, At(100 * T.Sec));
        }
        Assert.Equal(11, sink.Frames.Count);
    }

    [Fact]
    public void Icmp_error_reaches_the_endpoint_that_caused_it_and_surfaces_once()
    {
        var (core, sink, _) = Core();
        core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 0), out var h);
        core.Udp.Connect(h, new Ipv4Endpoint(Net.PeerIp, 9999));
        core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 0), out var bystander);
        Assert.Equal(NetError.None, core.SendUdp(h, null, "hello"u8, At(0)));
        var sent = sink.Take().Single();
        // The peer answers with port unreachable quoting our datagram.
        var quote = sent.AsSpan(14, Math.Min(sent.Length - 14, 20 + 8 + 5)).ToArray();
        var error = Build.Ethernet(Net.UsMac, Net.PeerMac, 0x0800, Build.Ipv4(Net.PeerIp, Net.UsIp, 1, Build.Icmp(3, 3, 0, 0, quote)));
        Assert.Equal(RxDisposition.Consumed, core.Receive(error, At(1 * T.Ms)));

        Assert.True(core.Udp.TryDequeueReady(out var ready));
        Assert.Equal(h, ready);
        Assert.Equal(NetError.ConnectionRefused, core.Udp.PeekError(h, out var from));
        Assert.Equal(new Ipv4Endpoint(Net.PeerIp, 9999), from);
        Assert.Equal(NetError.ConnectionRefused, core.SendUdp(h, null, "again"u8, At(2 * T.Ms)));
        Assert.Empty(sink.Frames);
        Assert.Equal(NetError.None, core.SendUdp(h, null, "again"u8, At(3 * T.Ms)));
        Assert.Equal(NetError.WouldBlock, core.Udp.TryReceive(bystander, new byte[10], out _));

        // An error for a datagram nobody sent is dropped and counted.
        BinaryPrimitives.WriteUInt16BigEndian(quote.AsSpan(20), 1);
        var stray = Build.Ethernet(Net.UsMac, Net.PeerMac, 0x0800, Build.Ipv4(Net.PeerIp, Net.UsIp, 1, Build.Icmp(3, 3, 0, 0, quote)));
        Assert.Equal(RxDisposition.Dropped, core.Receive(stray, At(4 * T.Ms)));
        Assert.Equal(1, core.Counters.DropCount(DropReason.NoSocket));
    }

    [Fact]
    public void Time_exceeded_maps_to_its_error_and_is_reported_by_receive()
    {
        var (core, sink, _) = Core();
        core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 4444), out var h);
        core.SendUdp(h, new Ipv4Endpoint(Net.PeerIp, 53), [1, 2, 3, 4], At(0));
        var sent = sink.Take().Single();
        var quote = sent.AsSpan(14, 28).ToArray();
        core.Receive(Build.Ethernet(Net.UsMac, Net.PeerMac, 0x0800, Build.Ipv4(Net.PeerIp, Net.UsIp, 1, Build.Icmp(11, 0, 0, 0, quote))), At(0));
        Assert.Equal(NetError.TimeExceeded, core.Udp.TryReceive(h, new byte[10], out _));
        Assert.Equal(NetError.WouldBlock, core.Udp.TryReceive(h, new byte[10], out _));
    }

    [Fact]
    public void Echo_replies_reflect_record_route_and_timestamp_options_updated_with_our_address()
    {
        var (core, sink, pool) = Core();
        byte[] options =
        [
            7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0,          // record route: room for two addresses, pointer at the first
            68, 12, 5, 0x01, 0, 0, 0, 0, 0, 0, 0, 0,    // timestamp, flag 1 (address and time): room for one entry
            130, 3, 0,                                  // an option to leave out (security, RFC 1108 style)
            0, 0,                                       // end of list, padding: 28 bytes
        ];
        var request = Build.Ethernet(Net.UsMac, Net.PeerMac, 0x0800,
            Build.Ipv4(Net.PeerIp, Net.UsIp, 1, Build.Icmp(8, 0, 0x1234, 7, "ping"u8), options: options));
        Assert.Equal(RxDisposition.Consumed, core.Receive(request, At(5 * T.Sec)));
        var reply = sink.Single();
        Assert.True(EthernetFrame.TryParse(reply, out var eth));
        Assert.True(Ipv4Packet.TryParse(eth.Payload, verifyChecksum: true, out var ip, out _));
        var reflected = ip.Header[Ipv4Packet.MinHeaderLength..];
        Assert.Equal(24, reflected.Length); // 11 + 12 bytes of options, padded
        Assert.Equal(new byte[] { 7, 11, 8 }, reflected[..3].ToArray());
        Assert.Equal(Net.UsIp, Ipv4Address.Read(reflected[3..]));       // recorded by us
        Assert.Equal(new byte[] { 68, 12, 13, 0x01 }, reflected[11..15].ToArray());
        Assert.Equal(Net.UsIp, Ipv4Address.Read(reflected[15..]));
        Assert.Equal(0x8000_0000u | 5000, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(reflected[19..])); // non-standard time: ms, high bit
        Assert.Equal(0, reflected[23]);
        Assert.True(IcmpMessage.TryParse(ip.Payload, verifyChecksum: true, out var icmp, out _));
        Assert.Equal((IcmpType.EchoReply, (ushort)0x1234, (ushort)7), (icmp.Type, icmp.Identifier, icmp.SequenceNumber));
        Assert.Equal("ping"u8.ToArray(), icmp.Body.ToArray());
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public void A_full_record_route_is_reflected_unchanged_and_a_full_timestamp_counts_an_overflow()
    {
        Span<byte> output = stackalloc byte[Ipv4Options.MaxLength];
        byte[] full = [7, 7, 8, 10, 0, 0, 9, 68, 8, 9, 0x30, 1, 2, 3, 4];
        int n = Ipv4Options.ReflectForEchoReply(full, Net.UsIp, 42, output);
        Assert.Equal(16, n);
        Assert.Equal(full[..7], output[..7].ToArray());
        Assert.Equal(0x40, output[10]); // overflow 3 -> 4, flag 0 kept
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, output[11..15].ToArray());
        // Malformed tails are left out, never read past.
        Assert.Equal(0, Ipv4Options.ReflectForEchoReply([7], Net.UsIp, 42, output));
        Assert.Equal(0, Ipv4Options.ReflectForEchoReply([7, 40, 4], Net.UsIp, 42, output));
    }
}
