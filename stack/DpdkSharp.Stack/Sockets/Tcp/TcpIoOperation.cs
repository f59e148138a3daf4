using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// A read or a write of a <see cref="TcpConnection"/> travelling to the reactor and back: the
/// command and its completion in one reusable object (one per direction and connection, so
/// steady-state I/O allocates nothing). Completed only on the reactor thread, so a cancelled read
/// never has its buffer written after the caller returned; continuations run on the thread pool.
/// </summary>
internal sealed class TcpIoOperation(TcpConnection connection, bool write) : ReactorWork, IValueTaskSource<int>
{
    private ManualResetValueTaskSourceCore<int> _source = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _registration;
    private int _busy;

    public Memory<byte> Buffer;
    public ReadOnlyMemory<byte> Data;
    /// <summary>Bytes of <see cref="Data"/> queued so far (writes complete when all are).</summary>
    public int Done;
    /// <summary>Whether it waits on the connection for readiness (reactor thread only).</summary>
    public bool Parked;
    /// <summary>Set once completed, on the reactor thread.</summary>
    public bool Completed;

    public bool IsWrite => write;

    public short Version => _source.Version;

    /// <summary>Takes the operation for one call; a second concurrent call in the same direction is refused, as a stream allows one.</summary>
    public void Rent()
    {
        if (Interlocked.Exchange(ref _busy, 1) != 0)
        {
            throw new InvalidOperationException($"Another {(write ? "write" : "read")} is already in progress on this connection.");
        }
        Completed = false;
        Parked = false;
        Done = 0;
    }

    public ValueTask<int> Start(Reactor reactor, CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            short version = Version;
            _registration = cancellationToken.UnsafeRegister(static (state, token) =>
            {
                var (op, v) = ((TcpIoOperation, short))state!;
                op.Connection.Reactor.Post(new CancelWork(op, v, token));
            }, (this, version));
        }
        reactor.Post(this);
        return new ValueTask<int>(this, Version);
    }

    public TcpConnection Connection => connection;

    internal override void Execute(Reactor reactor)
    {
        if (!Completed)
        {
            connection.Run(this);
        }
    }

    internal override void Abort(SocketError error) => Fail(new SocketException((int)error));

    public void Succeed(int bytes)
    {
        Completed = true;
        Parked = false;
        _source.SetResult(bytes);
    }

    public void Fail(Exception error)
    {
        Completed = true;
        Parked = false;
        _source.SetException(error);
    }

    public int GetResult(short token)
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
            Data = default;
            Volatile.Write(ref _busy, 0);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _source.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _source.OnCompleted(continuation, state, token, flags);

    /// <summary>A cancellation request; allocates, but only when a token fires.</summary>
    private sealed class CancelWork(TcpIoOperation operation, short version, CancellationToken token) : ReactorWork
    {
        internal override void Execute(Reactor reactor)
        {
            if (operation.Version == version && !operation.Completed)
            {
                operation.Connection.Cancel(operation, new OperationCanceledException(token));
            }
        }

        internal override void Abort(SocketError error)
        {
        }
    }
}
