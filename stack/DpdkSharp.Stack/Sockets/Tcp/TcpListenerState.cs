namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// A listening port (RFC 9293 §3.10.7.2, LISTEN): its backlog, the connections still in their
/// handshake (the SYN queue) and the established ones waiting for the application (the accept
/// queue). Reactor thread only.
/// </summary>
internal sealed class TcpListenerState(ushort port, int backlog, TcpSocketOptions options)
{
    private readonly Queue<TcpControlBlock> _accepted = new(Math.Min(backlog, 1024));

    public ushort Port => port;

    /// <summary>Most connections in either queue (Linux bounds both by the backlog).</summary>
    public int Backlog => backlog;

    /// <summary>The settings accepted connections get.</summary>
    public TcpSocketOptions Options => options;

    /// <summary>Connections whose SYN-ACK is out and whose handshake has not completed.</summary>
    public int HalfOpen { get; set; }

    /// <summary>Established connections the application has not accepted yet.</summary>
    public int AcceptQueueLength => _accepted.Count;

    /// <summary>Whether the SYN queue is full: further SYNs get SYN cookies (RFC 4987 §3.6).</summary>
    public bool SynQueueFull => HalfOpen >= backlog;

    /// <summary>Whether the accept queue is full: further SYNs are dropped, as Linux does, until the application accepts.</summary>
    public bool AcceptQueueFull => _accepted.Count >= backlog;

    /// <summary>The socket-layer object waiting on this listener.</summary>
    public object? Owner { get; set; }

    /// <summary>Whether the listener is on the table's ready queue (so it is queued once).</summary>
    public bool Queued { get; set; }

    public void Enqueue(TcpControlBlock connection) => _accepted.Enqueue(connection);

    public bool TryDequeue(out TcpControlBlock connection)
    {
        while (_accepted.TryDequeue(out connection!))
        {
            if (connection.State != TcpState.Closed)
            {
                return true; // a connection reset while it waited is skipped (the table already removed it)
            }
        }
        return false;
    }

    /// <summary>Takes every connection still waiting (the listener closes: the table aborts them).</summary>
    public IEnumerable<TcpControlBlock> DrainAccepted()
    {
        while (_accepted.TryDequeue(out var connection))
        {
            yield return connection;
        }
    }
}
