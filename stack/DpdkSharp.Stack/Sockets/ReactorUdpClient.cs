using System.Net;
using System.Net.Sockets;

namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// A <see cref="UdpClient"/>-shaped wrapper over <see cref="UdpSocket"/>, so a program written for
/// <see cref="UdpClient"/> ports by changing the line that constructs it: <c>new UdpClient(port)</c>
/// becomes <c>new ReactorUdpClient(reactor, port)</c>; <see cref="ReceiveAsync"/> returns the same
/// <see cref="UdpReceiveResult"/> (a new array per datagram, as <see cref="UdpClient"/> gives).
/// For zero-copy or allocation-free receives use <see cref="Client"/> (the <see cref="UdpSocket"/>).
/// </summary>
public sealed class ReactorUdpClient : IDisposable
{
    /// <summary>The largest UDP payload over IPv4 (65535 − 8 − 20).</summary>
    private const int MaxDatagram = 65507;

    private readonly byte[] _scratch = new byte[MaxDatagram];

    /// <summary>An unbound client (it binds to an ephemeral port on its first send, as <see cref="UdpClient"/> does).</summary>
    public ReactorUdpClient(Reactor reactor) => Client = new UdpSocket(reactor);

    /// <summary>A client bound to <paramref name="port"/> on the reactor's interface.</summary>
    public ReactorUdpClient(Reactor reactor, int port) : this(reactor)
    {
        Client.Bind(new IPEndPoint(IPAddress.Any, port));
    }

    /// <summary>The socket underneath.</summary>
    public UdpSocket Client { get; }

    /// <summary>Sends to and receives from <paramref name="endPoint"/> only (the socket's connect).</summary>
    public void Connect(IPEndPoint endPoint) => Client.Connect(endPoint);

    /// <summary>Sends to and receives from <paramref name="address"/>:<paramref name="port"/> only.</summary>
    public void Connect(IPAddress address, int port) => Client.Connect(address, port);

    /// <summary>Sends a datagram to the connected peer.</summary>
    public ValueTask<int> SendAsync(ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken = default)
    {
        EnsureBound();
        return Client.SendAsync(datagram, cancellationToken);
    }

    /// <summary>Sends a datagram to <paramref name="endPoint"/>.</summary>
    public ValueTask<int> SendAsync(ReadOnlyMemory<byte> datagram, IPEndPoint endPoint, CancellationToken cancellationToken = default)
    {
        EnsureBound();
        return Client.SendToAsync(datagram, endPoint, cancellationToken);
    }

    /// <summary>Sends <paramref name="bytes"/> bytes of <paramref name="datagram"/> to <paramref name="endPoint"/>, or to the connected peer when null.</summary>
    public Task<int> SendAsync(byte[] datagram, int bytes, IPEndPoint? endPoint = null) =>
        (endPoint is null ? SendAsync(datagram.AsMemory(0, bytes)) : SendAsync(datagram.AsMemory(0, bytes), endPoint)).AsTask();

    /// <summary>Sends synchronously (to the connected peer when <paramref name="endPoint"/> is null).</summary>
    public int Send(byte[] datagram, int bytes, IPEndPoint? endPoint = null)
    {
        EnsureBound();
        return endPoint is null ? Client.Send(datagram.AsSpan(0, bytes)) : Client.SendTo(datagram.AsSpan(0, bytes), endPoint);
    }

    /// <summary>Receives the next datagram with its sender.</summary>
    public async ValueTask<UdpReceiveResult> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        var result = await Client.ReceiveFromAsync(_scratch, cancellationToken).ConfigureAwait(false);
        return new UdpReceiveResult(_scratch.AsSpan(0, result.ReceivedBytes).ToArray(), (IPEndPoint)result.RemoteEndPoint);
    }

    /// <summary>Receives the next datagram synchronously; <paramref name="remoteEP"/> becomes its sender.</summary>
    public byte[] Receive(ref IPEndPoint? remoteEP)
    {
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        int n = Client.ReceiveFrom(_scratch, ref from);
        remoteEP = (IPEndPoint)from;
        return _scratch.AsSpan(0, n).ToArray();
    }

    /// <summary>Closes the socket.</summary>
    public void Dispose() => Client.Dispose();

    /// <summary>Closes the socket (<see cref="Dispose"/>).</summary>
    public void Close() => Dispose();

    private void EnsureBound()
    {
        if (Client.LocalEndPoint is null)
        {
            Client.Bind(new IPEndPoint(IPAddress.Any, 0)); // an ephemeral port, as UdpClient's first send does
        }
    }
}
