using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace DpdkSharp.AspNetCore;

/// <summary>
/// One accepted stack connection as Kestrel sees it: two pipes between Kestrel and the reactor, moved by a
/// handler (<see cref="TcpConnection.SetHandler"/>) that runs on the reactor thread, so no read or write
/// is a trip to the reactor and back. The handler copies received bytes from the stack's receive queue
/// into the input pipe as they arrive (one copy, as the socket transport's recv into its block), and
/// copies what Kestrel flushed from the output pipe into the send queue (one copy, as its send); the
/// segments then leave with the reactor's transmit burst of that iteration.
/// </summary>
/// <remarks>
/// Kestrel's side wakes the reactor once per flush: the output pipe's pending read completes inline in
/// Kestrel's flush and asks for a handler run (<see cref="TcpConnection.ScheduleHandler"/>, coalesced).
/// Kestrel's reads are scheduled on the thread pool, as with the socket transport; with
/// <see cref="DpdkTransportOptions.UnsafePreferInlineScheduling"/> they run inline on the reactor instead, so the
/// input flush runs Kestrel and the application up to their next await, and what they flushed meanwhile is copied
/// into the send queue in the same handler run (no post to the reactor, no thread-pool hop). An idle connection
/// holds no buffer: memory is taken from the pool only when bytes arrived. Back pressure: when the input
/// pipe is full the handler stops copying (the stack's receive window closes) until Kestrel reads; when
/// the send queue is full it stops copying until the stack has room (the handler runs again then).
/// The reactor thread owns the pipes' transport ends: the input writer and the output reader.
/// </remarks>
internal sealed class DpdkConnection : ConnectionContext,
    IConnectionIdFeature, IConnectionTransportFeature, IConnectionItemsFeature, IMemoryPoolFeature,
    IConnectionLifetimeFeature, IConnectionEndPointFeature
{
    // Kestrel's socket transport defaults: a read pauses Kestrel's receive at 1 MB buffered, a write pauses the app at 64 KB.
    private const long MaxReadBufferSize = 1024 * 1024;
    private const long MaxWriteBufferSize = 64 * 1024;

    private readonly TcpConnection _tcp;
    private readonly ILogger _logger;
    private readonly Pipe _input;
    private readonly Pipe _output;
    private readonly CancellationTokenSource _closed = new();
    private readonly FeatureCollection _features = new();
    private readonly TaskCompletionSource _transportDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TcpConnectionHandler _onReactor;
    private readonly Action _pipeReady;
    private Exception? _abortReason;
    private int _abortRequested;
    private Task _tcpClosed = Task.CompletedTask;

    // Reactor thread only.
    private ValueTask<FlushResult> _inputFlush;
    private bool _inputFlushPending;
    private bool _inputDone;
    private ValueTask<ReadResult> _outputRead;
    private bool _outputReadPending;
    private bool _done;
    private bool _runAgain;

    // The reactor's managed thread id while it runs the handler, else 0: a pipe callback that finds its own id here
    // runs inside the handler (Kestrel inline), which then loops instead of posting itself a run.
    private int _handlerThreadId;

    public DpdkConnection(TcpConnection tcp, MemoryPool<byte> pool, string id, bool inline, ILogger logger)
    {
        _tcp = tcp;
        _logger = logger;
        MemoryPool = pool;
        ConnectionId = id;
        LocalEndPoint = tcp.LocalEndPoint;
        RemoteEndPoint = tcp.RemoteEndPoint;
        ConnectionClosed = _closed.Token;
        _onReactor = OnReactor;
        _pipeReady = OnPipeReady;
        // The reactor's ends resume inline (they only ask for a handler run); Kestrel's ends on the thread pool, as with
        // the socket transport, or inline on the reactor when the application asked for it (UnsafePreferInlineScheduling).
        var kestrelScheduler = inline ? PipeScheduler.Inline : PipeScheduler.ThreadPool;
        _input = new Pipe(new PipeOptions(pool, kestrelScheduler, PipeScheduler.Inline, MaxReadBufferSize, MaxReadBufferSize / 2, useSynchronizationContext: false));
        _output = new Pipe(new PipeOptions(pool, PipeScheduler.Inline, kestrelScheduler, MaxWriteBufferSize, MaxWriteBufferSize / 2, useSynchronizationContext: false));
        Transport = new DuplexPipe(_input.Reader, _output.Writer);
        _features.Set<IConnectionIdFeature>(this);
        _features.Set<IConnectionTransportFeature>(this);
        _features.Set<IConnectionItemsFeature>(this);
        _features.Set<IMemoryPoolFeature>(this);
        _features.Set<IConnectionLifetimeFeature>(this);
        _features.Set<IConnectionEndPointFeature>(this);
    }

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features => _features;

    public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

    public override IDuplexPipe Transport { get; set; }

    public override CancellationToken ConnectionClosed { get; set; }

    public MemoryPool<byte> MemoryPool { get; }

    /// <summary>Hands the connection's bytes to the reactor-side handler (it also runs once with what already arrived).</summary>
    /// <remarks>
    /// The stack outlives every connection: Kestrel drains or aborts them before the host stops the stack
    /// (DpdkSharp.Hosting's hosted service stops it last), and a reactor that stops runs the handler a last time (its end).
    /// </remarks>
    public void Start() => _tcp.SetHandler(_onReactor);

    public override void Abort(ConnectionAbortedException abortReason)
    {
        // Kestrel passes null when the transport already completed (its FinOnError switch is off).
        _logger.LogDebug("Connection {ConnectionId} aborted: {Reason}", ConnectionId, abortReason?.Message);
        Volatile.Write(ref _abortReason, abortReason ?? new ConnectionAbortedException("The connection was aborted."));
        Volatile.Write(ref _abortRequested, 1);
        OnPipeReady();
    }

    public override async ValueTask DisposeAsync()
    {
        // Kestrel is done with both ends; completing its output wakes the handler, which closes the connection.
        _input.Reader.Complete();
        _output.Writer.Complete();
        await _transportDone.Task.ConfigureAwait(false);
        // With a positive linger this waits for the close without holding a thread.
        await _tcpClosed.ConfigureAwait(false);
        _closed.Dispose();
    }

    // ---- the reactor thread ----

    private void OnReactor(TcpConnectionContext context)
    {
        _handlerThreadId = Environment.CurrentManagedThreadId;
        try
        {
            // Inline, Kestrel runs inside FeedInput and may flush, complete or abort meanwhile: that sets _runAgain.
            do
            {
                _runAgain = false;
                if (_done)
                {
                    return;
                }
                if (Volatile.Read(ref _abortRequested) != 0)
                {
                    // As Kestrel's socket transport: close (FIN; the stack resets it if unread bytes are left); Kestrel's reads then end with the reason.
                    Finish(context, outputError: null, inputError: Volatile.Read(ref _abortReason));
                    return;
                }
                FeedInput(context);
                DrainOutput(context);
            }
            while (_runAgain);
        }
        finally
        {
            _handlerThreadId = 0;
        }
    }

    /// <summary>A pipe end of the reactor's can go on (or an abort came): run the handler, at once when already in it (any thread).</summary>
    private void OnPipeReady()
    {
        if (Volatile.Read(ref _handlerThreadId) == Environment.CurrentManagedThreadId)
        {
            _runAgain = true; // Kestrel inline, inside this connection's handler run: it loops, no wake-up needed
            return;
        }
        _tcp.ScheduleHandler();
    }

    /// <summary>Copies what arrived into the input pipe and flushes it once; completes the pipe at the peer's FIN or an error.</summary>
    private void FeedInput(TcpConnectionContext context)
    {
        if (_inputDone)
        {
            return;
        }
        if (_inputFlushPending)
        {
            if (!_inputFlush.IsCompleted)
            {
                return; // Kestrel has not read enough yet: the stack keeps the bytes and its window closes
            }
            _inputFlushPending = false;
            var result = _inputFlush.GetAwaiter().GetResult();
            _inputFlush = default;
            if (result.IsCompleted || result.IsCanceled)
            {
                CompleteInput(null); // Kestrel stopped reading
                return;
            }
        }
        var writer = _input.Writer;
        bool copied = false;
        while (context.Available > 0)
        {
            var from = context.First;
            var to = writer.GetMemory(1).Span;
            int n = Math.Min(from.Length, to.Length);
            from[..n].CopyTo(to);
            writer.Advance(n);
            context.Consume(n);
            copied = true;
        }
        if (copied)
        {
            var flush = writer.FlushAsync();
            if (!flush.IsCompleted)
            {
                _inputFlush = flush;
                _inputFlushPending = true;
                flush.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_pipeReady);
                return;
            }
            var result = flush.GetAwaiter().GetResult();
            if (result.IsCompleted || result.IsCanceled)
            {
                CompleteInput(null);
                return;
            }
        }
        if (context.PeerClosed && context.Available == 0)
        {
            CompleteInput(ReceiveError(context.Error));
        }
    }

    /// <summary>Copies what Kestrel flushed into the send queue until it is full or the pipe empty; closes once Kestrel completed its output.</summary>
    private void DrainOutput(TcpConnectionContext context)
    {
        var reader = _output.Reader;
        while (!_done)
        {
            ReadResult result;
            if (_outputReadPending)
            {
                if (!_outputRead.IsCompleted)
                {
                    return; // the next flush of Kestrel's schedules the handler
                }
                _outputReadPending = false;
                result = _outputRead.GetAwaiter().GetResult();
                _outputRead = default;
            }
            else
            {
                var read = reader.ReadAsync();
                if (!read.IsCompleted)
                {
                    _outputRead = read;
                    _outputReadPending = true;
                    read.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_pipeReady);
                    return;
                }
                result = read.GetAwaiter().GetResult();
            }
            var buffer = result.Buffer;
            if (!buffer.IsEmpty && !context.CanSend)
            {
                // Reset, timed out, or the reactor stopped: nothing more can go out, as a kernel send would fail.
                reader.AdvanceTo(buffer.End);
                Finish(context, SendError(context.Error), inputError: null);
                return;
            }
            long sent = 0;
            bool full = false;
            foreach (var segment in buffer)
            {
                int n = context.Send(segment.Span);
                sent += n;
                if (n < segment.Length)
                {
                    full = true; // the handler runs again once the stack has room
                    break;
                }
            }
            if (full)
            {
                // Consumed and examined up to what was taken: the next read returns the rest at once.
                reader.AdvanceTo(buffer.GetPosition(sent));
                return;
            }
            reader.AdvanceTo(buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                Finish(context, outputError: null, inputError: null); // Kestrel is done writing
                return;
            }
        }
    }

    /// <summary>Ends both pipes and closes the connection: a FIN after what is queued (RST if unread bytes are left, as a kernel socket closed with unread data).</summary>
    private void Finish(TcpConnectionContext context, Exception? outputError, Exception? inputError)
    {
        _done = true;
        _output.Reader.Complete(outputError);
        // As the socket transport: once its send side is done, Kestrel's reads end (with the abort reason, if any).
        CompleteInput(inputError ?? new ConnectionAbortedException("The DPDK transport's output completed."));
        _tcpClosed = _tcp.DisposeAsync().AsTask();
        _transportDone.TrySetResult();
    }

    private void CompleteInput(Exception? error)
    {
        if (_inputDone)
        {
            return;
        }
        _inputDone = true;
        _input.Writer.Complete(error);
        FireConnectionClosed();
    }

    private static Exception? ReceiveError(SocketError error) => error switch
    {
        SocketError.Success or SocketError.OperationAborted => null,
        SocketError.ConnectionReset => new ConnectionResetException(new SocketException((int)error).Message, new SocketException((int)error)),
        _ => new IOException(new SocketException((int)error).Message, new SocketException((int)error)),
    };

    private static Exception? SendError(SocketError error) => error switch
    {
        SocketError.Success or SocketError.OperationAborted or SocketError.Shutdown => null,
        _ => new SocketException((int)error),
    };

    private void FireConnectionClosed()
    {
        // Off the reactor: callbacks registered on the token may run long (Kestrel's do work).
        ThreadPool.UnsafeQueueUserWorkItem(static state =>
        {
            try
            {
                state._closed.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Disposed already: nobody listens any more.
            }
            catch (Exception e)
            {
                // A callback failed: log it rather than take the process down from the thread pool.
                state._logger.LogError(e, "A ConnectionClosed callback of connection {ConnectionId} failed", state.ConnectionId);
            }
        }, this, preferLocal: false);
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
