using System.Net;
using System.Net.Sockets;

namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// Listens for TCP connections on a port of the reactor's interface, shaped like
/// <see cref="TcpListener"/>: <see cref="Start"/>, <see cref="AcceptTcpClientAsync"/>, <see cref="Stop"/>. A program
/// written for <see cref="TcpListener"/>/<see cref="TcpClient"/>/<see cref="NetworkStream"/> ports by changing
/// only the lines that construct the listener and the client.
/// Connections whose handshake completed wait in the accept queue (bounded by the backlog; beyond
/// it SYNs are dropped and, with the SYN queue full, answered with SYN cookies).
/// </summary>
public sealed class TcpSocketListener : IDisposable
{
    private readonly Reactor _reactor;
    private readonly ushort _port;
    private readonly TcpSocketOptions _options;
    private readonly Queue<AcceptWork> _waiting = new(); // reactor thread only
    private TcpListenerState? _state;                       // reactor thread only
    private volatile bool _active;

    /// <summary>A listener for <paramref name="port"/> on <paramref name="reactor"/>'s interface; accepted connections get <paramref name="options"/>.</summary>
    public TcpSocketListener(Reactor reactor, int port, TcpSocketOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reactor);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, ushort.MaxValue);
        _reactor = reactor;
        _port = (ushort)port;
        _options = options ?? reactor.Core.Tcp.Options.DefaultSocketOptions;
        _options.Validate();
    }

    /// <summary>The address and port listened on.</summary>
    public IPEndPoint LocalEndPoint => new(_reactor.Core.Address.ToIPAddress(), _port);

    /// <summary>Whether <see cref="Start"/> ran and <see cref="Stop"/> did not.</summary>
    public bool Active => _active;

    /// <summary>Starts listening with room for <paramref name="backlog"/> connections in each of the SYN and accept queues.</summary>
    /// <exception cref="SocketException"><see cref="SocketError.AddressAlreadyInUse"/>: the port has a listener.</exception>
    public void Start(int backlog = 128)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(backlog, 1);
        if (_reactor.IsReactorThread)
        {
            StartOnReactor(backlog);
            return;
        }
        _reactor.InvokeAsync(_ => { StartOnReactor(backlog); return true; }).GetAwaiter().GetResult();
    }

    private void StartOnReactor(int backlog)
    {
        if (_state is not null)
        {
            throw new InvalidOperationException("The listener is already started.");
        }
        var error = _reactor.Core.Tcp.Listen(_port, backlog, _options, out var state);
        if (error != NetError.None)
        {
            throw SocketConversions.Exception(error);
        }
        state!.Owner = this;
        _state = state;
        _active = true;
    }

    /// <summary>Waits for the next connection (named as <see cref="TcpListener.AcceptTcpClientAsync(CancellationToken)"/>, whose role it has).</summary>
    /// <exception cref="InvalidOperationException">Not started.</exception>
    /// <exception cref="SocketException"><see cref="SocketError.OperationAborted"/> once stopped.</exception>
    public ValueTask<TcpConnection> AcceptTcpClientAsync(CancellationToken cancellationToken = default)
    {
        if (!_active)
        {
            throw new InvalidOperationException("Start the listener before accepting.");
        }
        var work = new AcceptWork(this, cancellationToken);
        _reactor.Post(work);
        return new ValueTask<TcpConnection>(work.Task);
    }

    /// <summary>Stops listening: connections not yet accepted are reset, waiting accepts fail with <see cref="SocketError.OperationAborted"/>.</summary>
    public void Stop()
    {
        if (!_active)
        {
            return;
        }
        _active = false;
        if (_reactor.IsReactorThread)
        {
            StopOnReactor();
            return;
        }
        try
        {
            _reactor.InvokeAsync(_ => { StopOnReactor(); return true; }).GetAwaiter().GetResult();
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.OperationAborted)
        {
            // The reactor already stopped: nothing listens any more.
        }
    }

    /// <summary>Stops listening (<see cref="Stop"/>).</summary>
    public void Dispose() => Stop();

    private void StopOnReactor()
    {
        if (_state is TcpListenerState state)
        {
            _reactor.Core.Tcp.StopListening(state, _reactor.Now);
            _state = null;
        }
        FailWaiting(SocketError.OperationAborted);
    }

    /// <summary>The table has connections ready (reactor thread).</summary>
    internal void OnReady()
    {
        while (_waiting.Count > 0 && _state is TcpListenerState state)
        {
            var work = _waiting.Peek();
            if (work.Done)
            {
                _waiting.Dequeue();
                continue;
            }
            if (!TryAccept(state, work))
            {
                return;
            }
            _waiting.Dequeue();
        }
    }

    internal void FailWaiting(SocketError error)
    {
        while (_waiting.TryDequeue(out var work))
        {
            work.Fail(new SocketException((int)error));
        }
    }

    private bool TryAccept(TcpListenerState state, AcceptWork work)
    {
        var table = _reactor.Core.Tcp;
        if (!table.TryAccept(state, this, out var tcb))
        {
            return false;
        }
        var connection = new TcpConnection(_reactor, tcb!, state.Options);
        work.Succeed(connection);
        return true;
    }

    /// <summary>An accept on its way to the reactor and back (control path: it allocates).</summary>
    private sealed class AcceptWork(TcpSocketListener listener, CancellationToken cancellationToken) : ReactorWork
    {
        private readonly TaskCompletionSource<TcpConnection> _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private CancellationTokenRegistration _registration;

        public Task<TcpConnection> Task => _tcs.Task;

        public bool Done => _tcs.Task.IsCompleted;

        public TcpSocketListener Listener => listener;

        public CancellationToken Token => cancellationToken;

        internal override void Execute(Reactor reactor)
        {
            if (listener._state is not TcpListenerState state)
            {
                Fail(new SocketException((int)SocketError.OperationAborted));
                return;
            }
            if (listener._waiting.Count == 0 && listener.TryAccept(state, this))
            {
                return;
            }
            listener._waiting.Enqueue(this);
            if (cancellationToken.CanBeCanceled)
            {
                _registration = cancellationToken.UnsafeRegister(static state =>
                {
                    var work = (AcceptWork)state!;
                    work.Listener._reactor.Post(new CancelWork(work));
                }, this);
            }
        }

        internal override void Abort(SocketError error) => Fail(new SocketException((int)error));

        public void Succeed(TcpConnection connection)
        {
            _registration.Dispose();
            if (!_tcs.TrySetResult(connection))
            {
                connection.Dispose(); // cancelled meanwhile: nobody will own it
            }
        }

        public void Fail(Exception error)
        {
            _registration.Dispose();
            _tcs.TrySetException(error);
        }

        private sealed class CancelWork(AcceptWork work) : ReactorWork
        {
            internal override void Execute(Reactor reactor) => work.Fail(new OperationCanceledException(work.Token));

            internal override void Abort(SocketError error)
            {
            }
        }
    }
}
