namespace DpdkSharp.Stack.Tests.Tcp;

/// <summary>
/// An application on both ends of a simulated pair, driven between simulation steps: the client (A)
/// connects to a listener on B, each side streams its bytes to the other, reads everything, shuts
/// down once its bytes are all queued, and the run ends when both have read the other's FIN.
/// </summary>
internal sealed class TcpTransfer
{
    public const ushort Port = 5001;

    private readonly SimulatedPair _pair;
    private readonly byte[] _toServer;
    private readonly byte[] _toClient;
    private readonly MemoryStream _atServer = new();
    private readonly MemoryStream _atClient = new();
    private readonly TcpListenerState _listener;
    private int _sentToServer;
    private int _sentToClient;
    private readonly byte[] _scratch = new byte[64 * 1024];

    public TcpTransfer(SimulatedPair pair, int toServer, int toClient, int seed, TcpSocketOptions? client = null, TcpSocketOptions? server = null,
        ushort port = Port, TcpListenerState? listener = null)
    {
        _pair = pair;
        var random = new Random(seed);
        _toServer = new byte[toServer];
        _toClient = new byte[toClient];
        random.NextBytes(_toServer);
        random.NextBytes(_toClient);
        if (listener is null)
        {
            Assert.Equal(NetError.None, pair.B.Tcp.Listen(port, 16, server, out listener));
        }
        _listener = listener!;
        _listener.Owner = this;
        Assert.Equal(NetError.None, pair.A.Tcp.Connect(Net.PeerIp, port, client, pair.Sim.Now, out var connection));
        Client = connection!;
        Client.Owner = this;
    }

    public TcpControlBlock Client { get; }

    public TcpControlBlock? Server { get; private set; }

    public byte[] ReceivedByServer => _atServer.ToArray();

    public byte[] ReceivedByClient => _atClient.ToArray();

    /// <summary>While set, the client application neither reads nor writes (its receive window closes).</summary>
    public bool ClientPaused { get; set; }

    /// <summary>Bytes the client application has read so far.</summary>
    public long ClientReadLength => _atClient.Length;

    public bool Done => Server is not null && Client.ReadCompleted && Server.ReadCompleted
        && _atServer.Length == _toServer.Length && _atClient.Length == _toClient.Length;

    /// <summary>Runs until both sides read everything and the other's FIN, or <paramref name="limit"/> of virtual time passes.</summary>
    public bool Run(TimeSpan limit) => RunAll(_pair, [this], limit);

    /// <summary>
    /// Runs several transfers on one pair until all are <see cref="Done"/> or <paramref name="until"/>
    /// holds (true), or <paramref name="limit"/> of virtual time passes (false); <paramref name="between"/>
    /// runs after the applications before every step.
    /// </summary>
    public static bool RunAll(SimulatedPair pair, IReadOnlyList<TcpTransfer> transfers, TimeSpan limit, Action<Instant>? between = null, Func<bool>? until = null)
    {
        var deadline = pair.Sim.Now + limit;
        while (!transfers.All(t => t.Done) && until?.Invoke() != true)
        {
            if (pair.Sim.Now >= deadline)
            {
                return false;
            }
            foreach (var transfer in transfers)
            {
                transfer.Application(pair.Sim.Now);
            }
            between?.Invoke(pair.Sim.Now);
            pair.Sim.Step(Instant.Min(pair.Sim.NextEventAt(), deadline));
        }
        foreach (var transfer in transfers)
        {
            transfer.Application(pair.Sim.Now);
        }
        return true;
    }

    /// <summary>Both ends, sizes and progress on one line (for failure messages).</summary>
    public override string ToString() =>
        $"client {Client}; server {Server?.ToString() ?? "not accepted"}; server got {_atServer.Length}/{_toServer.Length}, client got {_atClient.Length}/{_toClient.Length}";

    private void Application(Instant now)
    {
        if (Server is null && _pair.B.Tcp.TryAccept(_listener, this, out var accepted))
        {
            Server = accepted;
        }
        if (!ClientPaused)
        {
            Pump(_pair.A.Tcp, Client, _toServer, ref _sentToServer, _atClient, now);
        }
        if (Server is not null)
        {
            Pump(_pair.B.Tcp, Server, _toClient, ref _sentToClient, _atServer, now);
        }
    }

    private void Pump(TcpEndpointTable table, TcpControlBlock tcb, byte[] outgoing, ref int sent, MemoryStream incoming, Instant now)
    {
        if (tcb.State is TcpState.Closed or TcpState.SynSent)
        {
            return;
        }
        while (sent < outgoing.Length && tcb.SendSpace > 0)
        {
            int n = tcb.Write(outgoing.AsSpan(sent, Math.Min(outgoing.Length - sent, 16 * 1024)));
            if (n == 0)
            {
                break;
            }
            sent += n;
        }
        if (sent == outgoing.Length && tcb.State is TcpState.Established or TcpState.CloseWait or TcpState.SynReceived)
        {
            tcb.Shutdown();
        }
        int read;
        while ((read = tcb.Read(_scratch)) > 0)
        {
            incoming.Write(_scratch, 0, read);
        }
        table.AfterActivity(tcb, now);
    }

    public void AssertIntact()
    {
        Assert.True(_toServer.AsSpan().SequenceEqual(ReceivedByServer), $"server got {_atServer.Length} of {_toServer.Length} bytes, not all equal");
        Assert.True(_toClient.AsSpan().SequenceEqual(ReceivedByClient), $"client got {_atClient.Length} of {_toClient.Length} bytes, not all equal");
    }
}
