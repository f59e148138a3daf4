using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;

namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// A TCP connection on a <see cref="Reactor"/>, shaped like <see cref="TcpClient"/>: construct it and
/// <see cref="ConnectAsync(EndPoint, CancellationToken)"/>, or take one from
/// <see cref="TcpSocketListener.AcceptTcpClientAsync"/>; <see cref="GetStream"/> gives a
/// <see cref="Stream"/> (what <see cref="NetworkStream"/> is for a kernel socket) and <see cref="Pipe"/> an
/// <see cref="IDuplexPipe"/> over the same bytes. Errors are <see cref="SocketException"/>s with
/// Linux's meanings: <see cref="SocketError.ConnectionRefused"/> when a SYN is answered with RST,
/// <see cref="SocketError.ConnectionReset"/>, <see cref="SocketError.TimedOut"/>.
/// </summary>
/// <remarks>
/// Threading: any thread may call it; every call becomes a command for the reactor thread, and
/// completions come back on the thread pool. One read and one write may be in flight at a time
/// (as on a stream). Steady-state reads and writes allocate nothing: each direction reuses one
/// operation object. Ownership: <see cref="Dispose"/> closes gracefully (FIN, finished by the
/// stack in the background) or, with <see cref="TcpSocketOptions.Linger"/> of zero, aborts (RST).
/// </remarks>
public sealed class TcpConnection : IDisposable, IAsyncDisposable
{
    private readonly Reactor _reactor;
    private readonly TcpIoOperation _read;
    private readonly TcpIoOperation _write;
    private readonly ManualResetEventSlim _ended = new(false);
    private TcpSocketOptions _options;
    private TcpControlBlock? _tcb;
    private TcpIoOperation? _pendingRead;
    private TcpIoOperation? _pendingWrite;
    private ConnectWork? _connecting;
    private TcpStream? _stream;
    private IDuplexPipe? _pipe;
    private volatile TcpState _state;
    private volatile bool _noDelay;
    private volatile bool _keepAlive;
    private int _sendBufferSize;
    private int _receiveBufferSize;
    private long _lingerTicks; // NoLinger, or the linger's ticks: a TimeSpan? read and written whole from any thread
    private int _available;
    private int _disposed;
    private int _connectCalls;
    private TcpConnectionHandler? _handler;
    private TcpConnectionContext? _context;
    private bool _handlerSawEnd;
    private bool _handlerWaitsForSpace;
    private int _handlerScheduled;
    private readonly HandlerWork _handlerWork;
    private SocketError _stopError;
    private TaskCompletionSource? _endedAsync;

    private TcpConnection(Reactor reactor, TcpSocketOptions options, bool validate)
    {
        if (validate)
        {
            options.Validate();
        }
        _reactor = reactor;
        _options = options;
        _noDelay = options.NoDelay;
        _keepAlive = options.KeepAlive;
        _sendBufferSize = options.SendBufferSize;
        _receiveBufferSize = options.ReceiveBufferSize;
        _lingerTicks = options.Linger?.Ticks ?? NoLinger;
        _read = new TcpIoOperation(this, write: false);
        _write = new TcpIoOperation(this, write: true);
        _handlerWork = new HandlerWork(this);
    }

    /// <summary>Wraps a connection a listener accepted (reactor thread).</summary>
    internal TcpConnection(Reactor reactor, TcpControlBlock tcb, TcpSocketOptions options) : this(reactor, options, validate: false)
    {
        _connectCalls = 1;
        Attach(tcb);
        _state = tcb.State;
    }

    /// <summary>An unconnected connection on <paramref name="reactor"/>'s interface (like <c>new TcpClient()</c>); <see cref="ConnectAsync(EndPoint, CancellationToken)"/> opens it.</summary>
    public TcpConnection(Reactor reactor, TcpSocketOptions? options = null)
        : this(reactor ?? throw new ArgumentNullException(nameof(reactor)), options ?? reactor.Core.Tcp.Options.DefaultSocketOptions, validate: true)
    {
    }

    /// <summary>
    /// Opens the connection to <paramref name="remote"/> (an <see cref="IPEndPoint"/> with an IPv4
    /// address) from an ephemeral port. Completes when the handshake does; fails with
    /// <see cref="SocketError.ConnectionRefused"/> (RST), <see cref="SocketError.TimedOut"/> (no answer
    /// after <see cref="TcpSocketOptions.SynRetries"/>) or <see cref="OperationCanceledException"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">Already connected or connecting.</exception>
    public ValueTask ConnectAsync(EndPoint remote, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(remote);
        ThrowIfDisposed();
        if (Interlocked.Exchange(ref _connectCalls, 1) != 0)
        {
            throw new InvalidOperationException("The connection is already connected or connecting.");
        }
        var work = new ConnectWork(this, remote.ToIpv4Endpoint(), _options, cancellationToken);
        _reactor.Post(work);
        return new ValueTask(work.Task);
    }

    /// <summary>Opens the connection to <paramref name="address"/>:<paramref name="port"/> (see <see cref="ConnectAsync(EndPoint, CancellationToken)"/>).</summary>
    public ValueTask ConnectAsync(IPAddress address, int port, CancellationToken cancellationToken = default) =>
        ConnectAsync(new IPEndPoint(address, port), cancellationToken);

    /// <summary>
    /// <see cref="ConnectAsync(EndPoint, CancellationToken)"/> that gives up after <paramref name="timeout"/>
    /// with <see cref="SocketError.TimedOut"/>.
    /// </summary>
    public async ValueTask ConnectAsync(EndPoint remote, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            await ConnectAsync(remote, timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SocketException((int)SocketError.TimedOut);
        }
    }

    /// <summary>The reactor the connection runs on.</summary>
    public Reactor Reactor => _reactor;

    /// <summary>Our address and port (null until connected).</summary>
    public IPEndPoint? LocalEndPoint { get; private set; }

    /// <summary>The peer's address and port.</summary>
    public IPEndPoint? RemoteEndPoint { get; private set; }

    /// <summary>The state as of the reactor's last look (RFC 9293 §3.3.2).</summary>
    public TcpState State => _state;

    /// <summary>Whether the handshake completed and the connection has not ended.</summary>
    public bool Connected => _state is TcpState.Established or TcpState.CloseWait or TcpState.FinWait1 or TcpState.FinWait2;

    /// <summary>Send small writes at once rather than coalescing them (turns Nagle's algorithm off, RFC 896).</summary>
    public bool NoDelay
    {
        get => _noDelay;
        set
        {
            _noDelay = value;
            _reactor.Post(new ActionWork(this, static c => c.ApplyNoDelay()));
        }
    }

    /// <summary>
    /// Probe the connection when idle and end it when the peer stops answering (SO_KEEPALIVE, RFC 1122
    /// §4.2.3.6), with <see cref="TcpSocketOptions.KeepAliveTime"/> and its companions; takes effect at once.
    /// </summary>
    public bool KeepAlive
    {
        get => _keepAlive;
        set
        {
            _keepAlive = value;
            Configure(o => o with { KeepAlive = value }, static c => c.ApplyKeepAlive());
        }
    }

    /// <summary>
    /// The send queue's size in bytes (SO_SNDBUF). Reads give the size set, or the initial
    /// <see cref="TcpSocketOptions.SendBufferSize"/> (the queue may since have grown with the congestion window).
    /// Setting it fixes the size, as on Linux: the queue grows to it at once, the stack's memory bound
    /// permitting, and no further; never past <see cref="TcpSocketOptions.MaxSendBufferSize"/> once connected.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Below 1 byte or above 1 GiB.</exception>
    public int SendBufferSize
    {
        get => Volatile.Read(ref _sendBufferSize);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1 << 30);
            Volatile.Write(ref _sendBufferSize, value);
            Configure(o => o with { SendBufferSize = value, MaxSendBufferSize = value }, c => c.ApplySendBufferSize(value));
        }
    }

    /// <summary>
    /// The receive queue's size in bytes (SO_RCVBUF), which bounds the window offered to the peer. Reads give
    /// the size set, or the initial <see cref="TcpSocketOptions.ReceiveBufferSize"/> (autotuning may since have
    /// grown the queue). Setting it fixes the size and stops autotuning, as on Linux: set before
    /// <see cref="ConnectAsync(EndPoint, CancellationToken)"/> it also chooses the window scale the SYN offers;
    /// once connected the queue grows to it at once (memory bound permitting) but never past the
    /// <see cref="TcpSocketOptions.MaxReceiveBufferSize"/> that scale was chosen for (RFC 7323 §2.2).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Below 1 byte or above 1 GiB.</exception>
    public int ReceiveBufferSize
    {
        get => Volatile.Read(ref _receiveBufferSize);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1 << 30);
            Volatile.Write(ref _receiveBufferSize, value);
            Configure(o => o with { ReceiveBufferSize = value, MaxReceiveBufferSize = value }, c => c.ApplyReceiveBufferSize(value));
        }
    }

    /// <summary>
    /// What closing does (<see cref="TcpSocketOptions.Linger"/>): null closes gracefully in the background,
    /// <see cref="TimeSpan.Zero"/> aborts with RST, a positive time makes <see cref="Dispose"/> wait that long
    /// for the FIN handshake. Applies to a close that starts after it is set.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative time.</exception>
    public TimeSpan? Linger
    {
        get
        {
            long ticks = Volatile.Read(ref _lingerTicks);
            return ticks == NoLinger ? null : TimeSpan.FromTicks(ticks);
        }
        set
        {
            if (value is TimeSpan linger)
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(linger, TimeSpan.Zero);
            }
            Volatile.Write(ref _lingerTicks, value?.Ticks ?? NoLinger);
        }
    }

    /// <summary>
    /// <see cref="Linger"/> as <see cref="TcpClient.LingerState"/> has it (SO_LINGER): enabled with 0 seconds
    /// aborts with RST on close, enabled with more waits that long, disabled closes in the background.
    /// </summary>
    /// <exception cref="ArgumentNullException">Null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A negative time.</exception>
    public LingerOption LingerState
    {
        // Rounded up: a sub-second linger must not read as 0 seconds, which means abort.
        get => Linger is TimeSpan linger ? new LingerOption(true, (int)Math.Min(Math.Ceiling(linger.TotalSeconds), int.MaxValue)) : new LingerOption(false, 0);
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            ArgumentOutOfRangeException.ThrowIfNegative(value.LingerTime, nameof(value));
            Linger = value.Enabled ? TimeSpan.FromSeconds(value.LingerTime) : null;
        }
    }

    /// <summary>
    /// Bytes received and not yet read (as <see cref="TcpClient.Available"/>), as of the reactor's last look:
    /// it rises when data arrives and falls when reads take it, so it may trail the reactor by a moment.
    /// </summary>
    public int Available => Volatile.Read(ref _available);

    /// <summary>
    /// The connection as a <see cref="Stream"/> (sync and async reads and writes, timeouts);
    /// disposing the stream disposes the connection, as with <see cref="TcpClient.GetStream"/>.
    /// </summary>
    public TcpStream GetStream() => _stream ??= new TcpStream(this);

    /// <summary>
    /// The connection as an <see cref="IDuplexPipe"/> (System.IO.Pipelines), over the same bytes as
    /// <see cref="GetStream"/>; dispose the connection when done with both ends.
    /// </summary>
    public IDuplexPipe Pipe => _pipe ??= new StreamDuplexPipe(GetStream());

    /// <summary>
    /// Hands the connection's bytes to <paramref name="handler"/> on the reactor thread as they arrive
    /// (zero-copy; see <see cref="TcpConnectionHandler"/>); reads through <see cref="ReceiveAsync"/> or the
    /// stream then fail. Null goes back to reads. The handler also runs once with what is already queued.
    /// </summary>
    public void SetHandler(TcpConnectionHandler? handler)
    {
        ThrowIfDisposed();
        _reactor.Post(new ActionWork(this, c =>
        {
            c._handler = handler;
            c._context ??= new TcpConnectionContext(c);
            c.RunHandler();
        }));
    }

    /// <summary>
    /// Runs the handler (<see cref="SetHandler"/>) on the reactor thread soon, even when nothing arrived: for a
    /// handler that also moves bytes other threads produce (an application's output). Calls made before that run
    /// become one run (one wake of the reactor). Any thread; allocates nothing; does nothing once disposed.
    /// </summary>
    public void ScheduleHandler()
    {
        if (Volatile.Read(ref _disposed) != 0 || Interlocked.Exchange(ref _handlerScheduled, 1) != 0)
        {
            return;
        }
        _reactor.Post(_handlerWork);
    }

    /// <summary>Reads what has arrived into <paramref name="buffer"/> (waiting for at least one byte); 0 once the peer closed its side.</summary>
    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        _read.Rent();
        _read.Buffer = buffer;
        return _read.Start(_reactor, cancellationToken);
    }

    /// <summary>Queues all of <paramref name="buffer"/> for sending; completes once every byte is in the send queue (not yet acknowledged).</summary>
    public ValueTask<int> SendAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        _write.Rent();
        _write.Data = buffer;
        return _write.Start(_reactor, cancellationToken);
    }

    /// <summary>
    /// Shuts down a direction (RFC 9293 §3.10.4 as a half-close): <see cref="SocketShutdown.Send"/> or
    /// <see cref="SocketShutdown.Both"/> sends our FIN after the queued data; reads then still return
    /// what the peer sends until its FIN.
    /// </summary>
    public void Shutdown(SocketShutdown how)
    {
        ThrowIfDisposed();
        if (how is SocketShutdown.Send or SocketShutdown.Both)
        {
            _reactor.Post(new ActionWork(this, static c => c.ShutdownOnReactor()));
        }
    }

    /// <summary>Aborts the connection: RST to the peer, pending operations fail with <see cref="SocketError.ConnectionAborted"/>.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _reactor.Post(new ActionWork(this, static c => c.CloseOnReactor(abort: true)));
        }
    }

    /// <summary>
    /// Closes the connection: a FIN after the queued data, the handshake finished by the stack in the
    /// background (or RST when unread data is left, or with a zero <see cref="TcpSocketOptions.Linger"/>).
    /// With a positive linger it waits up to that long for the close to complete, blocking the calling
    /// thread (as a blocking socket's close does); <see cref="DisposeAsync"/> waits without blocking.
    /// </summary>
    public void Dispose()
    {
        if (!BeginClose())
        {
            return;
        }
        if (Linger is TimeSpan linger && linger > TimeSpan.Zero && !_reactor.IsReactorThread)
        {
            _ended.Wait(linger);
        }
    }

    /// <summary>
    /// Closes the connection as <see cref="Dispose"/> does without blocking any thread: with a positive
    /// <see cref="TcpSocketOptions.Linger"/> the returned task completes once the close completed or the
    /// linger passed; otherwise at once. May be called on the reactor thread (a handler) too.
    /// </summary>
    public ValueTask DisposeAsync()
    {
        if (Linger is not TimeSpan linger || linger <= TimeSpan.Zero)
        {
            BeginClose();
            return ValueTask.CompletedTask;
        }
        if (Volatile.Read(ref _disposed) != 0)
        {
            return ValueTask.CompletedTask;
        }
        // Set before the close is posted, so the reactor's end signal finds it (the close path only: it allocates).
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _endedAsync, ended);
        if (_ended.IsSet)
        {
            ended.TrySetResult();
        }
        if (!BeginClose())
        {
            return ValueTask.CompletedTask;
        }
        return new ValueTask(WaitEndedAsync(ended.Task, linger));
    }

    private static async Task WaitEndedAsync(Task ended, TimeSpan linger)
    {
        try
        {
            await ended.WaitAsync(linger).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The linger passed: the stack finishes (or resets) the close in the background, as a kernel socket does.
        }
    }

    /// <summary>Posts the close once (RST with a zero linger, else FIN); false when an earlier call did.</summary>
    private bool BeginClose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return false;
        }
        bool abort = Linger == TimeSpan.Zero;
        _reactor.Post(new ActionWork(this, abort ? static c => c.CloseOnReactor(abort: true) : static c => c.CloseOnReactor(abort: false)));
        return true;
    }

    /// <summary>The connection ended (closed, reset, or its reactor stopped): wake whoever waits for it.</summary>
    private void SignalEnded()
    {
        _ended.Set();
        Volatile.Read(ref _endedAsync)?.TrySetResult();
    }

    /// <summary>Closes the connection (<see cref="Dispose"/>).</summary>
    public void Close() => Dispose();

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    // ---- reactor thread ----

    private TcpEndpointTable Table => _reactor.Core.Tcp;

    private const long NoLinger = long.MinValue;

    private void Attach(TcpControlBlock tcb)
    {
        _tcb = tcb;
        tcb.Owner = this;
        tcb.NoDelay = _noDelay;
        LocalEndPoint = new IPEndPoint(tcb.Tuple.LocalAddress.ToIPAddress(), tcb.Tuple.LocalPort);
        RemoteEndPoint = new IPEndPoint(tcb.Tuple.RemoteAddress.ToIPAddress(), tcb.Tuple.RemotePort);
    }

    /// <summary>Runs a read or a write (first attempt, or again after readiness).</summary>
    internal void Run(TcpIoOperation op)
    {
        if (_tcb is not TcpControlBlock tcb)
        {
            op.Fail(new SocketException((int)SocketError.NotConnected));
            return;
        }
        if (op.IsWrite)
        {
            RunWrite(tcb, op);
        }
        else
        {
            RunRead(tcb, op);
        }
    }

    private void RunRead(TcpControlBlock tcb, TcpIoOperation op)
    {
        if (_handler is not null)
        {
            op.Fail(new InvalidOperationException("The connection's bytes go to its handler (SetHandler): reads are off."));
            return;
        }
        if (tcb.Available > 0)
        {
            int n = tcb.Read(op.Buffer.Span);
            Table.AfterActivity(tcb, _reactor.Now); // a window update may be due
            Volatile.Write(ref _available, tcb.Available); // before the reader wakes, so it never sees bytes it already took
            op.Succeed(n);
            return;
        }
        if (tcb.ReadCompleted || op.Buffer.IsEmpty)
        {
            op.Succeed(0);
            return;
        }
        if (tcb.State is TcpState.Closed or TcpState.TimeWait)
        {
            if (tcb.Error is SocketError.Success)
            {
                op.Succeed(0);
            }
            else
            {
                op.Fail(new SocketException((int)tcb.Error));
            }
            return;
        }
        op.Parked = true;
        _pendingRead = op;
    }

    private void RunWrite(TcpControlBlock tcb, TcpIoOperation op)
    {
        if (tcb.State is TcpState.Closed && tcb.Error is not SocketError.Success)
        {
            op.Fail(new SocketException((int)tcb.Error));
            return;
        }
        if (!tcb.CanWrite)
        {
            op.Fail(new SocketException((int)SocketError.Shutdown));
            return;
        }
        var data = op.Data.Span;
        while (op.Done < data.Length)
        {
            int n = tcb.Write(data[op.Done..]);
            if (n == 0)
            {
                break;
            }
            op.Done += n;
        }
        Table.AfterActivity(tcb, _reactor.Now);
        if (op.Done == data.Length)
        {
            op.Succeed(op.Done);
            return;
        }
        op.Parked = true;
        _pendingWrite = op;
    }

    /// <summary>The table reported events for this connection (reactor thread).</summary>
    internal void OnReady()
    {
        if (_tcb is not TcpControlBlock tcb)
        {
            return;
        }
        _state = tcb.State;
        if (_connecting is ConnectWork connect && tcb.State is not (TcpState.SynSent or TcpState.SynReceived))
        {
            _connecting = null;
            connect.Finish(tcb);
        }
        RunHandler();
        if (_pendingRead is TcpIoOperation read)
        {
            _pendingRead = null;
            read.Parked = false;
            RunRead(tcb, read);
        }
        if (_pendingWrite is TcpIoOperation write)
        {
            _pendingWrite = null;
            write.Parked = false;
            RunWrite(tcb, write);
        }
        Volatile.Write(ref _available, tcb.Available);
        if (tcb.State is TcpState.Closed or TcpState.TimeWait)
        {
            SignalEnded();
        }
    }

    /// <summary>
    /// Calls the handler with what has arrived, the connection's end (reported once), room that opened in the
    /// send queue after a send came back short, or because <see cref="ScheduleHandler"/> asked (<paramref name="scheduled"/>);
    /// a throwing handler aborts the connection.
    /// </summary>
    private void RunHandler(bool scheduled = false)
    {
        if (_handler is not TcpConnectionHandler handler || _tcb is not TcpControlBlock tcb || _context is not TcpConnectionContext context)
        {
            return;
        }
        bool end = tcb.ReadCompleted || tcb.State is TcpState.Closed or TcpState.TimeWait || _stopError != SocketError.Success;
        bool roomOpened = _handlerWaitsForSpace && (tcb.SendSpace > 0 || !tcb.CanWrite);
        if (!scheduled && !roomOpened && tcb.Available == 0 && (!end || _handlerSawEnd))
        {
            return; // nothing new: the end is reported once
        }
        _handlerSawEnd = end;
        context.Attach(tcb);
        try
        {
            handler(context);
        }
        catch (Exception)
        {
            _reactor.CountHandlerError();
            tcb.Abort();
        }
        finally
        {
            _handlerWaitsForSpace = context.Detach();
        }
        Volatile.Write(ref _available, tcb.Available);
        Table.AfterActivity(tcb, _reactor.Now);
    }

    /// <summary>Why the connection ended when its reactor stopped under it (<see cref="SocketError.Success"/> otherwise); reactor thread.</summary>
    internal SocketError StopError => _stopError;

    /// <summary>A cancellation reached the reactor while the operation still waits.</summary>
    internal void Cancel(TcpIoOperation op, Exception error)
    {
        if (_pendingRead == op)
        {
            _pendingRead = null;
        }
        if (_pendingWrite == op)
        {
            _pendingWrite = null;
        }
        op.Fail(error);
    }

    /// <summary>
    /// Changes a setting: in the options a connect still to come uses (it reads them when called), and on the
    /// connection once the reactor has it (a command, so the control block is only touched on its thread).
    /// </summary>
    private void Configure(Func<TcpSocketOptions, TcpSocketOptions> change, Action<TcpConnection> apply)
    {
        ThrowIfDisposed();
        if (Volatile.Read(ref _connectCalls) == 0)
        {
            _options = change(_options);
        }
        _reactor.Post(new ActionWork(this, apply));
    }

    private void ApplyKeepAlive()
    {
        if (_tcb is TcpControlBlock tcb)
        {
            tcb.KeepAlive = _keepAlive;
            Table.AfterActivity(tcb, _reactor.Now); // the keepalive timer is (re)scheduled
        }
    }

    private void ApplySendBufferSize(int bytes)
    {
        if (_tcb is TcpControlBlock tcb)
        {
            tcb.SetSendBufferSize(bytes);
            Table.AfterActivity(tcb, _reactor.Now); // a parked write may fit now
        }
    }

    private void ApplyReceiveBufferSize(int bytes)
    {
        if (_tcb is TcpControlBlock tcb)
        {
            tcb.SetReceiveBufferSize(bytes);
            Table.AfterActivity(tcb, _reactor.Now); // a window update may be due
        }
    }

    private void ApplyNoDelay()
    {
        if (_tcb is TcpControlBlock tcb)
        {
            tcb.NoDelay = _noDelay;
            Table.AfterActivity(tcb, _reactor.Now); // held small segments may go now
        }
    }

    private void ShutdownOnReactor()
    {
        if (_tcb is TcpControlBlock tcb)
        {
            tcb.Shutdown();
            Table.AfterActivity(tcb, _reactor.Now);
        }
    }

    private void CloseOnReactor(bool abort)
    {
        FailPending(SocketError.OperationAborted);
        if (_connecting is ConnectWork connect)
        {
            _connecting = null;
            connect.Fail(new SocketException((int)SocketError.OperationAborted));
        }
        if (_tcb is not TcpControlBlock tcb)
        {
            SignalEnded();
            return;
        }
        if (abort)
        {
            tcb.Abort();
        }
        else
        {
            tcb.CloseByApplication();
        }
        if (Linger is not TimeSpan linger || linger <= TimeSpan.Zero)
        {
            Table.Release(tcb); // an orphan: the stack finishes the close on its own
        }
        Table.AfterActivity(tcb, _reactor.Now);
        _state = tcb.State;
        if (tcb.State is TcpState.Closed or TcpState.TimeWait)
        {
            SignalEnded();
        }
    }

    /// <summary>The reactor is stopping (or the connection ended): fail what waits.</summary>
    internal void FailPending(SocketError error)
    {
        RunHandler();
        if (_pendingRead is TcpIoOperation read)
        {
            _pendingRead = null;
            read.Fail(new SocketException((int)error));
        }
        if (_pendingWrite is TcpIoOperation write)
        {
            _pendingWrite = null;
            write.Fail(new SocketException((int)error));
        }
    }

    /// <summary>The reactor stops: everything fails with <paramref name="error"/>.</summary>
    internal void CloseOnReactorStop(SocketError error)
    {
        _stopError = error; // a handler hears of it in the run FailPending makes
        FailPending(error);
        if (_connecting is ConnectWork connect)
        {
            _connecting = null;
            connect.Fail(new SocketException((int)error));
        }
        SignalEnded();
    }

    private sealed class ActionWork(TcpConnection connection, Action<TcpConnection> action) : ReactorWork
    {
        internal override void Execute(Reactor reactor) => action(connection);

        internal override void Abort(SocketError error) => connection.SignalEnded();
    }

    /// <summary>A <see cref="ScheduleHandler"/> request: one reusable object per connection, posted at most once at a time.</summary>
    private sealed class HandlerWork(TcpConnection connection) : ReactorWork
    {
        internal override void Execute(Reactor reactor)
        {
            Volatile.Write(ref connection._handlerScheduled, 0); // a request from now on needs another run
            connection.RunHandler(scheduled: true);
        }

        internal override void Abort(SocketError error) => Volatile.Write(ref connection._handlerScheduled, 0);
    }

    /// <summary>An active open on its way to the reactor and back (the control path: it allocates).</summary>
    private sealed class ConnectWork(TcpConnection connection, Ipv4Endpoint remote, TcpSocketOptions options, CancellationToken cancellationToken) : ReactorWork
    {
        private readonly TaskCompletionSource _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private CancellationTokenRegistration _registration;

        public Task Task => _tcs.Task;

        public TcpConnection Connection => connection;

        internal override void Execute(Reactor reactor)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                Fail(new OperationCanceledException(cancellationToken));
                return;
            }
            var error = reactor.Core.Tcp.Connect(remote.Address, remote.Port, options, reactor.Now, out var tcb);
            if (error != NetError.None)
            {
                Fail(SocketConversions.Exception(error));
                return;
            }
            connection.Attach(tcb!);
            connection._state = tcb!.State;
            connection._connecting = this;
            if (cancellationToken.CanBeCanceled)
            {
                _registration = cancellationToken.UnsafeRegister(static state =>
                {
                    var work = (ConnectWork)state!;
                    work.Connection._reactor.Post(new ActionWork(work.Connection, static c => c.CancelConnect()));
                }, this);
            }
            connection.OnReady(); // a refusal may already have arrived (never in practice: the SYN just left)
        }

        internal override void Abort(SocketError error) => Fail(new SocketException((int)error));

        public void Finish(TcpControlBlock tcb)
        {
            if (tcb.State == TcpState.Closed && tcb.Error != SocketError.Success)
            {
                Fail(new SocketException((int)tcb.Error));
                return;
            }
            _registration.Dispose();
            _tcs.TrySetResult();
        }

        public void Fail(Exception error)
        {
            _registration.Dispose();
            _tcs.TrySetException(error);
        }

        public void Cancelled() => Fail(new OperationCanceledException(cancellationToken));
    }

    private void CancelConnect()
    {
        if (_connecting is ConnectWork connect && _tcb is TcpControlBlock tcb)
        {
            _connecting = null;
            tcb.Abort();
            Table.Release(tcb);
            Table.AfterActivity(tcb, _reactor.Now);
            connect.Cancelled();
        }
    }

    /// <summary>An <see cref="IDuplexPipe"/> over the connection's stream (System.IO.Pipelines' stream adapters).</summary>
    private sealed class StreamDuplexPipe(Stream stream) : IDuplexPipe
    {
        public PipeReader Input { get; } = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));

        public PipeWriter Output { get; } = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
    }
}
