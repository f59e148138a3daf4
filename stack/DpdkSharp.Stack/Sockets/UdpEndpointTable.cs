namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// The UDP endpoints of one interface (RFC 768; RFC 1122 §4.1.3): bind, connect, close,
/// bounded receive queues, demultiplexing, ephemeral ports, pending ICMP errors and readiness
/// events for the socket layer.
/// </summary>
/// <remarks>
/// <para>Demultiplexing (most specific wins, as in BSD and Linux): an endpoint connected to the
/// datagram's source (4-tuple), then one bound to the destination address, then a wildcard
/// (0.0.0.0) one. Endpoints are chained per local port (a 64 Ki array of chain heads), so a
/// lookup walks only the endpoints of one port and never allocates.</para>
/// <para>Binding: a port may be shared by a wildcard and a specific-address endpoint; the same
/// address and port twice needs <c>reuseAddress</c> on both (the pattern of a server that
/// connects one endpoint per peer).</para>
/// <para>Ephemeral ports are chosen round robin from the configured range, skipping ports in use,
/// so a freed port is not reused at once (RFC 6056 §3.3.3-style sequential choice).</para>
/// </remarks>
public sealed class UdpEndpointTable
{
    private sealed class Endpoint(UdpOptions options)
    {
        public bool InUse;
        public int Generation;
        public Ipv4Address LocalAddress;
        public ushort LocalPort;
        public Ipv4Address RemoteAddress;
        public ushort RemotePort;
        public bool Connected;
        public bool ReuseAddress;
        public bool DontFragment;
        public bool InReady;
        public NetError PendingError;
        public Ipv4Endpoint PendingErrorFrom;
        public bool ErrorsOnlyWhenConnected;
        public int NextOnPort = -1;
        public long DroppedDatagrams;
        public IUdpDatagramHandler? Handler;
        public readonly DatagramQueue Queue = new(options.ReceiveBufferBytes, options.MaxQueuedDatagrams);
    }

    private readonly UdpOptions _options;
    private readonly Endpoint?[] _endpoints;
    private readonly int[] _portHead = new int[65536];
    private readonly int[] _free;
    private int _freeCount;
    private readonly int[] _ready;
    private int _readyHead;
    private int _readyCount;
    private int _nextEphemeral;
    private int _generation;

    /// <summary>An empty table sized by <paramref name="options"/>.</summary>
    public UdpEndpointTable(UdpOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxEndpoints, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ReceiveBufferBytes, 0);
        if (options.EphemeralFirst == 0 || options.EphemeralLast < options.EphemeralFirst)
        {
            throw new ArgumentException("Invalid ephemeral port range.", nameof(options));
        }
        _options = options;
        _endpoints = new Endpoint?[options.MaxEndpoints];
        _free = new int[options.MaxEndpoints];
        for (int i = 0; i < _free.Length; i++)
        {
            _free[i] = _free.Length - 1 - i;
        }
        _freeCount = _free.Length;
        _ready = new int[options.MaxEndpoints];
        Array.Fill(_portHead, -1);
        _nextEphemeral = options.EphemeralFirst;
    }

    /// <summary>The interface address; used as the local address of wildcard endpoints that connect.</summary>
    public Ipv4Address InterfaceAddress { get; internal set; }

    /// <summary>Endpoints bound now.</summary>
    public int Count => _endpoints.Length - _freeCount;

    /// <summary>Endpoints the table can hold (<see cref="UdpOptions.MaxEndpoints"/>).</summary>
    public int Capacity => _endpoints.Length;

    /// <summary>
    /// Binds an endpoint. <paramref name="local"/> may have address 0.0.0.0 (all addresses) and
    /// port 0 (pick an ephemeral port).
    /// </summary>
    public NetError Bind(Ipv4Endpoint local, out UdpHandle handle, bool reuseAddress = false)
    {
        handle = default;
        if (!local.Address.IsAny && local.Address != InterfaceAddress && !local.Address.IsMulticast && !local.Address.IsBroadcast)
        {
            return NetError.InvalidArgument; // EADDRNOTAVAIL: not an address of this interface
        }
        if (_freeCount == 0)
        {
            return NetError.TooManyEndpoints;
        }
        ushort port = local.Port;
        if (port == 0)
        {
            if (!TryPickEphemeral(out port))
            {
                return NetError.NoEphemeralPorts;
            }
        }
        else
        {
            for (int i = _portHead[port]; i >= 0; i = _endpoints[i]!.NextOnPort)
            {
                var other = _endpoints[i]!;
                if (other.LocalAddress == local.Address && !(reuseAddress && other.ReuseAddress))
                {
                    return NetError.AddressInUse;
                }
            }
        }
        int index = _free[--_freeCount];
        var e = _endpoints[index] ??= new Endpoint(_options);
        e.InUse = true;
        e.Generation = ++_generation;
        e.LocalAddress = local.Address;
        e.LocalPort = port;
        e.RemoteAddress = default;
        e.RemotePort = 0;
        e.Connected = false;
        e.ReuseAddress = reuseAddress;
        e.DontFragment = false;
        e.InReady = false;
        e.PendingError = NetError.None;
        e.ErrorsOnlyWhenConnected = false;
        e.DroppedDatagrams = 0;
        e.Handler = null;
        e.Queue.Clear();
        e.Queue.SetLimit(_options.ReceiveBufferBytes);
        e.NextOnPort = _portHead[port];
        _portHead[port] = index;
        handle = new UdpHandle(index, e.Generation);
        return NetError.None;
    }

    /// <summary>
    /// Connects: only datagrams from <paramref name="remote"/> are received, sends default to it.
    /// A wildcard local address becomes the interface address (the source the route would pick).
    /// </summary>
    public NetError Connect(UdpHandle handle, Ipv4Endpoint remote)
    {
        if (!TryGet(handle, out var e))
        {
            return NetError.InvalidHandle;
        }
        if (remote.Address.IsAny || remote.Port == 0)
        {
            return NetError.InvalidArgument;
        }
        if (e.LocalAddress.IsAny)
        {
            e.LocalAddress = InterfaceAddress;
        }
        e.RemoteAddress = remote.Address;
        e.RemotePort = remote.Port;
        e.Connected = true;
        return NetError.None;
    }

    /// <summary>Closes the endpoint: its queue is dropped and its port freed.</summary>
    public NetError Close(UdpHandle handle)
    {
        if (!TryGet(handle, out var e))
        {
            return NetError.InvalidHandle;
        }
        // Unlink from the port chain.
        ref int link = ref _portHead[e.LocalPort];
        while (link != handle.Index)
        {
            link = ref _endpoints[link]!.NextOnPort;
        }
        link = e.NextOnPort;
        e.NextOnPort = -1;
        if (e.InReady)
        {
            RemoveFromReady(handle.Index);
        }
        e.InUse = false;
        e.InReady = false;
        e.Handler = null;
        e.Queue.Clear();
        _free[_freeCount++] = handle.Index;
        return NetError.None;
    }

    /// <summary>Sets IPv4 Don't Fragment on datagrams this endpoint sends (IP_PMTUDISC_DO).</summary>
    public NetError SetDontFragment(UdpHandle handle, bool value)
    {
        if (!TryGet(handle, out var e))
        {
            return NetError.InvalidHandle;
        }
        e.DontFragment = value;
        return NetError.None;
    }

    /// <summary>
    /// Sets (or, with null, removes) the handler that receives this endpoint's datagrams inline
    /// instead of queuing them. Pending ICMP errors are still queued as state (see <see cref="PeekError"/>).
    /// </summary>
    public NetError SetHandler(UdpHandle handle, IUdpDatagramHandler? handler)
    {
        if (!TryGet(handle, out var e))
        {
            return NetError.InvalidHandle;
        }
        e.Handler = handler;
        return NetError.None;
    }

    /// <summary>Sets one endpoint's receive queue limit in payload bytes (SO_RCVBUF), 0 to 16 MiB.</summary>
    public NetError SetReceiveBufferSize(UdpHandle handle, int bytes)
    {
        if (!TryGet(handle, out var e))
        {
            return NetError.InvalidHandle;
        }
        if (bytes < 0 || bytes > MaxReceiveBufferBytes)
        {
            return NetError.InvalidArgument;
        }
        e.Queue.SetLimit(bytes);
        return NetError.None;
    }

    /// <summary>Largest per-endpoint receive limit <see cref="SetReceiveBufferSize"/> accepts.</summary>
    public const int MaxReceiveBufferBytes = 16 << 20;

    /// <summary>The endpoint's local address and port; false for a stale handle.</summary>
    public bool TryGetLocal(UdpHandle handle, out Ipv4Endpoint local)
    {
        local = TryGet(handle, out var e) ? new Ipv4Endpoint(e.LocalAddress, e.LocalPort) : default;
        return e is not null;
    }

    /// <summary>Datagrams and bytes waiting in an endpoint's receive queue, and how many it dropped because it was full.</summary>
    public (int Datagrams, int Bytes, long Dropped) GetQueueState(UdpHandle handle) =>
        TryGet(handle, out var e) ? (e.Queue.Count, e.Queue.Bytes, e.DroppedDatagrams) : default;

    /// <summary>
    /// Receives the oldest datagram. A pending ICMP error is reported first (and cleared), as
    /// BSD sockets report so_error on the next call.
    /// </summary>
    public NetError TryReceive(UdpHandle handle, Span<byte> buffer, out UdpReceiveInfo result)
    {
        result = default;
        if (!TryGet(handle, out var e))
        {
            return NetError.InvalidHandle;
        }
        if (e.PendingError != NetError.None)
        {
            return TakeError(e);
        }
        if (!e.Queue.TryDequeue(buffer, out int copied, out int length, out var remote, out _))
        {
            return NetError.WouldBlock;
        }
        result = new UdpReceiveInfo(copied, length, remote);
        return NetError.None;
    }

    /// <summary>The pending ICMP error, without clearing it (and where it came from).</summary>
    public NetError PeekError(UdpHandle handle, out Ipv4Endpoint from)
    {
        from = default;
        if (!TryGet(handle, out var e))
        {
            return NetError.InvalidHandle;
        }
        from = e.PendingErrorFrom;
        return e.PendingError;
    }

    /// <summary>
    /// Readiness events: endpoints that got data or an error since they were last dequeued here
    /// (edge-triggered; read until <see cref="NetError.WouldBlock"/> after each event).
    /// </summary>
    public bool TryDequeueReady(out UdpHandle handle)
    {
        if (_readyCount == 0)
        {
            handle = default;
            return false;
        }
        int index = _ready[_readyHead];
        _readyHead = (_readyHead + 1) % _ready.Length;
        _readyCount--;
        var e = _endpoints[index]!;
        e.InReady = false;
        handle = new UdpHandle(index, e.Generation);
        return true;
    }

    /// <summary>Finds the endpoint for a datagram (connected, then bound address, then wildcard); -1 if none.</summary>
    internal int Demux(Ipv4Address destination, ushort destinationPort, Ipv4Address source, ushort sourcePort)
    {
        int best = -1, bestScore = 0;
        for (int i = _portHead[destinationPort]; i >= 0; i = _endpoints[i]!.NextOnPort)
        {
            var e = _endpoints[i]!;
            int score;
            if (e.Connected)
            {
                if (e.RemoteAddress != source || e.RemotePort != sourcePort || (!e.LocalAddress.IsAny && e.LocalAddress != destination))
                {
                    continue;
                }
                score = 3;
            }
            else if (e.LocalAddress == destination)
            {
                score = 2;
            }
            else if (e.LocalAddress.IsAny)
            {
                score = 1;
            }
            else
            {
                continue;
            }
            if (score > bestScore)
            {
                best = i;
                bestScore = score;
                if (score == 3)
                {
                    break;
                }
            }
        }
        return best;
    }

    /// <summary>Queues a received payload; false when the endpoint's queue is full (the caller counts the drop).</summary>
    internal bool Deliver(int index, ReadOnlySpan<byte> payload, Ipv4Endpoint remote)
    {
        var e = _endpoints[index]!;
        if (e.Handler is { } handler)
        {
            handler.OnDatagram(new UdpHandle(index, e.Generation), payload, remote);
            return true;
        }
        if (!e.Queue.TryEnqueue(payload, remote, 0))
        {
            e.DroppedDatagrams++;
            return false;
        }
        MarkReady(index, e);
        return true;
    }

    /// <summary>Records an ICMP error against the endpoint that sent the offending datagram.</summary>
    internal void SetError(int index, NetError error, Ipv4Endpoint from)
    {
        var e = _endpoints[index]!;
        if (e.ErrorsOnlyWhenConnected && !e.Connected)
        {
            return;
        }
        e.PendingError = error;
        e.PendingErrorFrom = from;
        MarkReady(index, e);
    }

    /// <summary>
    /// From now on ICMP errors reach the endpoint only while it is connected, as Linux reports them to a socket without
    /// IP_RECVERR: an unconnected endpoint has no peer an error could be about, and anyone can send one naming it (a
    /// recorded error fails the next send, whichever remote it goes to).
    /// </summary>
    internal void ReportErrorsOnlyWhenConnected(UdpHandle handle)
    {
        if (TryGet(handle, out var e))
        {
            e.ErrorsOnlyWhenConnected = true;
        }
    }

    /// <summary>
    /// Records <paramref name="error"/> against every connected endpoint whose peer <paramref name="affected"/>
    /// says is hit (e.g. its next hop never answered ARP). Returns how many were.
    /// </summary>
    internal int SetErrorWhereConnected(Func<Ipv4Address, bool> affected, NetError error)
    {
        int hit = 0;
        for (int i = 0; i < _endpoints.Length; i++)
        {
            if (_endpoints[i] is { InUse: true, Connected: true } e && affected(e.RemoteAddress))
            {
                SetError(i, error, new Ipv4Endpoint(e.RemoteAddress, e.RemotePort));
                hit++;
            }
        }
        return hit;
    }

    /// <summary>Validates a handle for sending; reports (and clears) a pending error first.</summary>
    internal NetError PrepareSend(UdpHandle handle, Ipv4Endpoint? remote, out Ipv4Endpoint local, out Ipv4Endpoint destination, out bool dontFragment)
    {
        local = destination = default;
        dontFragment = false;
        if (!TryGet(handle, out var e))
        {
            return NetError.InvalidHandle;
        }
        if (e.PendingError != NetError.None)
        {
            return TakeError(e);
        }
        if (remote is Ipv4Endpoint r)
        {
            if (r.Port == 0 || r.Address.IsAny)
            {
                return NetError.InvalidArgument;
            }
            destination = r;
        }
        else if (e.Connected)
        {
            destination = new Ipv4Endpoint(e.RemoteAddress, e.RemotePort);
        }
        else
        {
            return NetError.NotConnected;
        }
        var address = e.LocalAddress.IsAny || e.LocalAddress.IsMulticast || e.LocalAddress.IsBroadcast ? InterfaceAddress : e.LocalAddress;
        local = new Ipv4Endpoint(address, e.LocalPort);
        dontFragment = e.DontFragment;
        return NetError.None;
    }

    private static NetError TakeError(Endpoint e)
    {
        var error = e.PendingError;
        e.PendingError = NetError.None;
        return error;
    }

    private void MarkReady(int index, Endpoint e)
    {
        if (e.InReady)
        {
            return;
        }
        e.InReady = true;
        _ready[(_readyHead + _readyCount) % _ready.Length] = index;
        _readyCount++;
    }

    private void RemoveFromReady(int index)
    {
        int kept = 0;
        for (int k = 0; k < _readyCount; k++)
        {
            int value = _ready[(_readyHead + k) % _ready.Length];
            if (value != index)
            {
                _ready[(_readyHead + kept) % _ready.Length] = value;
                kept++;
            }
        }
        _readyCount = kept;
    }

    private bool TryGet(UdpHandle handle, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Endpoint? endpoint)
    {
        endpoint = (uint)handle.Index < (uint)_endpoints.Length ? _endpoints[handle.Index] : null;
        if (endpoint is null || !endpoint.InUse || endpoint.Generation != handle.Generation)
        {
            endpoint = null;
            return false;
        }
        return true;
    }

    private bool TryPickEphemeral(out ushort port)
    {
        int first = _options.EphemeralFirst, last = _options.EphemeralLast;
        int range = last - first + 1;
        for (int n = 0; n < range; n++)
        {
            int candidate = _nextEphemeral;
            _nextEphemeral = candidate == last ? first : candidate + 1;
            if (_portHead[candidate] < 0)
            {
                port = (ushort)candidate;
                return true;
            }
        }
        port = 0;
        return false;
    }
}
