using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace DpdkSharp.AspNetCore;

/// <summary>A Kestrel listener over a <see cref="TcpSocketListener"/> on the stack's interface.</summary>
internal sealed class DpdkConnectionListener(TcpSocketListener listener, MemoryPool<byte> pool, bool inline, ILogger logger) : IConnectionListener
{
    private static long s_nextId;

    public EndPoint EndPoint { get; } = listener.LocalEndPoint;

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        TcpConnection tcp;
        try
        {
            tcp = await listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.OperationAborted)
        {
            return null; // unbound, or the stack stopped: Kestrel's accept loop ends on null
        }
        catch (InvalidOperationException) when (!listener.Active)
        {
            return null;
        }
        var connection = new DpdkConnection(tcp, pool, $"dpdk-{Interlocked.Increment(ref s_nextId):x}", inline, logger);
        connection.Start();
        return connection;
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        listener.Stop();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        listener.Stop();
        return ValueTask.CompletedTask;
    }
}
