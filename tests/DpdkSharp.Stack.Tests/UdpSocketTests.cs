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
