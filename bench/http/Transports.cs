using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DpdkSharp.Stack.Interface;
using DpdkSharp.Stack.Dpdk;
using DpdkSharp.Stack.Sockets;

namespace DpdkSharp.Bench.Http;

/// <summary>Carries the loops' bytes: opens the connections once, then runs them for each measured run.</summary>
internal interface ILoadTransport : IAsyncDisposable
{
    /// <summary>Opens <paramref name="loops"/>.Count keep-alive connections to <paramref name="server"/>.</summary>
    Task ConnectAsync(IPEndPoint server, IReadOnlyList<HttpConnectionLoop> loops);

    /// <summary>Starts every loop's first batch; the loops then run themselves until the run's end.</summary>
    void Kick();

    /// <summary>What to print when the process stops (counters, mbufs); the exit code's reason if not 0.</summary>
    string Describe();

    /// <summary>Whether the transport cleaned up fully (every mbuf back).</summary>
    bool Clean { get; }
}

/// <summary>
/// The stack's TCP on a DPDK port (net_memif, client role): the whole client runs on the reactor thread, each
/// connection's bytes handed to its loop by a zero-copy handler (<see cref="TcpConnection.SetHandler"/>) and the next
/// batch written into the send queue from there, so no thread hop is in the path. (A stream or async-await loop would
/// hop to the thread pool on every read, and the pool's threads would share the one client CPU with a polling
/// reactor; net_memif in DPDK 22.11 has no RX interrupts, so the reactor has to poll.)
/// </summary>
internal sealed class StackTransport(DpdkStackOptions options) : ILoadTransport
{
    private readonly DpdkStack _stack = DpdkStack.Start(options);
    private readonly List<(TcpConnection Connection, HttpConnectionLoop Loop, int[] Pending)> _connections = [];

    public bool Clean => _stack.MbufsInUseAtStop == 0;

    public async Task ConnectAsync(IPEndPoint server, IReadOnlyList<HttpConnectionLoop> loops)
    {
        foreach (var loop in loops)
        {
            var connection = new TcpConnection(_stack.Reactor, new TcpSocketOptions { NoDelay = true });
            await connection.ConnectAsync(server, TimeSpan.FromSeconds(10));
            var pending = new int[1]; // bytes of the batch not yet in the send queue (it was full)
            connection.SetHandler(context => Handle(context, loop, pending));
            _connections.Add((connection, loop, pending));
        }
    }

    public void Kick()
    {
        foreach (var (connection, _, _) in _connections)
        {
            connection.ScheduleHandler(); // Handle sees an idle loop and sends its first batch
        }
    }

    private static void Handle(TcpConnectionContext context, HttpConnectionLoop loop, int[] pending)
    {
        bool batchDone = false;
        int available = context.Available;
        if (available > 0)
        {
            batchDone = loop.Feed(context.First);
            if (!context.Second.IsEmpty)
            {
                batchDone = loop.Feed(context.Second);
            }
            context.Consume(available);
        }
        if (context.PeerClosed || context.Error != SocketError.Success)
        {
            loop.Fail($"the connection ended ({context.Error})");
            return;
        }
        if (pending[0] > 0)
        {
            pending[0] -= context.Send(loop.CurrentBatch[^pending[0]..]);
            return;
        }
        if (batchDone || (loop.Idle && loop.Failure is null))
        {
            var batch = loop.NextBatch();
            pending[0] = batch.Length - context.Send(batch);
        }
    }

    public string Describe()
    {
        var tcp = _stack.Core.TcpCounters;
        var c = _stack.Core.Counters;
        return $"client stack: TCP segments in {tcp.SegmentsReceived}, out {tcp.SegmentsSent}, retransmitted {tcp.RetransmittedSegments}; " +
            $"frames received {c.FramesReceived}, dropped {c.FramesDropped} ({Drops(c)}); frames the transmit queue refused {_stack.Interface.Device.Transmitter.FlushDrops}; mbufs not returned {_stack.MbufsInUseAtStop?.ToString() ?? "?"}";
    }

    private static string Drops(NetCounters counters) => string.Join(", ",
        from stage in Enum.GetValues<DropStage>()
        from reason in Enum.GetValues<DpdkSharp.Wire.DropReason>()
        let n = counters.DropCount(reason, stage)
        where n > 0
        select $"{stage} {reason} {n}");

    public async ValueTask DisposeAsync()
    {
        foreach (var (connection, _, _) in _connections)
        {
            await connection.DisposeAsync();
        }
        _stack.Dispose();
    }
}

/// <summary>Kernel sockets (System.Net.Sockets): one async loop per connection, on the thread pool.</summary>
internal sealed class KernelTransport : ILoadTransport
{
    private readonly List<(Socket Socket, HttpConnectionLoop Loop)> _connections = [];

    public bool Clean => true;

    public async Task ConnectAsync(IPEndPoint server, IReadOnlyList<HttpConnectionLoop> loops)
    {
        foreach (var loop in loops)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await socket.ConnectAsync(server, timeout.Token);
            _connections.Add((socket, loop));
        }
    }

    public void Kick()
    {
        foreach (var (socket, loop) in _connections)
        {
            _ = Task.Run(() => RunAsync(socket, loop));
        }
    }

    private static async Task RunAsync(Socket socket, HttpConnectionLoop loop)
    {
        var buffer = new byte[16384];
        try
        {
            while (true)
            {
                int length = loop.NextBatch().Length;
                if (length == 0)
                {
                    return;
                }
                for (int sent = 0; sent < length;)
                {
                    sent += await socket.SendAsync(loop.CurrentBatch.AsMemory(sent), SocketFlags.None);
                }
                int n;
                do
                {
                    n = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None);
                    if (n == 0)
                    {
                        loop.Fail("the server closed the connection");
                        return;
                    }
                }
                while (!loop.Feed(buffer.AsSpan(0, n)) && loop.Failure is null);
                if (loop.Failure is not null)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            loop.Fail($"the connection failed ({e.Message})");
        }
    }

    public string Describe() => "client: kernel sockets";

    public ValueTask DisposeAsync()
    {
        foreach (var (socket, _) in _connections)
        {
            socket.Dispose();
        }
        return ValueTask.CompletedTask;
    }
}
