using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace DpdkSharp.AspNetCore;

/// <summary>
/// One accepted stack connection as Kestrel sees it, built like Kestrel's own socket connection: two
/// pipes between Kestrel and two loops, one receiving from the <see cref="TcpConnection"/> into the
/// input pipe, one sending what Kestrel wrote to the output pipe. Each byte is copied once each way
/// (the stack's receive queue into a pool block; a pool block into the stack's send queue), as the
/// socket transport's recv/send copy it once between the kernel and its blocks.
/// </summary>
internal sealed class DpdkConnection : ConnectionContext,
    IConnectionIdFeature, IConnectionTransportFeature, IConnectionItemsFeature, IMemoryPoolFeature,
    IConnectionLifetimeFeature, IConnectionEndPointFeature
{
    // Kestrel's socket transport defaults: a read pauses Kestrel's receive at 1 MB buffered, a write pauses the app at 64 KB.
    private const long MaxReadBufferSize = 1024 * 1024;
    private const long MaxWriteBufferSize = 64 * 1024;
    private const int MinReceiveBuffer = 4096;
    // Kestrel's output lands in segments this large: each SendAsync (one trip to the reactor and back) then
    // moves up to 64 KB instead of one 4 KB pool block. They come from the shared array pool (larger than
    // the pool's blocks) and exist only while a response is being written.
    private const int OutputSegmentSize = 64 * 1024;

    private readonly TcpConnection _tcp;
    private readonly ILogger _logger;
    private readonly Pipe _input;
    private readonly Pipe _output;
    private readonly CancellationTokenSource _closed = new();
    private readonly FeatureCollection _features = new();
    private Task _processing = Task.CompletedTask;
    private int _tcpClosed;

    public DpdkConnection(TcpConnection tcp, MemoryPool<byte> pool, string id, ILogger logger)
    {
        _tcp = tcp;
        _logger = logger;
        MemoryPool = pool;
        ConnectionId = id;
        LocalEndPoint = tcp.LocalEndPoint;
        RemoteEndPoint = tcp.RemoteEndPoint;
        ConnectionClosed = _closed.Token;
        // Completions of the stack's operations already arrive on the thread pool, so the loops resume
        // inline; Kestrel's side is scheduled on the thread pool, as with the socket transport.
        _input = new Pipe(new PipeOptions(pool, PipeScheduler.ThreadPool, PipeScheduler.Inline, MaxReadBufferSize, MaxReadBufferSize / 2, useSynchronizationContext: false));
        _output = new Pipe(new PipeOptions(pool, PipeScheduler.Inline, PipeScheduler.ThreadPool, MaxWriteBufferSize, MaxWriteBufferSize / 2, OutputSegmentSize, useSynchronizationContext: false));
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

    /// <summary>Starts the receive and send loops.</summary>
    public void Start() => _processing = ProcessAsync();

    public override void Abort(ConnectionAbortedException abortReason)
    {
        // Kestrel passes null when the transport already completed (its FinOnError switch is off).
        _logger.LogDebug("Connection {ConnectionId} aborted: {Reason}", ConnectionId, abortReason?.Message);
        // As Kestrel's socket transport does: close the connection (FIN; the stack resets it if unread
        // bytes are left), which fails a send blocked on a full window, then end the send loop.
        CloseTcp();
        _output.Reader.CancelPendingRead();
    }

    public override async ValueTask DisposeAsync()
    {
        _input.Reader.Complete();
        _output.Writer.Complete();
        await _processing.ConfigureAwait(false);
        _closed.Dispose();
    }

    private async Task ProcessAsync()
    {
        var receiving = ReceiveLoopAsync();
        var sending = SendLoopAsync();
        await receiving.ConfigureAwait(false);
        await sending.ConfigureAwait(false);
    }

    private async Task ReceiveLoopAsync()
    {
        Exception? error = null;
        try
        {
            var writer = _input.Writer;
            while (true)
            {
                var buffer = writer.GetMemory(MinReceiveBuffer);
                int n = await _tcp.ReceiveAsync(buffer).ConfigureAwait(false);
                if (n == 0)
                {
                    break; // the peer's FIN
                }
                writer.Advance(n);
                var flush = await writer.FlushAsync().ConfigureAwait(false);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    break; // Kestrel stopped reading
                }
            }
        }
        catch (Exception e) when (IsClosedByUs(e))
        {
            // Our own close ended the read: not an error of the peer's.
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset)
        {
            error = new ConnectionResetException(e.Message, e);
        }
        catch (Exception e)
        {
            error = new IOException(e.Message, e);
        }
        finally
        {
            _input.Writer.Complete(error);
            FireConnectionClosed();
        }
    }

    private async Task SendLoopAsync()
    {
        Exception? error = null;
        try
        {
            var reader = _output.Reader;
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled)
                {
                    break; // Abort
                }
                var buffer = result.Buffer;
                foreach (var segment in buffer)
                {
                    await _tcp.SendAsync(segment).ConfigureAwait(false);
                }
                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    break; // Kestrel is done writing
                }
            }
        }
        catch (Exception e) when (IsClosedByUs(e))
        {
        }
        catch (Exception e)
        {
            error = e;
        }
        finally
        {
            // FIN after every queued byte (or RST once aborted with unread bytes, as a kernel socket
            // closed with unread data does); this also ends a read still waiting.
            CloseTcp();
            _output.Reader.Complete(error);
        }
    }

    private bool IsClosedByUs(Exception e) =>
        Volatile.Read(ref _tcpClosed) != 0 && e is ObjectDisposedException or SocketException { SocketErrorCode: SocketError.OperationAborted or SocketError.Shutdown };

    private void CloseTcp()
    {
        if (Interlocked.Exchange(ref _tcpClosed, 1) == 0)
        {
            _tcp.Dispose();
        }
    }

    private void FireConnectionClosed()
    {
        // Off this loop's thread: callbacks registered on the token may run long (Kestrel's do work).
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
