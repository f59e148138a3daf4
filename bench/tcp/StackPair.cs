using System.Diagnostics;
using DpdkSharp.Runtime;
using DpdkSharp.Stack;
using DpdkSharp.Stack.Dpdk;
using DpdkSharp.Stack.Interface;
using DpdkSharp.Stack.Sockets;
using DpdkSharp.Wire;

/// <summary>
/// One stack instance on one port of the ring pair: its interface core and device, driven by the bench thread
/// (what the reactor's loop does, without its command queue: burst receive, timers when due, flush).
/// </summary>
internal sealed class StackSide : IDisposable
{
    private readonly PortQueueDevice _device;
    private InterfaceReceiver _receiver;

    public StackSide(Port port, Mempool pool, InterfaceOptions options)
    {
        _device = new PortQueueDevice(port.GetRxQueue(0), port.GetTxQueue(0), pool);
        Core = new NetworkInterfaceCore(options, _device.Pool, _device.Sink);
        _receiver = new InterfaceReceiver(Core);
    }

    public NetworkInterfaceCore Core { get; }

    public TcpEndpointTable Tcp => Core.Tcp;

    public long FlushDrops => _device.Transmitter.FlushDrops;

    /// <summary>Everything waiting on the port, burst by burst (the segments a whole window sent), then timers that are due.</summary>
    public void Receive(Instant now)
    {
        while (_device.ReceiveBurst(ref _receiver, now) == PortQueueDevice.BurstSize)
        {
        }
        if (now >= Core.NextTimerAt)
        {
            Core.Poll(now);
        }
    }

    public void Flush() => _device.Flush();

    public void Dispose()
    {
        Core.Dispose();
        _device.Flush();
    }
}

/// <summary>
/// Two stack instances (A the client and sender, B the server and receiver) on the two ports of a net_ring pair,
/// with a bulk connection and a request/response connection between them, all driven on the calling thread:
/// A's side of a step, then B's, so no cache line crosses cores. The applications use the sans-IO connection
/// table directly (Write/Read on the control block, then AfterActivity, as the reactor does after a socket call).
/// </summary>
internal sealed class StackPair : TcpPair
{
    private const ushort BulkPort = 5001;
    private const ushort RrPort = 5002;

    private readonly StackSide _a;
    private readonly StackSide _b;
    private readonly TcpControlBlock _bulkClient;
    private readonly TcpControlBlock _bulkServer;
    private readonly TcpControlBlock _rrClient;
    private readonly TcpControlBlock _rrServer;

    public StackPair(Port portA, Mempool poolA, InterfaceOptions optionsA, Port portB, Mempool poolB, InterfaceOptions optionsB)
    {
        _a = new StackSide(portA, poolA, optionsA);
        _b = new StackSide(portB, poolB, optionsB);
        var now = Now();
        _a.Core.Start(now);
        _b.Core.Start(now);
        (_bulkClient, _bulkServer) = Open(BulkPort, noDelay: false);
        (_rrClient, _rrServer) = Open(RrPort, noDelay: true);
    }

    public override string Label => "stack";

    /// <summary>Time A's side took in bulk steps (its application's writes, ACKs in, segments out).</summary>
    public long SenderTicks { get; private set; }

    /// <summary>Time B's side took in bulk steps (segments in, its application's reads, ACKs out).</summary>
    public long ReceiverTicks { get; private set; }

    public int SendMss => _bulkClient.SendMss;

    public (bool Timestamps, bool Sack, bool WindowScaling) Negotiated => _bulkClient.Negotiated;

    public TcpCounters SenderCounters => _a.Core.TcpCounters;

    public TcpCounters ReceiverCounters => _b.Core.TcpCounters;

    public long SegmentsSent => SenderCounters.SegmentsSent + ReceiverCounters.SegmentsSent;

    public long Retransmissions => SenderCounters.RetransmittedSegments + ReceiverCounters.RetransmittedSegments;

    public long FlushDrops => _a.FlushDrops + _b.FlushDrops;

    public long FramesDropped => _a.Core.Counters.FramesDropped + _b.Core.Counters.FramesDropped;

    private static Instant Now() => At(Stopwatch.GetTimestamp());

    private static Instant At(long timestamp) => new((long)(timestamp * NsPerTick));

    /// <summary>B listens, A connects, both run until B has accepted and A is established.</summary>
    private (TcpControlBlock Client, TcpControlBlock Server) Open(ushort port, bool noDelay)
    {
        var options = _a.Tcp.Options.DefaultSocketOptions with { NoDelay = noDelay };
        Check(_b.Tcp.Listen(port, 1, options, out var listener));
        Check(_a.Tcp.Connect(_b.Core.Address, port, options, Now(), out var client));
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        while (true)
        {
            var now = Now();
            _a.Flush();
            _b.Receive(now);
            _b.Flush();
            _a.Receive(now);
            _a.Flush();
            if (_b.Tcp.TryAccept(listener!, this, out var server) && client!.State == TcpState.Established)
            {
                // The bench reads and writes the control blocks itself: no socket layer waits on their events.
                _b.Tcp.Release(server!);
                _b.Tcp.StopListening(listener!, now);
                return (client, server!);
            }
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"the stack pair did not connect on port {port}: client {client!.State}");
            }
        }
    }

    private static void Check(NetError error)
    {
        if (error != NetError.None)
        {
            throw new InvalidOperationException($"the stack refused: {error}");
        }
    }

    protected override void BulkStep(bool write)
    {
        long t0 = Stopwatch.GetTimestamp();
        var now = At(t0);
        _a.Receive(now);
        if (write)
        {
            // The application keeps the send queue full: it offers a chunk until the queue takes less.
            int n;
            do
            {
                n = _bulkClient.Write(Pattern.At(Source, Sent));
                Sent += n;
            }
            while (n == Pattern.Chunk);
        }
        _a.Tcp.AfterActivity(_bulkClient, now);
        _a.Flush();
        long t1 = Stopwatch.GetTimestamp();
        now = At(t1);
        _b.Receive(now);
        int read, last = 0;
        while ((read = _bulkServer.Read(Scratch)) > 0)
        {
            Delivering(read);
            last = read;
        }
        _b.Tcp.AfterActivity(_bulkServer, now);
        _b.Flush();
        long t2 = Stopwatch.GetTimestamp();
        SenderTicks += t1 - t0;
        ReceiverTicks += t2 - t1;
        Sample(last);
    }

    protected override long RoundTrip()
    {
        long t0 = Stopwatch.GetTimestamp();
        _rrClient.Write(Request);
        _a.Tcp.AfterActivity(_rrClient, At(t0));
        _a.Flush();
        var now = Await(_b, _rrServer, t0);
        _rrServer.Read(Message);
        Expect('q');
        _rrServer.Write(Response);
        _b.Tcp.AfterActivity(_rrServer, now);
        _b.Flush();
        now = Await(_a, _rrClient, t0);
        _rrClient.Read(Message);
        _a.Tcp.AfterActivity(_rrClient, now);
        _a.Flush();
        long t1 = Stopwatch.GetTimestamp();
        Expect('r');
        return t1 - t0;
    }

    /// <summary>Polls <paramref name="side"/> until a whole message is readable on <paramref name="tcb"/>.</summary>
    private static Instant Await(StackSide side, TcpControlBlock tcb, long started)
    {
        while (true)
        {
            var now = Now();
            side.Receive(now);
            if (tcb.Available >= MessageBytes)
            {
                return now;
            }
            side.Flush();
            if (Stopwatch.GetTimestamp() - started > Stopwatch.Frequency)
            {
                throw new TimeoutException($"request/response: no message after a second ({tcb})");
            }
        }
    }

    public override void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
    }
}
