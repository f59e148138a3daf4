using System.Net;
using System.Net.Sockets;

namespace DpdkSharp.Stack.Tests;

/// <summary>
/// <see cref="UdpSocket"/> without DPDK: two reactors on their own threads joined by an
/// <see cref="InMemoryDevice"/> pair from the testing package, the way a user tests code of theirs.
/// </summary>
public sealed class UdpSocketTests : IDisposable
{
    private static readonly IPAddress UsAddress = ReactorPair.UsAddress;
    private static readonly IPAddress PeerAddress = ReactorPair.PeerAddress;
    private readonly ReactorPair _pair = new();
    private readonly Reactor _us, _peer;

    public UdpSocketTests()
    {
        _us = _pair.Us;
        _peer = _pair.Peer;
    }

    public void Dispose() => _pair.Dispose();

    [Fact]
    public void A_datagram_sent_to_a_bound_socket_arrives_with_its_sender()
    {
        using var server = new UdpSocket(_us) { ReceiveTimeout = 5000 };
        server.Bind(new IPEndPoint(IPAddress.Any, 7000));
        using var client = new UdpSocket(_peer);
        Assert.Equal(5, client.SendTo("hello"u8.ToArray(), new IPEndPoint(UsAddress, 7000)));

        var buffer = new byte[64];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        int n = server.ReceiveFrom(buffer, ref from);
        Assert.Equal("hello", System.Text.Encoding.ASCII.GetString(buffer, 0, n));
        var sender = Assert.IsType<IPEndPoint>(from);
        Assert.Equal(PeerAddress, sender.Address);
        Assert.Equal(((IPEndPoint)client.LocalEndPoint!).Port, sender.Port);
    }

    [Fact]
    public void A_socket_that_joined_a_group_receives_what_is_sent_to_it_until_it_drops_the_group()
    {
        using var pair = OneReportPerJoin();
        var group = IPAddress.Parse("239.7.7.7");
        using var server = new UdpSocket(pair.Us) { ReceiveTimeout = 5000 };
        server.Bind(new IPEndPoint(IPAddress.Any, 7010));
        server.JoinMulticastGroup(group);
        using var client = new UdpSocket(pair.Peer);
        client.SendTo("to the group"u8.ToArray(), new IPEndPoint(group, 7010));
        var buffer = new byte[64];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        int n = server.ReceiveFrom(buffer, ref from);
        Assert.Equal("to the group", System.Text.Encoding.ASCII.GetString(buffer, 0, n));
        Assert.True(SpinWait.SpinUntil(() => IgmpSent(pair) == 1, 5000), "no IGMP report sent");

        // Linux's errors for IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP: EADDRINUSE, EINVAL, EADDRNOTAVAIL.
        Assert.Equal(SocketError.AddressAlreadyInUse, Assert.Throws<SocketException>(() => server.JoinMulticastGroup(group)).SocketErrorCode);
        Assert.Equal(SocketError.InvalidArgument, Assert.Throws<SocketException>(() => server.JoinMulticastGroup(PeerAddress)).SocketErrorCode);
        using (var greedy = new UdpSocket(pair.Us))
        {
            for (int i = 0; i < 20; i++)
            {
                greedy.JoinMulticastGroup(IPAddress.Parse($"239.8.0.{i}"));
            }
            Assert.Equal(SocketError.NoBufferSpaceAvailable, Assert.Throws<SocketException>(() => greedy.JoinMulticastGroup(IPAddress.Parse("239.8.0.20"))).SocketErrorCode);
        }
        Assert.True(SpinWait.SpinUntil(() => IgmpSent(pair) == 41, 5000), $"20 reports and 20 leaves expected, {IgmpSent(pair) - 1} sent");
        server.DropMulticastGroup(group);
        Assert.Equal(SocketError.AddressNotAvailable, Assert.Throws<SocketException>(() => server.DropMulticastGroup(group)).SocketErrorCode);
        Assert.True(SpinWait.SpinUntil(() => IgmpSent(pair) == 42, 5000), "no IGMP leave sent");

        server.ReceiveTimeout = 300;
        client.SendTo("nobody listens"u8.ToArray(), new IPEndPoint(group, 7010));
        Assert.Equal(SocketError.TimedOut, Assert.Throws<SocketException>(() => server.ReceiveFrom(buffer, ref from)).SocketErrorCode);
    }

    [Fact]
    public void Closing_a_socket_ends_its_memberships_and_another_sockets_membership_keeps_the_group()
    {
        using var pair = OneReportPerJoin();
        var group = IPAddress.Parse("239.7.7.8");
        using var stays = new UdpSocket(pair.Us) { ReceiveTimeout = 5000 };
        stays.Bind(new IPEndPoint(IPAddress.Any, 7011));
        stays.JoinMulticastGroup(group);
        var closes = new UdpSocket(pair.Us);
        closes.JoinMulticastGroup(group);
        closes.Dispose();

        using var client = new UdpSocket(pair.Peer);
        client.SendTo("still here"u8.ToArray(), new IPEndPoint(group, 7011));
        var buffer = new byte[64];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        Assert.Equal(10, stays.ReceiveFrom(buffer, ref from));
        Assert.Equal(1, IgmpSent(pair)); // one report for both joins, no leave yet

        stays.Dispose();
        Assert.True(SpinWait.SpinUntil(() => IgmpSent(pair) == 2, 5000), "no IGMP leave after the last socket closed");
    }

    // A join sends one report and nothing after it, so the count of IGMP messages sent tells a leave from a repeat.
    private static ReactorPair OneReportPerJoin() => new(change: o => o with { Igmp = o.Igmp with { UnsolicitedReports = 1 } });

    private static long IgmpSent(ReactorPair pair) => pair.Us.Core.Counters.SentPackets(NetLayer.Igmp);

    [Fact]
    public async Task An_async_receive_completes_on_arrival_and_a_cancelled_one_throws()
    {
        using var server = new UdpSocket(_us);
        server.Bind(new IPEndPoint(IPAddress.Any, 7001));
        using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await server.ReceiveAsync(new byte[16], cts.Token));
        }
        var receive = server.ReceiveFromAsync(new byte[16]);
        using var client = new UdpSocket(_peer);
        await client.SendToAsync(new byte[] { 1, 2, 3 }, new IPEndPoint(UsAddress, 7001));
        var result = await receive.AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(3, result.ReceivedBytes);
    }

    [Fact]
    public void A_connected_socket_learns_of_a_closed_port_as_connection_refused()
    {
        using var client = new UdpSocket(_peer) { ReceiveTimeout = 5000 };
        client.Connect(UsAddress, 9); // nobody listens on port 9: the stack answers ICMP port unreachable
        client.Send(new byte[] { 1 });
        var error = Assert.Throws<SocketException>(() => client.Receive(new byte[16]));
        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
    }

    [Fact]
    public async Task A_handler_on_an_unconnected_socket_replies_after_a_port_unreachable_in_the_same_burst()
    {
        // Linux reports ICMP errors only to connected sockets: a port unreachable about an earlier datagram to someone else
        // (or a spoofed one: it may name any remote) must not fail the reply of a handler on an unconnected socket, even
        // when it comes in the same receive burst as the datagram the handler answers.
        using var server = new UdpSocket(_us);
        server.Bind(new IPEndPoint(IPAddress.Any, 7010));
        var replies = new List<SocketError>();
        server.SetHandler(datagram =>
        {
            lock (replies)
            {
                replies.Add(datagram.Reply(datagram.Payload));
            }
        });
        using var client = new UdpSocket(_peer);
        client.Connect(UsAddress, 7010);
        FrozenReactor frozenUs;
        using (new FrozenReactor(_peer))
        {
            await server.SendToAsync(new byte[] { 1 }, new IPEndPoint(PeerAddress, 9)).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            frozenUs = new FrozenReactor(_us);
        }
        using (frozenUs)
        {
            // The peer answers port unreachable (port 9 is closed), then the client's datagram follows: both wait for "us".
            await WaitUntil(() => _peer.InvokeAsync(c => c.Counters.SentPackets(NetLayer.Icmp) == 1));
            await client.SendAsync(new byte[] { 42 });
        }
        var echo = new byte[4];
        Assert.Equal(1, await client.ReceiveAsync(echo).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        lock (replies)
        {
            Assert.Equal([SocketError.Success], replies);
        }
    }

    private static async Task WaitUntil(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(5);
        }
    }

    [Fact]
    public void The_same_port_binds_twice_only_when_both_sockets_reuse_the_address()
    {
        using var first = new UdpSocket(_us);
        first.Bind(new IPEndPoint(IPAddress.Any, 7002));
        using var second = new UdpSocket(_us);
        var error = Assert.Throws<SocketException>(() => second.Bind(new IPEndPoint(IPAddress.Any, 7002)));
        Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketErrorCode);

        using var a = new UdpSocket(_us) { ReuseAddress = true };
        a.Bind(new IPEndPoint(IPAddress.Any, 7003));
        using var b = new UdpSocket(_us) { ReuseAddress = true };
        b.Bind(new IPEndPoint(IPAddress.Any, 7003));
        Assert.Equal(7003, ((IPEndPoint)b.LocalEndPoint!).Port);
    }

    [Fact]
    public void A_blocking_call_inside_a_handler_throws_instead_of_hanging_the_reactor()
    {
        using var server = new UdpSocket(_us);
        server.Bind(new IPEndPoint(IPAddress.Any, 7004));
        Exception? thrown = null;
        using var handled = new ManualResetEventSlim();
        server.SetHandler(datagram =>
        {
            try
            {
                datagram.Socket.SendTo(datagram.Payload, new IPEndPoint(PeerAddress, 7005)); // the blocking overload
            }
            catch (Exception e)
            {
                thrown = e;
            }
            datagram.Reply(datagram.Payload); // the handler's own way still works
            handled.Set();
        });
        using var client = new UdpSocket(_peer) { ReceiveTimeout = 5000 };
        client.Connect(UsAddress, 7004);
        client.Send(new byte[] { 42 });
        Assert.True(handled.Wait(5000));
        Assert.IsType<InvalidOperationException>(thrown);
        var echo = new byte[4];
        Assert.Equal(1, client.Receive(echo));
        Assert.Equal(42, echo[0]);
    }

    [Fact]
    public async Task A_UdpClient_program_ports_by_changing_only_the_construction_line()
    {
        using var server = new ReactorUdpClient(_us, 7100);          // kernel sockets: new UdpClient(7100)
        using var client = new ReactorUdpClient(_peer);               // kernel sockets: new UdpClient()
        client.Connect(UsAddress, 7100);
        await client.SendAsync("hi there"u8.ToArray()).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        UdpReceiveResult received = await server.ReceiveAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("hi there", System.Text.Encoding.ASCII.GetString(received.Buffer));
        Assert.Equal(PeerAddress, received.RemoteEndPoint.Address);
        await server.SendAsync(received.Buffer, received.Buffer.Length, received.RemoteEndPoint).WaitAsync(TimeSpan.FromSeconds(10));
        var back = await client.ReceiveAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(received.Buffer, back.Buffer);
    }
}
