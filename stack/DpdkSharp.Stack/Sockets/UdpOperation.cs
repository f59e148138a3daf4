using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace DpdkSharp.Stack.Sockets;

/// <summary>What a socket operation produced: bytes moved and, for receives, the sender.</summary>
internal readonly record struct UdpResult(int Bytes, Ipv4Endpoint Remote);

internal enum UdpOperationKind : byte
{
    Bind,
    Connect,
    Send,
    Receive,
    SetHandler,
    SetReceiveBuffer,
    JoinGroup,
    LeaveGroup,
    Close,
}

/// <summary>
/// One socket call travelling to the reactor and back: it is the command (executed on the reactor
/// thread) and the completion (<see cref="IValueTaskSource{TResult}"/>, completed only by the
/// reactor, continuations run on the thread pool). Completing only on the reactor is what makes
/// cancellation safe: a cancelled receive is removed by the reactor, so the reactor never writes
/// into a buffer whose caller has already returned.
/// </summary>
/// <remarks>
/// Blocking calls (<see cref="RunBlocking"/>) wait on an event of the operation instead of a
/// task, time out by asking the reactor to remove the operation, and pass a span through a
/// reusable pinned-memory wrapper: with the socket's cached operation a blocking send or receive
/// allocates nothing.
/// </remarks>
internal sealed class UdpOperation : ReactorWork, IValueTaskSource<UdpResult>
{
    private ManualResetValueTaskSourceCore<UdpResult> _source = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _registration;
    private UdpSocket _socket = null!;
    private readonly PinnedMemory _pinned = new();
    private ManualResetEventSlim? _completed; // blocking callers only
    private bool _blocking;

    public UdpOperationKind Kind;
    public Memory<byte> Buffer;
    public ReadOnlyMemory<byte> Payload;
    public Ipv4Endpoint? Endpoint;
    public int Value;
    public bool ReuseAddress;
    public UdpDatagramHandler? Handler;

    /// <summary>Set on the reactor thread once completed (so a late cancel request is ignored).</summary>
    public bool Done;

    public short Version => _source.Version;

    public UdpSocket Socket => _socket;

    public void Prepare(UdpSocket socket, UdpOperationKind kind)
    {
        _socket = socket;
        Kind = kind;
        Done = false;
        Buffer = default;
        Payload = default;
        Endpoint = null;
        Value = 0;
        Handler = null;
        ReuseAddress = false;
        _blocking = false;
    }

    /// <summary>A span the blocking caller keeps pinned (fixed) until <see cref="RunBlocking"/> returns, as memory.</summary>
    public unsafe Memory<byte> Pin(byte* pointer, int length) => _pinned.Reset(pointer, length);

    /// <summary>
    /// Posts and blocks until the reactor completes the operation. After
    /// <paramref name="timeoutMilliseconds"/> (0 or -1: none) the reactor is asked to fail it with
    /// <see cref="SocketError.TimedOut"/> if it still waits, and the call waits for that, so a
    /// pinned buffer is never written after the caller returned.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called on the reactor's own thread (a handler): it would wait for itself forever.</exception>
    public UdpResult RunBlocking(Reactor reactor, int timeoutMilliseconds)
    {
        if (reactor.IsReactorThread)
        {
            // The reactor completes this operation, so blocking its thread on it never returns.
            throw new InvalidOperationException(
                "A blocking socket call cannot run on the reactor's thread (e.g. inside a handler): use the handler's context (Reply, SendTo) or the async methods from another thread.");
        }
        _blocking = true;
        var completed = _completed ??= new ManualResetEventSlim(false);
        completed.Reset();
        var pending = Start(reactor, default);
        if (!completed.Wait(timeoutMilliseconds > 0 ? timeoutMilliseconds : Timeout.Infinite))
        {
            reactor.Post(new CancelWork(this, Version, null));
            completed.Wait();
        }
        return pending.Result; // completed: GetResult, no task
    }

    /// <summary>Posts to the reactor; a cancellation posts a cancel request that the reactor honours if still pending.</summary>
    public ValueTask<UdpResult> Start(Reactor reactor, CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            short version = Version;
            _registration = cancellationToken.UnsafeRegister(static (state, token) =>
            {
                var (op, v) = ((UdpOperation, short))state!;
                op._socket.Reactor.Post(new CancelWork(op, v, token));
            }, (this, version));
        }
        reactor.Post(this);
        return new ValueTask<UdpResult>(this, Version);
    }

    internal override void Execute(Reactor reactor)
    {
        if (!Done) // a token cancelled before the start gets here already failed
        {
            _socket.Execute(this);
        }
    }

    internal override void Abort(SocketError error) => Fail(new SocketException((int)error));

    // Whether a blocking caller waits is read before the result is set: an awaited operation may
    // be back in the socket's cache, and rented by a blocking call, the moment its result is set;
    // that call's event is not ours to signal.
    public void Succeed(UdpResult result)
    {
        Done = true;
        bool blocking = _blocking;
        _source.SetResult(result);
        if (blocking)
        {
            _completed!.Set();
        }
    }

    public void Fail(Exception error)
    {
        Done = true;
        bool blocking = _blocking;
        _source.SetException(error);
        if (blocking)
        {
            _completed!.Set();
        }
    }

    public UdpResult GetResult(short token)
    {
        try
        {
            return _source.GetResult(token);
        }
        finally
        {
            _registration.Dispose();
            _registration = default;
            _source.Reset();
            Buffer = default;
            Payload = default;
            Handler = null;
            _socket.ReturnOperation(this);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _source.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _source.OnCompleted(continuation, state, token, flags);

    /// <summary>
    /// A cancellation request (a token, or a blocking call's timeout when <paramref name="token"/>
    /// is null); only on cancellation, so its allocation is off the fast path.
    /// </summary>
    private sealed class CancelWork(UdpOperation operation, short version, CancellationToken? token) : ReactorWork
    {
        internal override void Execute(Reactor reactor)
        {
            if (operation.Version == version && !operation.Done)
            {
                operation.Socket.CancelOnReactor(operation, token is { } t
                    ? new OperationCanceledException(t)
                    : new SocketException((int)SocketError.TimedOut));
            }
        }

        // The reactor is stopping: the operation itself is aborted by the drain.
        internal override void Abort(SocketError error)
        {
        }
    }
}
