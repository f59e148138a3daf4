using System.Net.Sockets;

namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// Handles a connection's bytes on the reactor thread as they arrive, without a copy out of the
/// receive queue: the fastest servers (an echo, a proxy, a protocol parser) run here instead of
/// awaiting reads. Set with <see cref="TcpConnection.SetHandler"/>.
/// </summary>
/// <param name="context">The received bytes and a writer into the send queue; valid only during the call.</param>
/// <remarks>
/// It runs when bytes arrive, once when the connection ends (the peer's FIN, a reset, the reactor stopping:
/// see <see cref="TcpConnectionContext.PeerClosed"/> and <see cref="TcpConnectionContext.Error"/>), when room opens
/// in the send queue after a <see cref="TcpConnectionContext.Send"/> or <see cref="TcpConnectionContext.GetSendSpan"/>
/// came back short, and when <see cref="TcpConnection.ScheduleHandler"/> asks.
/// Runs on the reactor: it must not block (no sync socket calls, no locks held long). An exception
/// is counted (<see cref="Reactor.HandlerErrors"/>) and aborts the connection (RST), so the reactor keeps running.
/// </remarks>
public delegate void TcpConnectionHandler(TcpConnectionContext context);

/// <summary>
/// What a <see cref="TcpConnectionHandler"/> sees: the unread bytes where they lie in the receive
/// queue (one or two spans: the queue is a ring) and the send queue to write into. Reactor thread
/// only, valid only during the handler call.
/// </summary>
public sealed class TcpConnectionContext
{
    private TcpControlBlock? _tcb;
    private bool _sendBlocked;

    internal TcpConnectionContext(TcpConnection connection) => Connection = connection;

    /// <summary>The connection.</summary>
    public TcpConnection Connection { get; }

    internal void Attach(TcpControlBlock tcb)
    {
        _tcb = tcb;
        _sendBlocked = false;
    }

    /// <summary>Ends the handler call; returns whether a send came back short (the handler then runs again when room opens).</summary>
    internal bool Detach()
    {
        _tcb = null;
        return _sendBlocked;
    }

    private TcpControlBlock Tcb => _tcb ?? throw new InvalidOperationException("The context is used outside its handler call.");

    /// <summary>Unread bytes (<see cref="First"/> then <see cref="Second"/>).</summary>
    public int Available => Tcb.Available;

    /// <summary>The first part of the unread bytes.</summary>
    public ReadOnlySpan<byte> First
    {
        get
        {
            Tcb.PeekReceived(out var first, out _);
            return first;
        }
    }

    /// <summary>The rest of the unread bytes, where the receive queue wraps (often empty).</summary>
    public ReadOnlySpan<byte> Second
    {
        get
        {
            Tcb.PeekReceived(out _, out var second);
            return second;
        }
    }

    /// <summary>
    /// Whether no more bytes will arrive: the peer closed its side (FIN) and every byte before it is in
    /// <see cref="First"/>/<see cref="Second"/> or consumed, or the connection ended (see <see cref="Error"/>).
    /// </summary>
    public bool PeerClosed => Tcb.ReadCompleted || Tcb.State == TcpState.Closed || Connection.StopError != SocketError.Success;

    /// <summary>
    /// Why the connection ended: <see cref="SocketError.ConnectionReset"/>, <see cref="SocketError.TimedOut"/>, ...,
    /// <see cref="SocketError.OperationAborted"/> when its reactor stopped; <see cref="SocketError.Success"/> while it
    /// is open or after a clean close.
    /// </summary>
    public SocketError Error => Tcb.Error != SocketError.Success ? Tcb.Error : Connection.StopError;

    /// <summary>Whether bytes may still be queued for sending (the connection is open and sending was not shut down).</summary>
    public bool CanSend => Tcb.CanWrite && Connection.StopError == SocketError.Success;

    /// <summary>Marks <paramref name="length"/> unread bytes as used (the window reopens by as much).</summary>
    public void Consume(int length) => Tcb.Consume(length);

    /// <summary>Room in the send queue to write into directly; <see cref="Commit"/> queues what was written. Empty when it is full or sending is shut down.</summary>
    public Span<byte> GetSendSpan(int sizeHint = 0)
    {
        var span = Tcb.GetWriteSpan(sizeHint);
        _sendBlocked |= span.IsEmpty;
        return span;
    }

    /// <summary>Queues <paramref name="length"/> bytes written into <see cref="GetSendSpan"/>.</summary>
    public void Commit(int length) => Tcb.CommitWrite(length);

    /// <summary>Copies as much of <paramref name="data"/> as fits into the send queue; returns the bytes taken.</summary>
    public int Send(ReadOnlySpan<byte> data)
    {
        int total = 0;
        while (total < data.Length)
        {
            var span = Tcb.GetWriteSpan(data.Length - total);
            if (span.IsEmpty)
            {
                _sendBlocked = true; // run again once room opens
                break;
            }
            int n = Math.Min(span.Length, data.Length - total);
            data.Slice(total, n).CopyTo(span);
            Tcb.CommitWrite(n);
            total += n;
        }
        return total;
    }

    /// <summary>Sends our FIN after what is queued (a half-close).</summary>
    public void Shutdown() => Tcb.Shutdown();
}
