using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

/// <summary>
/// The same two connections over kernel loopback TCP, driven the same way on the calling thread: the sender
/// writes until its socket would block, the receiver reads until its socket would block (loopback delivers inside
/// the sender's send call, so nothing waits on a wakeup); request/response on blocking sockets with TCP_NODELAY.
/// Every socket has TCP_MAXSEG 1460 set before connect (the listener's is inherited by what it accepts).
/// </summary>
internal sealed class KernelPair : TcpPair
{
    private const int IpProtoTcp = 6;
    private const int TcpMaxSeg = 2;
    private const int TcpInfo = 11;

    private readonly Socket _bulkClient;
    private readonly Socket _bulkServer;
    private readonly Socket _rrClient;
    private readonly Socket _rrServer;

    public KernelPair(int mss, int sendBuffer)
    {
        using var listener = Create(mss);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(4);
        (_bulkClient, _bulkServer) = Open(listener, mss);
        (_rrClient, _rrServer) = Open(listener, mss);
        // The stack's bounds: fixed sizes also turn off the kernel's buffer autotuning (which, growing to 4 MB,
        // spills the copies out of the cache on this one-core run and halves its throughput).
        _bulkClient.SendBufferSize = sendBuffer;
        _bulkServer.ReceiveBufferSize = 2 * sendBuffer;
        _bulkClient.Blocking = false;
        _bulkServer.Blocking = false;
        _rrClient.NoDelay = true;
        _rrServer.NoDelay = true;
    }

    public override string Label => "kernel";

    private static Socket Create(int mss)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Span<byte> value = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(value, mss);
        socket.SetRawSocketOption(IpProtoTcp, TcpMaxSeg, value);
        return socket;
    }

    private static (Socket Client, Socket Server) Open(Socket listener, int mss)
    {
        var client = Create(mss);
        client.Connect(listener.LocalEndPoint!);
        return (client, listener.Accept());
    }

    protected override void BulkStep(bool write)
    {
        if (write)
        {
            int n;
            do
            {
                n = _bulkClient.Send(Pattern.At(Source, Sent), SocketFlags.None, out var error);
                if (error != SocketError.Success)
                {
                    break;
                }
                Sent += n;
            }
            while (n == Pattern.Chunk);
        }
        int read, last = 0;
        while ((read = _bulkServer.Receive(Scratch, SocketFlags.None, out var error)) > 0 && error == SocketError.Success)
        {
            Delivering(read);
            last = read;
        }
        Sample(last);
    }

    protected override long RoundTrip()
    {
        long t0 = Stopwatch.GetTimestamp();
        _rrClient.Send(Request);
        ReceiveMessage(_rrServer);
        Expect('q');
        _rrServer.Send(Response);
        ReceiveMessage(_rrClient);
        long t1 = Stopwatch.GetTimestamp();
        Expect('r');
        return t1 - t0;
    }

    private void ReceiveMessage(Socket socket)
    {
        int got = 0;
        while (got < MessageBytes)
        {
            got += socket.Receive(Message.AsSpan(got));
        }
    }

    /// <summary>What the bulk sender's TCP_INFO says: the MSS it sends with, its retransmissions, segments out (MSS-sized, however the stack batched them).</summary>
    public (int SendMss, long TotalRetransmissions, long SegmentsOut) SenderInfo()
    {
        Span<byte> info = stackalloc byte[256];
        int length = _bulkClient.GetRawSocketOption(IpProtoTcp, TcpInfo, info);
        int mss = BinaryPrimitives.ReadInt32LittleEndian(info[16..]);
        long retrans = BinaryPrimitives.ReadUInt32LittleEndian(info[100..]);
        long segsOut = length >= 140 ? BinaryPrimitives.ReadUInt32LittleEndian(info[136..]) : -1;
        return (mss, retrans, segsOut);
    }

    /// <summary>Packets and bytes the loopback device has carried (its packets are what TCP handed down: GSO keeps them large).</summary>
    public static (long Packets, long Bytes) LoopbackCounters()
    {
        static long Read(string name) => long.Parse(File.ReadAllText($"/sys/class/net/lo/statistics/{name}").Trim(), CultureInfo.InvariantCulture);
        return (Read("tx_packets"), Read("tx_bytes"));
    }

    public override void Dispose()
    {
        foreach (var socket in new[] { _bulkClient, _bulkServer, _rrClient, _rrServer })
        {
            socket.Dispose();
        }
    }
}
