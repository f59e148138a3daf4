using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DpdkSharp.Stack.Tests.Tcp;

/// <summary>
/// The System.Net-shaped TCP API on two reactors joined in memory: listener, connect, streams,
/// pipes, TLS, errors, cancellation, graceful shutdown of a reactor.
/// </summary>
public sealed class TcpConnectionTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly ReactorPair _pair = new(buffers: 1024);

    public void Dispose() => _pair.Dispose();

    private IPEndPoint Server(int port) => new(ReactorPair.UsAddress, port);

    /// <summary>Echoes every byte of each connection and closes its side once the peer closed its own (half-close).</summary>
    private static async Task EchoAsync(TcpConnection connection)
    {
        using (connection)
        {
            var stream = connection.GetStream();
            var buffer = new byte[16 * 1024];
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, n));
            }
            connection.Shutdown(SocketShutdown.Send);
        }
    }

    [Fact]
    public async Task A_stream_echo_returns_every_byte_and_both_sides_close_after_the_half_close()
    {
        using var listener = new TcpSocketListener(_pair.Us, 7000);
        listener.Start();
        var accepting = listener.AcceptTcpClientAsync().AsTask();
        using var client = new TcpConnection(_pair.Peer);
        await client.ConnectAsync(Server(7000)).AsTask().WaitAsync(Timeout);
        var server = await accepting.WaitAsync(Timeout);
        var echo = EchoAsync(server);
        Assert.Equal(Server(7000), client.RemoteEndPoint);
        Assert.Equal(client.LocalEndPoint, server.RemoteEndPoint);

        var sent = new byte[300_000];
        new Random(1).NextBytes(sent);
        var stream = client.GetStream();
        var reading = ReadToEndAsync(stream);
        await stream.WriteAsync(sent).AsTask().WaitAsync(Timeout);
        client.Shutdown(SocketShutdown.Send);
        var received = await reading.WaitAsync(Timeout);
        await echo.WaitAsync(Timeout);
        Assert.Equal(sent, received);
        // The link loses and reorders nothing, so nothing but a timer may resend: a loss probe or an RTO fires when a
        // reactor thread is descheduled longer than the probe timeout (a loaded machine). A recovery started by
        // duplicate ACKs or SACK, or a retransmission with no timer behind it, would be loss the stack made up.
        foreach (var side in (NetworkInterfaceCore[])[_pair.Us.Core, _pair.Peer.Core])
        {
            var tcp = side.TcpCounters;
            var counts = $"retransmitted {tcp.RetransmittedSegments}: loss probes {tcp.LossProbes}, RTOs {tcp.RetransmissionTimeouts}, " +
                $"fast recoveries {tcp.FastRecoveries}, SACK recoveries {tcp.SackRecoveries}, lost retransmissions {tcp.LostRetransmissions}";
            Assert.True(tcp.RetransmittedSegments == 0 || tcp.LossProbes + tcp.RetransmissionTimeouts > 0, counts);
            Assert.True(tcp.FastRecoveries + tcp.SackRecoveries + tcp.LostRetransmissions == 0, counts);
        }
        // Segments outside the window are the other side's resent copies of what already arrived, and nothing else.
        Assert.True(_pair.Us.Core.Counters.DropCount(DropReason.OutOfWindow) <= _pair.Peer.Core.TcpCounters.RetransmittedSegments);
        Assert.True(_pair.Peer.Core.Counters.DropCount(DropReason.OutOfWindow) <= _pair.Us.Core.TcpCounters.RetransmittedSegments);
    }

    [Fact]
    public async Task A_zero_copy_handler_echoes_from_the_receive_queue_into_the_send_queue_on_the_reactor()
    {
        using var listener = new TcpSocketListener(_pair.Us, 7008);
        listener.Start();
        var accepting = listener.AcceptTcpClientAsync().AsTask();
        using var client = new TcpConnection(_pair.Peer);
        await client.ConnectAsync(Server(7008)).AsTask().WaitAsync(Timeout);
        using var server = await accepting.WaitAsync(Timeout);
        server.SetHandler(context =>
        {
            // Echo what fits; what does not stays unread until the send queue drains.
            int sent = context.Send(context.First);
            if (sent == context.First.Length)
            {
                sent += context.Send(context.Second);
            }
            context.Consume(sent);
            if (context.PeerClosed && context.Available == 0)
            {
                context.Shutdown();
            }
        });
        var sent = new byte[500_000];
        new Random(4).NextBytes(sent);
        var stream = client.GetStream();
        var reading = ReadToEndAsync(stream);
        await stream.WriteAsync(sent).AsTask().WaitAsync(Timeout);
        client.Shutdown(SocketShutdown.Send);
        Assert.Equal(sent, await reading.WaitAsync(Timeout));
        Assert.Equal(0, _pair.Us.HandlerErrors);
    }

    [Fact]
    public async Task A_handler_scheduled_from_another_thread_sends_what_it_produced_and_runs_again_when_room_opens()
    {
        using var listener = new TcpSocketListener(_pair.Us, 7009);
        listener.Start();
        var accepting = listener.AcceptTcpClientAsync().AsTask();
        using var client = new TcpConnection(_pair.Peer);
        await client.ConnectAsync(Server(7009)).AsTask().WaitAsync(Timeout);
        using var server = await accepting.WaitAsync(Timeout);
        // Far more than the send queue holds: the handler's sends come back short, and only room opening runs it again.
        var produced = new byte[2_000_000];
        new Random(9).NextBytes(produced);
        int ready = 0, sent = 0, runs = 0;
        server.SetHandler(context =>
        {
            runs++;
            int upTo = Volatile.Read(ref ready);
            sent += context.Send(produced.AsSpan(sent, upTo - sent));
            if (sent == produced.Length)
            {
                context.Shutdown();
            }
        });
        var reading = ReadToEndAsync(client.GetStream());
        await Task.Delay(50);
        int runsBefore = Volatile.Read(ref runs);
        await Task.Run(() =>
        {
            Volatile.Write(ref ready, produced.Length);
            server.ScheduleHandler();
            server.ScheduleHandler(); // coalesced with the first while it waits
        });
        Assert.Equal(produced, await reading.WaitAsync(Timeout));
        Assert.True(Volatile.Read(ref runs) - runsBefore > 2, $"{runs - runsBefore} runs: the handler was not run again as room opened");
        Assert.Equal(0, _pair.Us.HandlerErrors);
    }

    [Fact]
    public async Task DisposeAsync_with_a_positive_linger_returns_at_once_and_completes_when_the_close_does()
    {
        var lingering = TcpSocketOptions.Default with { Linger = TimeSpan.FromSeconds(15) };
        using var listener = new TcpSocketListener(_pair.Us, 7010, lingering);
        listener.Start();
        var accepting = listener.AcceptTcpClientAsync().AsTask();
        using var client = new TcpConnection(_pair.Peer);
        await client.ConnectAsync(Server(7010)).AsTask().WaitAsync(Timeout);
        var server = await accepting.WaitAsync(Timeout);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var closing = server.DisposeAsync().AsTask();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"DisposeAsync held its caller for {watch.Elapsed}");
        Assert.Equal(0, await client.ReceiveAsync(new byte[1]).AsTask().WaitAsync(Timeout)); // the server's FIN
        Assert.False(closing.IsCompleted, "the close completed before the peer closed its side");
        client.Dispose(); // the peer's FIN: the server's side is done
        await closing.WaitAsync(Timeout);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"the close took {watch.Elapsed}: the linger ran out instead");
    }

    [Fact]
    public async Task Connecting_to_a_port_nobody_listens_on_fails_with_connection_refused()
    {
        using var client = new TcpConnection(_pair.Peer);
        var error = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(Server(7001)).AsTask().WaitAsync(Timeout));
        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
        Assert.Equal(1, _pair.Peer.Core.TcpCounters.FailedConnects);
        Assert.Equal(1, _pair.Us.Core.TcpCounters.ResetsSent);
    }

    [Fact]
    public async Task A_second_listener_on_the_same_port_is_refused_with_address_in_use()
    {
        using var first = new TcpSocketListener(_pair.Us, 7002);
        first.Start();
        using var second = new TcpSocketListener(_pair.Us, 7002);
        var error = Assert.Throws<SocketException>(() => second.Start());
        Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketErrorCode);
        first.Stop();
        second.Start(); // free again
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_pending_receive_is_cancelled_by_its_token_and_the_connection_still_works()
    {
        using var listener = new TcpSocketListener(_pair.Us, 7003);
        listener.Start();
        var accepting = listener.AcceptTcpClientAsync().AsTask();
        using var client = new TcpConnection(_pair.Peer);
        await client.ConnectAsync(Server(7003)).AsTask().WaitAsync(Timeout);
        using var server = await accepting.WaitAsync(Timeout);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var buffer = new byte[16];
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ReceiveAsync(buffer, cts.Token).AsTask().WaitAsync(Timeout));
        await server.SendAsync("ping"u8.ToArray()).AsTask().WaitAsync(Timeout);
        int n = await client.ReceiveAsync(buffer).AsTask().WaitAsync(Timeout);
        Assert.Equal("ping", System.Text.Encoding.ASCII.GetString(buffer, 0, n));
    }

    [Fact]
    public async Task Pipes_carry_the_same_bytes_as_the_stream()
    {
        using var listener = new TcpSocketListener(_pair.Us, 7004);
        listener.Start();
        var accepting = listener.AcceptTcpClientAsync().AsTask();
        using var client = new TcpConnection(_pair.Peer);
        await client.ConnectAsync(Server(7004)).AsTask().WaitAsync(Timeout);
        using var server = await accepting.WaitAsync(Timeout);
        var sent = new byte[100_000];
        new Random(2).NextBytes(sent);
        await client.Pipe.Output.WriteAsync(sent).AsTask().WaitAsync(Timeout);
        await client.Pipe.Output.CompleteAsync();
        client.Shutdown(SocketShutdown.Send);
        var received = new MemoryStream();
        while (true)
        {
            var result = await server.Pipe.Input.ReadAsync().AsTask().WaitAsync(Timeout);
            foreach (var segment in result.Buffer)
            {
                received.Write(segment.Span);
            }
            server.Pipe.Input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }
        Assert.Equal(sent, received.ToArray());
    }

    [Fact]
    public async Task SslStream_runs_over_the_connection_stream_both_ways()
    {
        using var certificate = SelfSigned();
        using var listener = new TcpSocketListener(_pair.Us, 7005);
        listener.Start();
        var accepting = listener.AcceptTcpClientAsync().AsTask();
        using var client = new TcpConnection(_pair.Peer);
        await client.ConnectAsync(Server(7005)).AsTask().WaitAsync(Timeout);
        using var server = await accepting.WaitAsync(Timeout);
        using var serverTls = new SslStream(server.GetStream());
        using var clientTls = new SslStream(client.GetStream(), false, (_, _, _, _) => true);
        await Task.WhenAll(
            serverTls.AuthenticateAsServerAsync(certificate),
            clientTls.AuthenticateAsClientAsync("dpdksharp.test")).WaitAsync(Timeout);
        var sent = new byte[64 * 1024];
        new Random(3).NextBytes(sent);
        await clientTls.WriteAsync(sent).AsTask().WaitAsync(Timeout);
        var received = new byte[sent.Length];
        await serverTls.ReadExactlyAsync(received).AsTask().WaitAsync(Timeout);
        Assert.Equal(sent, received);
    }

    [Fact]
    public async Task Stopping_a_reactor_closes_its_connections_with_a_fin_that_the_peer_reads_as_the_end()
    {
        using var listener = new TcpSocketListener(_pair.Us, 7006);
        listener.Start();
        var accepting = listener.AcceptTcpClientAsync().AsTask();
        using var client = new TcpConnection(_pair.Peer);
        await client.ConnectAsync(Server(7006)).AsTask().WaitAsync(Timeout);
        var server = await accepting.WaitAsync(Timeout);
        await server.SendAsync("last words"u8.ToArray()).AsTask().WaitAsync(Timeout);
        var reading = ReadToEndAsync(client.GetStream());
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        _pair.Us.Dispose(); // graceful: FIN, not RST
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"stopping took {stopwatch.Elapsed}: it waited for more than our FIN's acknowledgment");
        var received = await reading.WaitAsync(Timeout);
        Assert.Equal("last words", System.Text.Encoding.ASCII.GetString(received));
        Assert.Equal(0, _pair.Peer.Core.TcpCounters.ResetsReceived);
    }

    [Fact]
    public async Task A_blocking_read_on_the_reactor_thread_is_refused_instead_of_hanging()
    {
        using var listener = new TcpSocketListener(_pair.Us, 7007);
        listener.Start();
        var accepting = listener.AcceptTcpClientAsync().AsTask();
        using var client = new TcpConnection(_pair.Peer);
        await client.ConnectAsync(Server(7007)).AsTask().WaitAsync(Timeout);
        using var server = await accepting.WaitAsync(Timeout);
        var stream = client.GetStream();
        var error = await _pair.Peer.InvokeAsync(_ =>
        {
            try
            {
                stream.ReadByte();
                return null;
            }
            catch (InvalidOperationException e)
            {
                return e;
            }
        }).WaitAsync(Timeout);
        Assert.NotNull(error);
    }

    private static async Task<byte[]> ReadToEndAsync(Stream stream)
    {
        var all = new MemoryStream();
        await stream.CopyToAsync(all);
        return all.ToArray();
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=dpdksharp.test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }
}
