using System.Buffers.Binary;

namespace DpdkSharp.Stack.Tests;

/// <summary>
/// Replies built in the lent receive buffer: a zero-copy handler that sends the received payload
/// back gets a correct frame without a buffer rented or a byte copied, and every other case still
/// takes the copying path with the same result.
/// </summary>
public partial class InPlaceReplyTests
{
    private const ushort EchoPort = 7;

    /// <summary>A core whose pool may hold only the lent buffer, and a handler that replies with a chosen prefix of the payload.</summary>
    private sealed class Echo : IUdpDatagramHandler, IDisposable
    {
        public readonly ArrayPacketBufferPool Pool;
        public readonly CaptureSink Sink;
        public readonly NetworkInterfaceCore Core;
        public readonly UdpHandle Handle;
        public Func<int, int> ReplyLength = n => n;
        public Ipv4Endpoint? ReplyTo;
        public byte[]? ThenSend;
        public bool ThenThrow;
        public NetError LastError;

        public Echo(int buffers, Func<InterfaceOptions, InterfaceOptions>? change = null)
        {
            Pool = new ArrayPacketBufferPool(buffers, 2048);
            Sink = new CaptureSink(Pool);
            var options = Net.Options(o => o with { StaticNeighbors = [new(Net.PeerIp, Net.PeerMac)] });
            Core = new NetworkInterfaceCore(change is null ? options : change(options), Pool, Sink);
            Assert.Equal(NetError.None, Core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, EchoPort), out Handle));
            Assert.Equal(NetError.None, Core.Udp.SetHandler(Handle, this));
        }

        public void OnDatagram(UdpHandle endpoint, ReadOnlySpan<byte> payload, Ipv4Endpoint remote)
        {
            LastError = Core.SendUdp(endpoint, ReplyTo ?? remote, payload[..ReplyLength(payload.Length)], At(0));
            if (ThenSend is not null)
            {
                Core.SendUdp(endpoint, remote, ThenSend, At(0));
            }

            if (ThenThrow)
            {
                throw new InvalidOperationException("handler failed after replying");
            }
        }

        /// <summary>Lends a buffer holding <paramref name="frame"/>, as a device does; frees it unless the core kept it.</summary>
        public bool Lend(byte[] frame)
        {
            Assert.True(Pool.TryRent(out var buffer));
            frame.CopyTo(Pool.GetSpan(buffer));
            Core.Receive(buffer, frame.Length, At(0), RxChecksumStatus.Unknown, out bool kept);
            if (!kept)
            {
                Pool.Return(buffer);
            }

            return kept;
        }

        public void Dispose()
        {
            Core.Dispose();
            Assert.Equal(0, Pool.Outstanding);
        }
    }

    [Fact]
    public void Echo_is_built_in_the_lent_buffer_without_renting()
    {
        using var echo = new Echo(buffers: 1); // the lent buffer is the only one: renting would fail
        var payload = "in place, please"u8.ToArray();

        Assert.True(echo.Lend(Build.UdpFromPeer(40000, EchoPort, payload)));

        Assert.Equal(NetError.None, echo.LastError);
        AssertEcho(echo.Sink.Single(), 40000, payload);
        Assert.Equal(0, echo.Core.Counters.FramesDropped);
    }

    [Fact]
    public void Reply_checksums_match_a_full_computation_for_any_length_port_and_checksum()
    {
        // The in-place path reads the payload's sum off the received checksum (RFC 1624); a
        // zero (absent) checksum or a shorter reply sums instead. Both must give what the
        // reference computes from scratch.
        var random = new Random(1624);
        using var echo = new Echo(buffers: 1);
        for (int i = 0; i < 2000; i++)
        {
            var payload = new byte[random.Next(1, 1400)];
            random.NextBytes(payload);
            var port = (ushort)random.Next(1, 65536);
            bool checksum = random.Next(4) != 0;
            int replyLength = random.Next(2) == 0 ? payload.Length : random.Next(1, payload.Length + 1);
            echo.ReplyLength = _ => replyLength;
            var frame = Build.FromPeer(17, Build.Udp(Net.PeerIp, Net.UsIp, port, EchoPort, payload, checksum), id: (ushort)i);

            Assert.True(echo.Lend(frame));

            AssertEcho(echo.Sink.Take().Single(), port, payload.AsSpan(0, replyLength));
        }
    }

    [Fact]
    public void Replies_in_place_to_another_endpoint_or_after_a_broadcast_get_the_checksum_of_their_own_header()
    {
        // Not the echo to the sender (whose pseudo-header and header words are the received ones swapped, so the
        // checksum stays): the update takes the received words out and the reply's in (RFC 1624 eqn. 3).
        var other = Ipv4Address.Parse("10.0.0.3");
        var otherMac = MacAddress.Parse("52:54:00:12:34:57");
        var random = new Random(3);
        using var echo = new Echo(buffers: 1, o => o with { StaticNeighbors = [new(Net.PeerIp, Net.PeerMac), new(other, otherMac)] });
        for (int i = 0; i < 500; i++)
        {
            var payload = new byte[random.Next(1, 1400)];
            random.NextBytes(payload);
            var port = (ushort)random.Next(1, 65536);
            bool toOther = i % 2 == 0;
            echo.ReplyTo = toOther ? new Ipv4Endpoint(other, (ushort)random.Next(1, 65536)) : null;
            // Odd rounds: a datagram to the subnet broadcast, answered from our own address.
            var frame = toOther
                ? Build.FromPeer(17, Build.Udp(Net.PeerIp, Net.UsIp, port, EchoPort, payload), id: (ushort)i)
                : Build.Ethernet(MacAddress.Broadcast, Net.PeerMac, 0x0800,
                    Build.Ipv4(Net.PeerIp, Ipv4Address.Parse("10.0.0.255"), 17, Build.Udp(Net.PeerIp, Ipv4Address.Parse("10.0.0.255"), port, EchoPort, payload), (ushort)i, 64, false, false, 0));

            Assert.True(echo.Lend(frame));

            var sent = echo.Sink.Take().Single();
            if (echo.ReplyTo is Ipv4Endpoint to)
            {
                AssertEcho(sent, to.Port, payload, peer: to.Address, peerMac: otherMac);
            }
            else
            {
                AssertEcho(sent, port, payload);
            }
        }
        Assert.Equal(0, echo.Core.Counters.FramesDropped);
    }

    [Fact]
    public void Datagrams_whose_payload_is_elsewhere_are_replied_by_copy()
    {
        // IP options shift the payload; a VLAN priority tag lengthens the Ethernet header; a
        // reassembled datagram lives in the reassembly buffer. The core keeps none of these buffers.
        using var echo = new Echo(buffers: 4);
        var payload = "not where our frames put it"u8.ToArray();
        var udp = Build.Udp(Net.PeerIp, Net.UsIp, 6000, EchoPort, payload);
        var withOptions = Build.Ethernet(Net.UsMac, Net.PeerMac, 0x0800,
            Build.Ipv4(Net.PeerIp, Net.UsIp, 17, udp, options: [1, 1, 1, 0])); // NOP, NOP, NOP, end of list
        var priorityTagged = Build.Ethernet(Net.UsMac, Net.PeerMac, 0x0800, Build.Ipv4(Net.PeerIp, Net.UsIp, 17, udp), vlan: 0);

        Assert.False(echo.Lend(withOptions));
        Assert.False(echo.Lend(priorityTagged));
        Assert.False(echo.Lend(Build.FromPeer(17, udp.AsSpan(0, 16), id: 9, mf: true)));
        Assert.False(echo.Lend(Build.FromPeer(17, udp.AsSpan(16), id: 9, offset: 16)));

        var frames = echo.Sink.Take();
        Assert.Equal(3, frames.Count);
        foreach (var frame in frames)
        {
            AssertEcho(frame, 6000, payload);
        }
    }

    [Fact]
    public void Replies_to_frames_the_caller_keeps_are_copied()
    {
        using var echo = new Echo(buffers: 1);
        var payload = "caller's memory"u8.ToArray();

        echo.Core.Receive(Build.UdpFromPeer(7000, EchoPort, payload), At(0));

        AssertEcho(echo.Sink.Single(), 7000, payload);
    }

    [Fact]
    public void Two_cores_sharing_a_pool_echo_over_the_link_in_place()
    {
        var pool = new ArrayPacketBufferPool(8, 2048);
        var link = new InMemoryLink(pool, pool);
        using var client = new NetworkInterfaceCore(Net.Options(o => o with { Name = "client" }), pool, link.SinkA);
        var server = new NetworkInterfaceCore(Net.Options(o => o with { Name = "server", Mac = Net.PeerMac, Address = Net.PeerIp }), pool, link.SinkB);
        var handler = new ServerEcho(server, pool);
        Assert.Equal(NetError.None, server.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, EchoPort), out var serverHandle));
        server.Udp.SetHandler(serverHandle, handler);
        Assert.Equal(NetError.None, client.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 0), out var clientHandle));
        link.Attach(client, server);
        var received = new byte[64];
        for (int i = 0; i < 100; i++)
        {
            var payload = BitConverter.GetBytes(i * 7919);
            Assert.Equal(NetError.None, client.SendUdp(clientHandle, new Ipv4Endpoint(Net.PeerIp, EchoPort), payload, At(i)));
            link.Pump(At(i));
            Assert.Equal(NetError.None, client.Udp.TryReceive(clientHandle, received, out var info));
            Assert.Equal(payload, received.AsSpan(0, info.BytesCopied).ToArray());
        }
        Assert.Equal(100, handler.InPlace);
        server.Dispose();
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public void On_a_VLAN_interface_the_reply_keeps_the_tag_and_is_built_in_place()
    {
        using var echo = new Echo(buffers: 1, o => o with { VlanId = 5 });
        var payload = "tagged"u8.ToArray();
        var frame = Build.Ethernet(Net.UsMac, Net.PeerMac, 0x0800,
            Build.Ipv4(Net.PeerIp, Net.UsIp, 17, Build.Udp(Net.PeerIp, Net.UsIp, 8000, EchoPort, payload)), vlan: 5);

        Assert.True(echo.Lend(frame));

        var reply = echo.Sink.Single();
        Assert.Equal(0x8100, BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(12)));
        Assert.Equal(5, BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(14)) & 0x0FFF);
        AssertEcho(reply, 8000, payload, l2: 18);
    }

    [Fact]
    public void With_transmit_offloads_the_reply_leaves_the_checksums_to_the_device()
    {
        using var echo = new Echo(buffers: 1, o => o with { Offloads = ChecksumOffloads.Ipv4Tx | ChecksumOffloads.UdpTx });
        var payload = "offloaded"u8.ToArray();

        Assert.True(echo.Lend(Build.UdpFromPeer(9000, EchoPort, payload)));

        var reply = echo.Sink.Single();
        Assert.Equal(TxOffloadRequest.Ipv4Checksum | TxOffloadRequest.UdpChecksum, echo.Sink.Infos.Single().Offloads);
        Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(24))); // IPv4 checksum: the device's
        // UDP checksum field: the pseudo-header sum, not complemented (DPDK's convention for the device to finish).
        int udpLength = 8 + payload.Length;
        uint pseudo = (Net.UsIp.Value >> 16) + (Net.UsIp.Value & 0xFFFF) + (Net.PeerIp.Value >> 16) + (Net.PeerIp.Value & 0xFFFF) + 17 + (uint)udpLength;
        while (pseudo > 0xFFFF)
        {
            pseudo = (pseudo & 0xFFFF) + (pseudo >> 16);
        }

        Assert.Equal(pseudo, BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(40)));
        Assert.True(reply.AsSpan(42, payload.Length).SequenceEqual(payload));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void A_reply_built_in_place_is_byte_for_byte_the_reply_the_copying_path_builds(bool offLink, bool offload)
    {
        // Two cores alike (same first IPv4 identification): one is lent the frame and replies in place, the other gets the
        // caller's copy and replies by copy. Off the link the sender is reached through the gateway, whose MAC is not the
        // frame's source: the reply goes where the route says, not back to the last hop the frame came from.
        var sender = offLink ? Ipv4Address.Parse("198.51.100.7") : Net.PeerIp;
        Func<InterfaceOptions, InterfaceOptions> change = o => o with
        {
            Gateway = Net.GatewayIp,
            StaticNeighbors = [new(Net.PeerIp, Net.PeerMac), new(Net.GatewayIp, Net.OtherMac)],
            Offloads = offload ? ChecksumOffloads.Ipv4Tx | ChecksumOffloads.UdpTx : ChecksumOffloads.None,
        };
        using var inPlace = new Echo(buffers: 1, change);
        using var copied = new Echo(buffers: 1, change);
        var payload = "the same bytes either way"u8.ToArray();
        var frame = Build.Ethernet(Net.UsMac, Net.PeerMac, 0x0800,
            Build.Ipv4(sender, Net.UsIp, 17, Build.Udp(sender, Net.UsIp, 13000, EchoPort, payload), ttl: 9));

        Assert.True(inPlace.Lend(frame));
        copied.Core.Receive(frame, At(0));

        var reply = inPlace.Sink.Single();
        Assert.Equal(copied.Sink.Single(), reply);
        Assert.Equal(copied.Sink.Infos.Single(), inPlace.Sink.Infos.Single());
        var nextHopMac = offLink ? Net.OtherMac : Net.PeerMac;
        Assert.Equal(nextHopMac, MacAddress.Read(reply));
        Assert.Equal(64, reply[22]); // our TTL, not the datagram's
        if (!offload)
        {
            AssertEcho(reply, 13000, payload, peer: sender, peerMac: nextHopMac);
        }
    }

    [Fact]
    public void A_reply_to_an_unresolved_peer_is_copied_so_the_receive_buffer_never_waits_for_ARP()
    {
        // Receive buffers waiting in the ARP queue would let a flood from unresolved (or spoofed)
        // sources drain the receive pool: the reply waits as a copy in a transmit buffer instead.
        using var echo = new Echo(buffers: 3, o => o with { StaticNeighbors = [] });
        var payload = "wait for arp"u8.ToArray();

        Assert.False(echo.Lend(Build.UdpFromPeer(10000, EchoPort, payload)));
        Assert.False(echo.Lend(Build.FromPeer(1, Build.Icmp(8, 0, 1, 1, payload))));

        var request = echo.Sink.Take().Single(); // the ARP request; both replies wait, copied
        Assert.Equal(0x0806, BinaryPrimitives.ReadUInt16BigEndian(request.AsSpan(12)));
        Assert.Equal(2, echo.Pool.Outstanding);
        echo.Core.Receive(Build.ArpReplyFromPeer(), At(0));
        var replies = echo.Sink.Take();
        Assert.Equal(2, replies.Count);
        AssertEcho(replies[0], 10000, payload);
        Assert.Equal(0, replies[1][34]); // the echo reply
        Assert.Equal(0, echo.Pool.Outstanding);
    }

    [Fact]
    public void A_send_after_the_reply_keeps_the_order_the_handler_sent_them_in()
    {
        // Both go by copy: the lent buffer must stay readable by the handler until it returns.
        using var echo = new Echo(buffers: 3) { ThenSend = "second"u8.ToArray() };
        var payload = "first"u8.ToArray();

        Assert.False(echo.Lend(Build.UdpFromPeer(11000, EchoPort, payload))); // the pending reply went by copy

        var frames = echo.Sink.Take();
        Assert.Equal(2, frames.Count);
        AssertEcho(frames[0], 11000, payload);
        AssertEcho(frames[1], 11000, "second"u8);
    }

    [Fact]
    public void A_handler_that_throws_after_replying_leaves_the_buffer_to_the_device()
    {
        using var echo = new Echo(buffers: 1) { ThenThrow = true };
        Assert.True(echo.Pool.TryRent(out var buffer));
        var frame = Build.UdpFromPeer(12000, EchoPort, "boom"u8);
        frame.CopyTo(echo.Pool.GetSpan(buffer));

        Assert.Throws<InvalidOperationException>(() => echo.Core.Receive(buffer, frame.Length, At(0), RxChecksumStatus.Unknown, out _));

        Assert.Empty(echo.Sink.Frames); // the reply was never built: the buffer is still the caller's
        echo.Pool.Return(buffer);
        echo.ThenThrow = false;
        Assert.True(echo.Lend(Build.UdpFromPeer(12000, EchoPort, "fine"u8.ToArray())));
        AssertEcho(echo.Sink.Single(), 12000, "fine"u8);
    }

    [Fact]
    public void Echo_requests_are_answered_in_their_own_buffer_with_a_valid_checksum()
    {
        var random = new Random(792);
        using var echo = new Echo(buffers: 1); // nothing to rent: only the lent buffer can carry the reply
        for (int i = 0; i < 500; i++)
        {
            var body = new byte[random.Next(0, 1400)];
            random.NextBytes(body);
            byte code = (byte)(i % 7 == 0 ? random.Next(1, 256) : 0); // a non-zero code is answered with 0 (RFC 792)
            // The first is all zeros after the type (id 0, sequence 0, no data): the reply's words
            // sum to +0, where an incremental update lands on the one checksum value that is wrong.
            var request = i == 0 ? Build.Icmp(8, 0, 0, 0, []) : Build.Icmp(8, code, (ushort)random.Next(65536), (ushort)i, body);

            Assert.True(echo.Lend(Build.FromPeer(1, request, id: (ushort)i)));

            var reply = echo.Sink.Take().Single();
            var ip = reply.AsSpan(14, 20);
            Assert.Equal(0, Build.RefChecksum(ip));
            Assert.Equal(Net.UsIp, Ipv4Address.Read(ip[12..]));
            Assert.Equal(Net.PeerIp, Ipv4Address.Read(ip[16..]));
            Assert.Equal(Net.PeerMac, MacAddress.Read(reply));
            var icmp = reply.AsSpan(34, request.Length);
            Assert.Equal(0, icmp[0]);
            Assert.Equal(0, icmp[1]);
            Assert.Equal(0, Build.RefChecksum(icmp));
            Assert.True(icmp[4..].SequenceEqual(request.AsSpan(4)), "identifier, sequence and data come back unchanged");
        }
    }

    private sealed class ServerEcho(NetworkInterfaceCore core, ArrayPacketBufferPool pool) : IUdpDatagramHandler
    {
        public int InPlace;

        public void OnDatagram(UdpHandle endpoint, ReadOnlySpan<byte> payload, Ipv4Endpoint remote)
        {
            // A copied reply rents a buffer at once; one built in place rents nothing.
            int outstanding = pool.Outstanding;
            Assert.Equal(NetError.None, core.SendUdp(endpoint, remote, payload, At(0)));
            if (pool.Outstanding == outstanding)
            {
                InPlace++;
            }
        }
    }

    /// <summary>The reply, checked with the test's own reference checksum: addresses and ports swapped, payload as expected.</summary>
    private static void AssertEcho(byte[] frame, ushort peerPort, ReadOnlySpan<byte> payload, int l2 = 14, Ipv4Address? peer = null, MacAddress? peerMac = null)
    {
        var peerIp = peer ?? Net.PeerIp;
        Assert.Equal(peerMac ?? Net.PeerMac, MacAddress.Read(frame));
        Assert.Equal(Net.UsMac, MacAddress.Read(frame.AsSpan(6)));
        var ip = frame.AsSpan(l2, 20);
        Assert.Equal(0x45, ip[0]);
        Assert.Equal(17, ip[9]);
        Assert.Equal(Net.UsIp, Ipv4Address.Read(ip[12..]));
        Assert.Equal(peerIp, Ipv4Address.Read(ip[16..]));
        Assert.Equal(0, Build.RefChecksum(ip));
        int udpLength = 8 + payload.Length;
        Assert.Equal(20 + udpLength, BinaryPrimitives.ReadUInt16BigEndian(ip[2..]));
        var udp = frame.AsSpan(l2 + 20, udpLength);
        Assert.Equal(EchoPort, BinaryPrimitives.ReadUInt16BigEndian(udp));
        Assert.Equal(peerPort, BinaryPrimitives.ReadUInt16BigEndian(udp[2..]));
        Assert.Equal(udpLength, BinaryPrimitives.ReadUInt16BigEndian(udp[4..]));
        Assert.NotEqual(0, BinaryPrimitives.ReadUInt16BigEndian(udp[6..])); // we always send a checksum
        var pseudo = new byte[12 + udpLength];
        Net.UsIp.Write(pseudo);
        peerIp.Write(pseudo.AsSpan(4));
        pseudo[9] = 17;
        BinaryPrimitives.WriteUInt16BigEndian(pseudo.AsSpan(10), (ushort)udpLength);
        udp.CopyTo(pseudo.AsSpan(12));
        Assert.Equal(0, Build.RefChecksum(pseudo));
        Assert.True(udp[8..].SequenceEqual(payload));
    }
}
