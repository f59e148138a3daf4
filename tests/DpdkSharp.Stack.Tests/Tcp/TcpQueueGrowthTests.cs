using System.Net;

namespace DpdkSharp.Stack.Tests.Tcp;

/// <summary>
/// Connections whose queues start tiny and grow to a megabyte in the middle of a transfer, while
/// segments arrive lost, late and out of order (so data waits beyond the hole as the receive queue
/// grows) and while a zero-copy handler writes into the send queue: every byte must arrive as sent.
/// </summary>
public class TcpQueueGrowthTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static TcpSocketOptions Tiny(int receive, int send) => TcpSocketOptions.Default with
    {
        ReceiveBufferSize = receive,
        MaxReceiveBufferSize = 1024 * 1024,
        SendBufferSize = send,
        MaxSendBufferSize = 1024 * 1024,
    };

    [Theory]
    [InlineData(11, 1024, 1024)]
    [InlineData(12, 2048, 4096)]
    [InlineData(13, 4096, 1500)]
    public void Tiny_queues_growing_to_a_megabyte_under_reordering_and_loss_deliver_every_byte_both_ways(int seed, int receive, int send)
    {
        var wire = new Impairments
        {
            Seed = seed,
            Loss = 0.01,
            Reorder = 0.05,
            ReorderDelay = TimeSpan.FromMilliseconds(2),
            Duplication = 0.01,
            Delay = TimeSpan.FromMilliseconds(1),
            Jitter = TimeSpan.FromMicroseconds(300),
        };
        var pair = new SimulatedPair(wire, wire with { Seed = seed + 100 });
        var transfer = new TcpTransfer(pair, 3 * 1024 * 1024, 3 * 1024 * 1024, seed, Tiny(receive, send), Tiny(receive, send));
        int receiveGrewTo = 0, sendGrewTo = 0;
        bool done = TcpTransfer.RunAll(pair, [transfer], TimeSpan.FromMinutes(10), between: _ =>
        {
            foreach (var tcb in new[] { transfer.Client, transfer.Server })
            {
                if (tcb is not null && tcb.State != TcpState.Closed)
                {
                    receiveGrewTo = Math.Max(receiveGrewTo, tcb.ReceiveBufferCapacity);
                    sendGrewTo = Math.Max(sendGrewTo, tcb.SendBufferCapacity);
                }
            }
        });

        Assert.True(done, transfer.ToString());
        transfer.AssertIntact();
        Assert.True(receiveGrewTo >= 16 * receive, $"the receive queue grew only to {receiveGrewTo}");
        Assert.True(sendGrewTo >= 16 * send, $"the send queue grew only to {sendGrewTo}");
        Assert.True(pair.A.TcpCounters.RetransmittedSegments + pair.B.TcpCounters.RetransmittedSegments > 0, "nothing was lost");
        TcpSimulatorStressTests.AssertClosesCleanly(pair, [transfer], TimeSpan.FromMinutes(5));
        pair.Dispose();
    }

    [Theory]
    [InlineData(21, 1024, 1024)]
    [InlineData(22, 4096, 2048)]
    public async Task A_zero_copy_handler_echo_through_tiny_growing_queues_over_a_lossy_reordering_link_returns_every_byte(int seed, int receive, int send)
    {
        var impairments = new Impairments { Seed = seed, Loss = 0.005, Reorder = 0.05, ReorderDelay = TimeSpan.FromMilliseconds(1), Duplication = 0.005 };
        using var pair = new ReactorPair(buffers: 2048, usReceive: impairments, usTransmit: impairments with { Seed = seed + 100 });
        using var listener = new TcpSocketListener(pair.Us, 7100, Tiny(receive, send));
        listener.Start();
        var accepting = listener.AcceptTcpClientAsync().AsTask();
        using var client = new TcpConnection(pair.Peer, Tiny(receive, send));
        await client.ConnectAsync(new IPEndPoint(ReactorPair.UsAddress, 7100)).AsTask().WaitAsync(Timeout);
        using var server = await accepting.WaitAsync(Timeout);
        int mostUnread = 0, widestSendSpan = 0;
        server.SetHandler(context =>
        {
            // Zero-copy both ways: from the receive queue's own storage straight into the send queue's.
            while (context.Available > 0)
            {
                mostUnread = Math.Max(mostUnread, context.Available);
                var from = context.First;
                var to = context.GetSendSpan(context.Available);
                if (to.IsEmpty)
                {
                    break; // runs again when room opens
                }
                widestSendSpan = Math.Max(widestSendSpan, to.Length);
                int n = Math.Min(from.Length, to.Length);
                from[..n].CopyTo(to);
                context.Commit(n);
                context.Consume(n);
            }
            if (context.PeerClosed && context.Available == 0 && context.CanSend)
            {
                context.Shutdown();
            }
        });

        var sent = new byte[4 * 1024 * 1024];
        new Random(seed).NextBytes(sent);
        var stream = client.GetStream();
        var reading = Task.Run(async () =>
        {
            var all = new MemoryStream();
            await stream.CopyToAsync(all);
            return all.ToArray();
        });
        for (int at = 0; at < sent.Length; at += 100_000)
        {
            await stream.WriteAsync(sent.AsMemory(at, Math.Min(100_000, sent.Length - at))).AsTask().WaitAsync(Timeout);
        }
        client.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        var received = await reading.WaitAsync(Timeout);

        Assert.Equal(sent.Length, received.Length);
        int firstDifference = sent.AsSpan().CommonPrefixLength(received);
        Assert.True(firstDifference == sent.Length, $"echo differs from byte {firstDifference} on");
        Assert.Equal(0, pair.Us.HandlerErrors);
        Assert.True(mostUnread > receive, $"the receive queue never held more than {mostUnread} bytes: it did not grow");
        Assert.True(widestSendSpan > send, $"the widest send span was {widestSendSpan} bytes: the send queue did not grow");
        Assert.True(pair.Us.Core.TcpCounters.RetransmittedSegments + pair.Peer.Core.TcpCounters.RetransmittedSegments > 0, "nothing was lost");
    }
}
