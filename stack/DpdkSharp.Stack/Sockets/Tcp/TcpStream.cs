using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// A <see cref="TcpConnection"/> as a <see cref="Stream"/>, behaving like <see cref="NetworkStream"/>:
/// reads return what has arrived (at least one byte, 0 at the peer's FIN), writes return once the
/// bytes are queued, errors are <see cref="IOException"/>s wrapping the <see cref="SocketException"/>,
/// and <see cref="ReadTimeout"/>/<see cref="WriteTimeout"/> apply to the synchronous calls. Disposing
/// it disposes the connection. <see cref="System.Net.Security.SslStream"/> works over it.
/// </summary>
public sealed class TcpStream : Stream
{
    private readonly TcpConnection _connection;
    private int _disposed;

    internal TcpStream(TcpConnection connection) => _connection = connection;

    /// <summary>The connection underneath.</summary>
    public TcpConnection Connection => _connection;

    /// <inheritdoc/>
    public override bool CanRead => Volatile.Read(ref _disposed) == 0;

    /// <inheritdoc/>
    public override bool CanWrite => Volatile.Read(ref _disposed) == 0;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanTimeout => true;

    /// <summary>Milliseconds a synchronous read waits (<see cref="Timeout.Infinite"/>, the default, for ever).</summary>
    public override int ReadTimeout { get; set; } = Timeout.Infinite;

    /// <summary>Milliseconds a synchronous write waits (<see cref="Timeout.Infinite"/>, the default, for ever).</summary>
    public override int WriteTimeout { get; set; } = Timeout.Infinite;

    /// <summary>
    /// Whether received bytes wait to be read (as <see cref="NetworkStream.DataAvailable"/>): a read would
    /// return at once with data. As of the reactor's last look (<see cref="TcpConnection.Available"/>).
    /// </summary>
    public bool DataAvailable => _connection.Available > 0;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Blocking(ReadAsync(buffer.AsMemory(offset, count), ReadTimeout), "read");
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Blocking(WriteCoreAsync(buffer.AsMemory(offset, count), WriteTimeout), "write");
    }

    /// <inheritdoc/>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        WrapAsync(_connection.ReceiveAsync(buffer, cancellationToken));

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        WriteWrappedAsync(_connection.SendAsync(buffer, cancellationToken));

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Nothing to do: written bytes are already queued and go out as the windows allow.</summary>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _connection.Dispose();
        }
        base.Dispose(disposing);
    }

    private async ValueTask<int> ReadAsync(Memory<byte> buffer, int timeoutMilliseconds)
    {
        using var timeout = Timer(timeoutMilliseconds);
        try
        {
            return await ReadAsync(buffer, timeout?.Token ?? default).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout is not null)
        {
            throw TimedOut("read");
        }
    }

    private async ValueTask<int> WriteCoreAsync(ReadOnlyMemory<byte> buffer, int timeoutMilliseconds)
    {
        using var timeout = Timer(timeoutMilliseconds);
        try
        {
            await WriteAsync(buffer, timeout?.Token ?? default).ConfigureAwait(false);
            return buffer.Length;
        }
        catch (OperationCanceledException) when (timeout is not null)
        {
            throw TimedOut("write");
        }
    }

    private static CancellationTokenSource? Timer(int milliseconds) =>
        milliseconds > 0 ? new CancellationTokenSource(milliseconds) : null;

    private static IOException TimedOut(string what) =>
        new($"Unable to {what} data from the transport connection: the operation timed out.", new SocketException((int)SocketError.TimedOut));

    private int Blocking(ValueTask<int> operation, string what)
    {
        if (_connection.Reactor.IsReactorThread)
        {
            throw new InvalidOperationException($"A blocking {what} cannot run on the reactor's thread: it would wait for itself. Use the async methods.");
        }
        return operation.IsCompleted ? operation.GetAwaiter().GetResult() : operation.AsTask().GetAwaiter().GetResult();
    }

    // Pooled builders: an awaited read or write that has to wait allocates nothing in steady state.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<int> WrapAsync(ValueTask<int> operation)
    {
        try
        {
            return await operation.ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new IOException($"Unable to read data from the transport connection: {e.Message}", e);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask WriteWrappedAsync(ValueTask<int> operation)
    {
        try
        {
            await operation.ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new IOException($"Unable to write data to the transport connection: {e.Message}", e);
        }
    }
}
