using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DpdkSharp.Stack.Tests.Tcp;

/// <summary>
/// Errors and time limits at the API, as System.Net.Sockets reports them: connect and read timeouts, and the
/// reactor's bounded graceful shutdown when a peer never acknowledges our FIN.
/// </summary>
public sealed class TcpConnectionErrorTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static IPEndPoint Server(int port) => new(ReactorPair.UsAddress, port);

    private static async Task<(TcpConnection Client, TcpConnection Server)> ConnectAsync(ReactorPair pair, int port)
    {
        using var listener = new TcpSocketListener(pair.Us, port);
        listener.Start();
        var accepting = listener.AcceptTcpClientAsync().AsTask();
        var client = new TcpConnection(pair.Peer);
        await client.ConnectAsync(Server(port)).AsTask().WaitAsync(Timeout);
        return (client, await accepting.WaitAsync(Timeout));
    }

    [Fact]
    public async Task Connecting_with_a_timeout_to_a_peer_that_never_answers_fails_with_timed_out()
    {
        using var pair = new ReactorPair();
        pair.Us.Dispose(); // nobody reads the SYNs
        using var client = new TcpConnection(pair.Peer);
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(Server(7200), TimeSpan.FromMilliseconds(300)).AsTask().WaitAsync(Timeout));

        Assert.Equal(SocketError.TimedOut, error.SocketErrorCode);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_blocking_read_with_a_read_timeout_fails_with_an_IOException_wrapping_timed_out()
    {
        using var pair = new ReactorPair();
        var (client, server) = await ConnectAsync(pair, 7201);
        using var _ = client;
        using var __ = server;
        var stream = client.GetStream();
        stream.ReadTimeout = 200;
        var watch = Stopwatch.StartNew();

        var error = await Task.Run(() => Assert.Throws<IOException>(() => stream.Read(new byte[16], 0, 16))).WaitAsync(Timeout);

        Assert.Equal(SocketError.TimedOut, Assert.IsType<SocketException>(error.InnerException).SocketErrorCode);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Stopping_when_the_peer_never_acknowledges_our_FIN_resets_after_the_shutdown_timeout_and_stops()
    {
        var shutdownTimeout = TimeSpan.FromMilliseconds(400);
        using var pair = new ReactorPair(usReactor: new ReactorOptions { TcpShutdownTimeout = shutdownTimeout });
        var (client, server) = await ConnectAsync(pair, 7202);
        using var _ = client;
        using (new FrozenReactor(pair.Peer)) // the peer's stack stops answering
        {
            var watch = Stopwatch.StartNew();
            pair.Us.Dispose(); // FIN, then nothing comes back

            Assert.InRange(watch.Elapsed, shutdownTimeout, TimeSpan.FromSeconds(5));
            Assert.Equal(1, pair.Us.Core.TcpCounters.ConnectionsResetSent); // the FIN handshake could not finish: reset
            Assert.Equal(0, pair.Us.Core.Tcp.OpenCount);
        }
        // The peer wakes to our FIN and then the RST: its connection is reset, not left open.
        var watchPeer = Stopwatch.StartNew();
        while (pair.Peer.Core.TcpCounters.ConnectionsResetReceived == 0 && watchPeer.Elapsed < Timeout)
        {
            await Task.Delay(10);
        }
        Assert.Equal(1, pair.Peer.Core.TcpCounters.ConnectionsResetReceived);
    }
}
