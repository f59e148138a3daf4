using System.Buffers.Binary;

namespace DpdkSharp.Stack.Tests;

/// <summary>
/// Hostile frames at replies built in place: a reply must follow the lengths inside the datagram, never the frame's, and
/// nothing may go back to a source that is no destination.
/// </summary>
public partial class InPlaceReplyTests
{
    [Fact]
    public void A_reply_in_place_follows_the_udp_length_not_the_link_padding_nor_the_ip_payload()
    {
        using var echo = new Echo(buffers: 1);
        // RFC 768: the UDP length (8 + 3) is less than the IP payload (8 + 3 + 5); RFC 791: the total length is less than the
        // frame, whose padding is not zeros. Neither extra may reach the reply or its checksum.
        var udp = Build.Udp(Net.PeerIp, Net.UsIp, 12000, EchoPort, "abc"u8).Concat(new byte[] { 0xEE, 0xEE, 0xEE, 0xEE, 0xEE }).ToArray();
        var frame = Build.FromPeer(17, udp).Concat(Enumerable.Repeat((byte)0xA5, 40)).ToArray();

        Assert.True(echo.Lend(frame));

        var reply = echo.Sink.Single();
        AssertEcho(reply, 12000, "abc"u8);
        Assert.Equal(60, reply.Length); // 14 + 20 + 11, padded to the minimum
    }

    [Fact]
    public void An_echo_request_in_place_follows_the_total_length_not_the_link_padding()
    {
        using var echo = new Echo(buffers: 1);
        var request = Build.Icmp(8, 0, 0x4242, 1, "odd"u8);
        var frame = Build.FromPeer(1, request).Concat(Enumerable.Repeat((byte)0xA5, 33)).ToArray();
        frame.AsSpan(14 + 20 + request.Length).Fill(0x5A);

        Assert.True(echo.Lend(frame));

        var reply = echo.Sink.Single();
        Assert.Equal(20 + request.Length, BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(16)));
        Assert.Equal(0, Build.RefChecksum(reply.AsSpan(14, 20)));
        var icmp = reply.AsSpan(34, request.Length);
        Assert.Equal(0, icmp[0]);
        Assert.Equal(0, Build.RefChecksum(icmp));
        Assert.True(icmp[4..].SequenceEqual(request.AsSpan(4)));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.0.9")]
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    public void Nothing_goes_back_to_a_loopback_or_this_network_source_even_with_a_gateway(string source)
    {
        // With a default route, an answer to these would leave the host through the gateway (RFC 1122 §3.2.1.3 (a), (b), (g)).
        using var echo = new Echo(buffers: 4, o => o with { Gateway = Net.GatewayIp, StaticNeighbors = [new(Net.GatewayIp, Net.OtherMac)] });
        var from = Ipv4Address.Parse(source);
        byte[] Frame(byte protocol, byte[] l4) => Build.Ethernet(Net.UsMac, Net.PeerMac, 0x0800, Build.Ipv4(from, Net.UsIp, protocol, l4));

        Assert.False(echo.Lend(Frame(17, Build.Udp(from, Net.UsIp, 5000, EchoPort, [1, 2, 3]))));      // the echo port
        Assert.False(echo.Lend(Frame(17, Build.Udp(from, Net.UsIp, 5000, EchoPort + 1, [1, 2, 3])))); // a closed port
        Assert.False(echo.Lend(Frame(1, Build.Icmp(8, 0, 1, 1, [1]))));                               // ping
        Assert.False(echo.Lend(Frame(47, new byte[8])));                                              // an unknown protocol

        Assert.Empty(echo.Sink.Frames);
        Assert.Equal(4, echo.Core.Counters.DropCount(DropReason.InvalidAddress));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("0.1.2.3")]
    [InlineData("0.0.0.0")]
    public void Nothing_is_sent_to_a_loopback_or_this_network_destination_even_with_a_gateway(string destination)
    {
        // What a broadcast from such a source could still make an application answer (RFC 1122 §3.2.1.3 (a), (b), (g)).
        using var echo = new Echo(buffers: 4, o => o with { Gateway = Net.GatewayIp, StaticNeighbors = [new(Net.GatewayIp, Net.OtherMac)] });
        var to = new Ipv4Endpoint(Ipv4Address.Parse(destination), 53);
        var error = echo.Core.SendUdp(echo.Handle, to, [1, 2, 3], At(0));

        Assert.Equal(to.Address.IsAny ? NetError.InvalidArgument : NetError.NoRoute, error);
        Assert.Empty(echo.Sink.Frames);
        Assert.Equal(NetError.None, echo.Core.SendUdp(echo.Handle, new Ipv4Endpoint(Ipv4Address.Parse("192.0.2.1"), 53), [1], At(0))); // off-link still goes
        Assert.Single(echo.Sink.Frames);
    }
}
