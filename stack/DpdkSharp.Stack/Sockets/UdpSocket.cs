using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// A UDP socket on a <see cref="Reactor"/>'s interface, shaped like
/// <see cref="System.Net.Sockets.Socket"/> for datagrams: bind, connect, send/receive (blocking with
/// <see cref="ReceiveTimeout"/>/<see cref="SendTimeout"/>, or <c>ValueTask</c> with cancellation),
/// errors as <see cref="SocketException"/> with Linux's <see cref="SocketError"/> values.
/// </summary>
/// <remarks>
/// <para>Every call is a command to the reactor thread, which owns the endpoint; any thread may
/// call, and several operations may be outstanding. Receives complete in order.</para>
/// <para>ICMP errors (RFC 1122 §4.1.3.3) are reported as Linux does: on a connected socket the
/// next operation fails (port unreachable → <see cref="SocketError.ConnectionRefused"/>); an
/// unconnected socket ignores them (Linux without IP_RECVERR).</para>
/// <para>A datagram longer than the receive buffer is truncated to it and the rest discarded
/// (recvfrom without MSG_TRUNC).</para>
/// <para>The fastest path is <see cref="SetHandler"/>: the handler runs on the reactor with the
/// payload still in the receive buffer.</para>
/// </remarks>
public sealed class UdpSocket : IDisposable, IUdpDatagramHandler
{
    private readonly Reactor _reactor;
    private UdpOperation? _cachedOperation;
    private volatile IPEndPoint? _local;
    private volatile IPEndPoint? _remote;
    private volatile bool _disposed;
    private int _receiveBufferSize;

    // Reactor-thread state.
    internal UdpHandle Handle;
    private bool _bound;
    private bool _closed;
    private readonly Queue<UdpOperation> _pendingReceives = new();
    private readonly List<Ipv4Address> _memberships = []; // groups this socket joined (reactor thread only)
    private UdpDatagramHandler? _handler;

    /// <summary>An unbound socket on <paramref name="reactor"/>'s interface.</summary>
    public UdpSocket(Reactor reactor)
    {
        ArgumentNullException.ThrowIfNull(reactor);
        _reactor = reactor;
        _receiveBufferSize = reactor.Core.Options.Udp.ReceiveBufferBytes;
    }

    /// <summary>The reactor this socket lives on.</summary>
    public Reactor Reactor => _reactor;

    /// <summary>The bound address and port; null until bound (explicitly, by connect, or by the first send).</summary>
    public EndPoint? LocalEndPoint => _local;

    /// <summary>The connected peer; null when not connected.</summary>
    public EndPoint? RemoteEndPoint => _remote;

    /// <summary>Whether <see cref="Connect(EndPoint)"/> succeeded.</summary>
    public bool Connected => _remote is not null;

    /// <summary>Timeout of the blocking receives in milliseconds; 0 or -1: wait forever (SO_RCVTIMEO).</summary>
    public int ReceiveTimeout { get; set; }

    /// <summary>Timeout of the blocking sends in milliseconds; 0 or -1: wait forever (SO_SNDTIMEO).</summary>
    public int SendTimeout { get; set; }

    /// <summary>
    /// Payload bytes the socket queues before it drops datagrams (SO_RCVBUF; up to
    /// <see cref="UdpEndpointTable.MaxReceiveBufferBytes"/>). Applied at bind if set before.
    /// </summary>
    public int ReceiveBufferSize
    {
        get => _receiveBufferSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, UdpEndpointTable.MaxReceiveBufferBytes);
            _receiveBufferSize = value;
            if (_local is not null)
            {
                var op = Rent(UdpOperationKind.SetReceiveBuffer);
                op.Value = value;
                op.RunBlocking(_reactor, Timeout.Infinite);
            }
        }
    }

    /// <summary>
    /// Lets another socket bind the same address and port, when both set it before binding
    /// (SO_REUSEADDR, as <c>SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true)</c>
    /// does on a Linux socket). Off by default.
    /// </summary>
    public bool ReuseAddress { get; set; }

    // ---- control -------------------------------------------------------------------------------

    /// <summary>Binds to <paramref name="localEP"/> (address 0.0.0.0 or the interface's; port 0 picks an ephemeral port).</summary>
    /// <exception cref="SocketException"><see cref="SocketError.AddressAlreadyInUse"/>, <see cref="SocketError.AddressNotAvailable"/>, <see cref="SocketError.InvalidArgument"/> when already bound.</exception>
    public void Bind(EndPoint localEP)
    {
        var op = Rent(UdpOperationKind.Bind);
        op.Endpoint = localEP.ToIpv4Endpoint();
        op.ReuseAddress = ReuseAddress;
        op.RunBlocking(_reactor, Timeout.Infinite);
    }

    /// <summary>Sets the default destination and receives only from it (binds to an ephemeral port first if needed).</summary>
    public void Connect(EndPoint remoteEP)
    {
        var op = Rent(UdpOperationKind.Connect);
        op.Endpoint = remoteEP.ToIpv4Endpoint();
        op.RunBlocking(_reactor, Timeout.Infinite);
    }

    /// <summary>Connects to <paramref name="address"/>:<paramref name="port"/>.</summary>
    public void Connect(IPAddress address, int port) => Connect(new IPEndPoint(address, port));

    /// <summary>
    /// Runs <paramref name="handler"/> on the reactor for every datagram, instead of queuing it for
    /// the receive calls (null restores queuing). Zero copy: the payload is the receive buffer.
    /// The socket must be bound. Handler exceptions are caught and counted in <see cref="Reactor.HandlerErrors"/>.
    /// </summary>
    public void SetHandler(UdpDatagramHandler? handler)
    {
        var op = Rent(UdpOperationKind.SetHandler);
        op.Handler = handler;
        op.RunBlocking(_reactor, Timeout.Infinite);
    }

    // ---- multicast -----------------------------------------------------------------------------

    /// <summary>
    /// Receives datagrams sent to <paramref name="multicastAddr"/> (on the port the socket is bound to), and has the
    /// interface report the group to routers and snooping switches (IGMP), as
    /// <see cref="System.Net.Sockets.UdpClient.JoinMulticastGroup(IPAddress)"/> does. The membership lasts until
    /// <see cref="DropMulticastGroup"/> or the socket closes; sockets share a group's membership on the interface.
    /// </summary>
    /// <exception cref="SocketException"><see cref="SocketError.InvalidArgument"/>: not an IPv4 multicast address;
    /// <see cref="SocketError.AddressAlreadyInUse"/>: this socket joined it already (Linux's EADDRINUSE);
    /// <see cref="SocketError.NoBufferSpaceAvailable"/>: the socket has <see cref="UdpOptions.MaxMembershipsPerSocket"/> groups (ENOBUFS).</exception>
    public void JoinMulticastGroup(IPAddress multicastAddr) => RunMembership(UdpOperationKind.JoinGroup, multicastAddr);

    /// <summary>Ends this socket's membership of <paramref name="multicastAddr"/> (see <see cref="JoinMulticastGroup"/>).</summary>
    /// <exception cref="SocketException"><see cref="SocketError.AddressNotAvailable"/>: this socket did not join it (Linux's EADDRNOTAVAIL).</exception>
    public void DropMulticastGroup(IPAddress multicastAddr) => RunMembership(UdpOperationKind.LeaveGroup, multicastAddr);

    private void RunMembership(UdpOperationKind kind, IPAddress multicastAddr)
    {
        ArgumentNullException.ThrowIfNull(multicastAddr);
        var op = Rent(kind);
        op.Endpoint = new IPEndPoint(multicastAddr, 0).ToIpv4Endpoint();
        op.RunBlocking(_reactor, Timeout.Infinite);
    }

    // ---- send ----------------------------------------------------------------------------------

    /// <summary>Sends a datagram to <paramref name="remoteEP"/>; returns the bytes sent (all of them).</summary>
    /// <exception cref="SocketException">e.g. <see cref="SocketError.MessageSize"/>, <see cref="SocketError.NetworkUnreachable"/>, <see cref="SocketError.ConnectionRefused"/> (a pending ICMP error), <see cref="SocketError.TimedOut"/>.</exception>
    public int SendTo(byte[] buffer, EndPoint remoteEP) => SendTo(buffer.AsSpan(), remoteEP);

    /// <inheritdoc cref="SendTo(byte[], EndPoint)"/>
    public int SendTo(ReadOnlySpan<byte> buffer, EndPoint remoteEP) => SendBlocking(buffer, remoteEP.ToIpv4Endpoint());

    /// <summary>Sends a datagram to the connected peer.</summary>
    /// <exception cref="SocketException"><see cref="SocketError.DestinationAddressRequired"/> when not connected, and those of <see cref="SendTo(byte[], EndPoint)"/>.</exception>
    public int Send(byte[] buffer) => Send(buffer.AsSpan());

    /// <inheritdoc cref="Send(byte[])"/>
    public int Send(ReadOnlySpan<byte> buffer) => SendBlocking(buffer, null);

    private unsafe int SendBlocking(ReadOnlySpan<byte> buffer, Ipv4Endpoint? remote)
    {
        var op = Rent(UdpOperationKind.Send);
        fixed (byte* p = buffer)
        {
            op.Payload = op.Pin(p, buffer.Length);
            op.Endpoint = remote;
            return op.RunBlocking(_reactor, SendTimeout).Bytes;
        }
    }

    /// <summary>Sends a datagram to <paramref name="remoteEP"/>. The buffer must not change until the task completes.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> SendToAsync(ReadOnlyMemory<byte> buffer, EndPoint remoteEP, CancellationToken cancellationToken = default) =>
        (await StartSend(buffer, remoteEP.ToIpv4Endpoint(), cancellationToken).ConfigureAwait(false)).Bytes;

    /// <summary>Sends a datagram to the connected peer.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> SendAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        (await StartSend(buffer, null, cancellationToken).ConfigureAwait(false)).Bytes;

    private ValueTask<UdpResult> StartSend(ReadOnlyMemory<byte> buffer, Ipv4Endpoint? remote, CancellationToken cancellationToken)
    {
        var op = Rent(UdpOperationKind.Send);
        op.Payload = buffer;
        op.Endpoint = remote;
        return op.Start(_reactor, cancellationToken);
    }

    // ---- receive -------------------------------------------------------------------------------

    /// <summary>Receives the next datagram; <paramref name="remoteEP"/> becomes its sender. Blocks up to <see cref="ReceiveTimeout"/>.</summary>
    /// <exception cref="SocketException"><see cref="SocketError.TimedOut"/>, <see cref="SocketError.ConnectionRefused"/> (connected socket, ICMP port unreachable), <see cref="SocketError.OperationAborted"/> (closed).</exception>
    /// <exception cref="InvalidOperationException">The socket is not bound.</exception>
    public int ReceiveFrom(byte[] buffer, ref EndPoint remoteEP) => ReceiveFrom(buffer.AsSpan(), ref remoteEP);

    /// <inheritdoc cref="ReceiveFrom(byte[], ref EndPoint)"/>
    public int ReceiveFrom(Span<byte> buffer, ref EndPoint remoteEP)
    {
        var result = ReceiveBlocking(buffer);
        remoteEP = result.Remote.ToIPEndPoint();
        return result.Bytes;
    }

    /// <summary>Receives the next datagram (from the connected peer when connected).</summary>
    public int Receive(byte[] buffer) => Receive(buffer.AsSpan());

    /// <inheritdoc cref="Receive(byte[])"/>
    public int Receive(Span<byte> buffer) => ReceiveBlocking(buffer).Bytes;

    private unsafe UdpResult ReceiveBlocking(Span<byte> buffer)
    {
        var op = RentReceive();
        fixed (byte* p = buffer)
        {
            op.Buffer = op.Pin(p, buffer.Length);
            return op.RunBlocking(_reactor, ReceiveTimeout);
        }
    }

    /// <summary>Receives the next datagram into <paramref name="buffer"/>, with its sender.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<SocketReceiveFromResult> ReceiveFromAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var result = await StartReceive(buffer, cancellationToken).ConfigureAwait(false);
        return new SocketReceiveFromResult { ReceivedBytes = result.Bytes, RemoteEndPoint = result.Remote.ToIPEndPoint() };
    }

    /// <summary>Receives the next datagram into <paramref name="buffer"/>; returns its length (truncated to the buffer).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        (await StartReceive(buffer, cancellationToken).ConfigureAwait(false)).Bytes;

    private ValueTask<UdpResult> StartReceive(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var op = RentReceive();
        op.Buffer = buffer;
        return op.Start(_reactor, cancellationToken);
    }

    private UdpOperation RentReceive()
    {
        if (_local is null && !_disposed)
        {
            throw new InvalidOperationException("You must call the Bind method before performing this operation.");
        }
        return Rent(UdpOperationKind.Receive);
    }

    // ---- lifetime ------------------------------------------------------------------------------

    /// <summary>Closes the endpoint; outstanding operations fail with <see cref="SocketError.OperationAborted"/>.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (_reactor.IsReactorThread)
        {
            CloseOnReactor(SocketError.OperationAborted);
            return;
        }
        var op = Rent(UdpOperationKind.Close);
        try
        {
            op.RunBlocking(_reactor, Timeout.Infinite);
        }
        catch (SocketException)
        {
            // The reactor stopped first: its drain closed us.
        }
    }

    /// <summary>Same as <see cref="Dispose"/>.</summary>
    public void Close() => Dispose();

    // ---- plumbing ------------------------------------------------------------------------------

    private UdpOperation Rent(UdpOperationKind kind)
    {
        if (_disposed && kind != UdpOperationKind.Close)
        {
            throw new ObjectDisposedException(nameof(UdpSocket));
        }
        var op = Interlocked.Exchange(ref _cachedOperation, null) ?? new UdpOperation();
        op.Prepare(this, kind);
        return op;
    }

    internal void ReturnOperation(UdpOperation op) => Volatile.Write(ref _cachedOperation, op);

    // ---- reactor side --------------------------------------------------------------------------

    private NetworkInterfaceCore Core => _reactor.Core;

    internal void Execute(UdpOperation op)
    {
        if (_closed)
        {
            op.Fail(new SocketException((int)SocketError.OperationAborted));
            return;
        }
        var table = Core.Udp;
        NetError error;
        switch (op.Kind)
        {
            case UdpOperationKind.Bind:
                if (_bound)
                {
                    op.Fail(new SocketException((int)SocketError.InvalidArgument)); // EINVAL: already bound
                    return;
                }
                error = BindOnReactor(op.Endpoint!.Value, op.ReuseAddress);
                Complete(op, error, 0);
                return;

            case UdpOperationKind.Connect:
                error = _bound ? NetError.None : BindOnReactor(new Ipv4Endpoint(Ipv4Address.Any, 0), false);
                if (error == NetError.None)
                {
                    error = table.Connect(Handle, op.Endpoint!.Value);
                }
                if (error == NetError.None)
                {
                    _remote = op.Endpoint!.Value.ToIPEndPoint();
                    PublishLocal();
                }
                Complete(op, error, 0);
                return;

            case UdpOperationKind.Send:
                error = _bound ? NetError.None : BindOnReactor(new Ipv4Endpoint(Ipv4Address.Any, 0), false);
                if (error == NetError.None)
                {
                    error = Core.SendUdp(Handle, op.Endpoint, op.Payload.Span, _reactor.Now);
                }
                Complete(op, error, op.Payload.Length);
                return;

            case UdpOperationKind.Receive:
                if (_pendingReceives.Count > 0 || !TryCompleteReceive(op))
                {
                    _pendingReceives.Enqueue(op);
                }
                return;

            case UdpOperationKind.SetHandler:
                if (!_bound)
                {
                    op.Fail(new InvalidOperationException("Bind the socket before setting a handler."));
                    return;
                }
                _handler = op.Handler;
                Complete(op, table.SetHandler(Handle, _handler is null ? null : this), 0);
                return;

            case UdpOperationKind.SetReceiveBuffer:
                Complete(op, _bound ? table.SetReceiveBufferSize(Handle, op.Value) : NetError.None, 0);
                return;

            case UdpOperationKind.JoinGroup:
                var group = op.Endpoint!.Value.Address;
                var refused = !group.IsMulticast ? SocketError.InvalidArgument
                    : _memberships.Contains(group) ? SocketError.AddressAlreadyInUse
                    : _memberships.Count >= Core.Options.Udp.MaxMembershipsPerSocket ? SocketError.NoBufferSpaceAvailable // Linux: ENOBUFS
                    : SocketError.Success;
                if (refused != SocketError.Success)
                {
                    op.Fail(new SocketException((int)refused));
                    return;
                }
                Core.JoinGroup(group, _reactor.Now);
                _memberships.Add(group);
                op.Succeed(default);
                return;

            case UdpOperationKind.LeaveGroup:
                if (!_memberships.Remove(op.Endpoint!.Value.Address))
                {
                    op.Fail(new SocketException((int)SocketError.AddressNotAvailable));
                    return;
                }
                Core.LeaveGroup(op.Endpoint!.Value.Address, _reactor.Now);
                op.Succeed(default);
                return;

            case UdpOperationKind.Close:
                CloseOnReactor(SocketError.OperationAborted);
                op.Succeed(default);
                return;
        }
    }

    private NetError BindOnReactor(Ipv4Endpoint local, bool reuse)
    {
        var error = Core.Udp.Bind(local, out var handle, reuse);
        if (error != NetError.None)
        {
            return error;
        }
        Handle = handle;
        _bound = true;
        // Linux reports ICMP errors only to connected UDP sockets (without IP_RECVERR). Dropped as they come, not when the
        // socket is next used: an error that came in the same receive burst as a datagram would fail its handler's reply.
        Core.Udp.ReportErrorsOnlyWhenConnected(handle);
        _reactor.UdpSockets.Register(this, handle);
        if (_receiveBufferSize != Core.Options.Udp.ReceiveBufferBytes)
        {
            Core.Udp.SetReceiveBufferSize(handle, _receiveBufferSize);
        }
        PublishLocal();
        return NetError.None;
    }

    private void PublishLocal()
    {
        Core.Udp.TryGetLocal(Handle, out var local);
        _local = local.ToIPEndPoint();
    }

    private static void Complete(UdpOperation op, NetError error, int bytes)
    {
        if (error == NetError.None)
        {
            op.Succeed(new UdpResult(bytes, default));
        }
        else
        {
            op.Fail(SocketConversions.Exception(error));
        }
    }

    /// <summary>Data or an error arrived: complete waiting receives in order.</summary>
    internal void OnReady()
    {
        while (_pendingReceives.TryPeek(out var op))
        {
            if (!TryCompleteReceive(op))
            {
                return;
            }
            _pendingReceives.Dequeue();
        }
    }

    private bool TryCompleteReceive(UdpOperation op)
    {
        var error = Core.Udp.TryReceive(Handle, op.Buffer.Span, out var result);
        switch (error)
        {
            case NetError.WouldBlock:
                return false;
            case NetError.None:
                op.Succeed(new UdpResult(result.BytesCopied, result.Remote));
                return true;
            default:
                op.Fail(SocketConversions.Exception(error));
                return true;
        }
    }

    internal void CancelOnReactor(UdpOperation op, Exception error)
    {
        if (op.Done)
        {
            return;
        }
        // Only waiting receives can be cancelled (everything else completes on its first
        // execution). Take it out of the queue now: once completed, the object may be reused.
        int count = _pendingReceives.Count;
        for (int i = 0; i < count; i++)
        {
            var waiting = _pendingReceives.Dequeue();
            if (!ReferenceEquals(waiting, op))
            {
                _pendingReceives.Enqueue(waiting);
            }
        }
        op.Fail(error);
    }

    internal void CloseOnReactor(SocketError error)
    {
        if (_closed)
        {
            return;
        }
        _closed = true;
        _disposed = true;
        while (_pendingReceives.TryDequeue(out var op))
        {
            if (!op.Done)
            {
                op.Fail(new SocketException((int)error));
            }
        }
        foreach (var group in _memberships)
        {
            Core.LeaveGroup(group, _reactor.Now);
        }
        _memberships.Clear();
        if (_bound)
        {
            Core.Udp.Close(Handle);
            _reactor.UdpSockets.Unregister(Handle);
            _bound = false;
        }
    }

    void IUdpDatagramHandler.OnDatagram(UdpHandle endpoint, ReadOnlySpan<byte> payload, Ipv4Endpoint remote)
    {
        var handler = _handler;
        if (handler is null)
        {
            return;
        }
        try
        {
            handler(new UdpDatagramContext(this, payload, remote));
        }
        catch (Exception)
        {
            _reactor.CountHandlerError();
        }
    }

    /// <summary>Sends from the reactor thread (handlers); no round trip through the command queue.</summary>
    internal SocketError SendOnReactor(ReadOnlySpan<byte> payload, Ipv4Endpoint? remote)
    {
        if (!_reactor.IsReactorThread)
        {
            throw new InvalidOperationException("Only a handler running on the reactor may send this way.");
        }
        if (_closed || !_bound)
        {
            return SocketError.NotSocket;
        }
        return Core.SendUdp(Handle, remote, payload, _reactor.Now).ToSocketError();
    }
}
