using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace DpdkSharp.Stack;

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
    Close,
}

/// <summary>
/// One socket call travelling to the reactor and back: it is the command (executed on the reactor
/// thread) and the completion (<see cref="IValueTaskSource{TResult}"/>, completed only by the
/// reactor, continuations run on the thread pool). Completing only on the reactor is what makes
/// cancellation safe: a cancelled receive is removed by the reactor, so the reactor never writes
/// into a buffer whose caller has already returned.
/// </summary>
internal sealed class UdpOperation : ReactorWork, IValueTaskSource<UdpResult>
{
    private ManualResetValueTaskSourceCore<UdpResult> _source = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _registration;
    private UdpSocket _socket = null!;

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

    public void Succeed(UdpResult result)
    {
        Done = true;
        _source.SetResult(result);
    }

    public void Fail(Exception error)
    {
        Done = true;
        _source.SetException(error);
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

    /// <summary>A cancellation request; only on cancellation, so its allocation is off the fast path.</summary>
    private sealed class CancelWork(UdpOperation operation, short version, CancellationToken token) : ReactorWork
    {
        internal override void Execute(Reactor reactor)
        {
            if (operation.Version == version && !operation.Done)
            {
                operation.Socket.CancelOnReactor(operation, token);
            }
        }

        // The reactor is stopping: the operation itself is aborted by the drain.
        internal override void Abort(SocketError error)
        {
        }
    }
}
