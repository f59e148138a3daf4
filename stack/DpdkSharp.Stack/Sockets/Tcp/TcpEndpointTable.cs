using System.Buffers.Binary;

namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// Every TCP connection and listener of one interface: demultiplexing by 4-tuple (RFC 9293 §3.1),
/// LISTEN processing with a SYN queue, an accept queue and SYN cookies, RSTs for segments that
/// match nothing (RFC 9293 §3.10.7.1), ephemeral ports (RFC 6056), ISNs (RFC 6528), one timer
/// queue for all connections and the readiness queue the socket layer drains. Reactor thread only.
/// </summary>
internal sealed class TcpEndpointTable
{
    private readonly Dictionary<TcpTuple, TcpControlBlock> _connections = [];
    private readonly Dictionary<ushort, TcpListenerState> _listeners = [];
    private readonly PriorityQueue<TcpControlBlock, Instant> _timers = new();
    private readonly Queue<TcpControlBlock> _readyConnections = new();
    private readonly Queue<TcpListenerState> _readyListeners = new();
    private readonly TcpStackOptions _options;
    private readonly TcpShared _shared;
    private readonly TcpIsnGenerator _isn;
    private readonly SynCookies _cookies;
    private readonly EphemeralPorts _ports;
    private readonly ITcpSegmentSink _sink;
    private readonly IpAddress _address;
    private readonly int _mtu;

    public TcpEndpointTable(TcpStackOptions options, IpAddress address, int mtu, ITcpSegmentSink sink, NetCounters net)
    {
        options.Validate();
        _options = options;
        _address = address;
        _mtu = mtu;
        _sink = sink;
        Counters = new TcpCounters();
        _shared = new TcpShared(Counters, net, options.MemoryLimit, options.ChallengeAcksPerSecond);
        _isn = new TcpIsnGenerator(options.SecretKey);
        _cookies = new SynCookies(options.SecretKey);
        _ports = new EphemeralPorts(options.EphemeralPortFirst, options.EphemeralPortLast, options.SecretKey);
    }

    public TcpCounters Counters { get; }

    /// <summary>Where RTT measurements go (the sample and the smoothed RTT after it, milliseconds): the interface's metrics histograms.</summary>
    public Action<double, double>? RttRecorder
    {
        get => _shared.RttRecorder;
        set => _shared.RttRecorder = value;
    }

    public TcpStackOptions Options => _options;

    /// <summary>Connections in the table (TIME-WAIT included).</summary>
    public int Count => _connections.Count;

    /// <summary>
    /// Connections whose FIN the peer has not acknowledged yet: what a graceful shutdown waits for.
    /// FIN-WAIT-2 and TIME-WAIT are done from our side (the peer has all our data and our FIN).
    /// </summary>
    public int OpenCount
    {
        get
        {
            int n = 0;
            foreach (var tcb in _connections.Values)
            {
                if (!IsClosedOnOurSide(tcb.State))
                {
                    n++;
                }
            }
            return n;
        }
    }

    private static bool IsClosedOnOurSide(TcpState state) => state is TcpState.FinWait2 or TcpState.TimeWait or TcpState.Closed;

    /// <summary>Bytes of queue storage all connections hold.</summary>
    public long MemoryInUse => _shared.MemoryInUse;

    /// <summary>When <see cref="Poll"/> next has work (may be early: stale entries are skipped).</summary>
    public Instant NextTimerAt => _timers.TryPeek(out _, out var at) ? at : Instant.Never;

    /// <summary>
    /// Handles a segment from <paramref name="source"/> to <paramref name="destination"/>, one of our
    /// addresses; false when dropped (counted by reason here or by the connection). The network
    /// layer's edge has checked the checksum and that both addresses are unicast (RFC 1122 §4.2.3.10).
    /// </summary>
    public bool Receive(IpAddress source, IpAddress destination, in TcpSegment segment, Instant now)
    {
        if (!TcpOptions.TryParse(segment.Options, out var options))
        {
            return Drop(DropReason.Malformed);
        }
        var tuple = new TcpTuple(destination, segment.DestinationPort, source, segment.SourcePort);
        var flags = segment.Flags;
        if (_connections.TryGetValue(tuple, out var tcb))
        {
            bool newIncarnation = tcb.State == TcpState.TimeWait
                && (flags & (TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Rst)) == TcpFlags.Syn && tcb.AcceptsNewSyn(in segment, in options);
            if (!newIncarnation)
            {
                bool accepted = tcb.Receive(in segment, in options, now);
                AfterActivity(tcb, now);
                return accepted;
            }
            tcb.EndTimeWait(); // the old incarnation ends now (its storage and count with it)
            Remove(tcb);
        }
        if (_listeners.TryGetValue(segment.DestinationPort, out var listener))
        {
            return ReceiveOnListener(listener, in tuple, in segment, in options, now);
        }
        SendResetFor(in tuple, in segment, now);
        return Drop(DropReason.NoSocket);
    }

    /// <summary>
    /// An ICMP error quoting one of our segments (RFC 1122 §4.2.3.9, RFC 5927): the connection checks
    /// the quoted sequence number and acts. False (counted) when it matches no connection.
    /// </summary>
    public bool OnIcmpError(in TcpTuple tuple, ReadOnlySpan<byte> quotedTcp, IcmpType type, byte code, ushort nextHopMtu, Instant now)
    {
        if (!_connections.TryGetValue(tuple, out var tcb))
        {
            return Drop(DropReason.NoSocket);
        }
        var seq = new SequenceNumber(BinaryPrimitives.ReadUInt32BigEndian(quotedTcp[4..]));
        if (!tcb.OnIcmpError(type, code, seq, nextHopMtu))
        {
            return Drop(DropReason.OutOfWindow);
        }
        AfterActivity(tcb, now);
        return true;
    }

    /// <summary>RFC 9293 §3.10.7.2: a segment for a listening port.</summary>
    private bool ReceiveOnListener(TcpListenerState listener, in TcpTuple tuple, in TcpSegment segment, in TcpOptions options, Instant now)
    {
        var flags = segment.Flags;
        if ((flags & TcpFlags.Rst) != 0)
        {
            return Drop(DropReason.NoSocket); // "An incoming RST should be ignored"
        }
        if ((flags & TcpFlags.Ack) != 0)
        {
            if ((flags & TcpFlags.Syn) == 0 && _options.SynCookies && TryAcceptCookie(listener, in tuple, in segment, in options, now))
            {
                return true;
            }
            SendResetFor(in tuple, in segment, now); // "Any acknowledgment is bad if it arrives on a connection still in the LISTEN state"
            return Drop(DropReason.NoSocket);
        }
        // SYN and FIN together cannot open a connection: it is a scan or a firewall evasion, and Linux
        // drops it in LISTEN too ("tcp: drop SYN+FIN messages").
        if ((flags & (TcpFlags.Syn | TcpFlags.Fin)) != TcpFlags.Syn)
        {
            return Drop(DropReason.Malformed);
        }
        if (listener.AcceptQueueFull)
        {
            return Drop(DropReason.ListenQueueFull); // Linux drops SYNs while the accept queue is full; the peer retries
        }
        if (listener.SynQueueFull || _connections.Count >= _options.MaxConnections)
        {
            if (!_options.SynCookies)
            {
                return Drop(DropReason.ListenQueueFull);
            }
            SendCookieSynAck(listener, in tuple, in segment, in options, now);
            return true;
        }
        var iss = NextIss(in tuple, now);
        var tcb = TcpControlBlock.Accept(tuple, listener.Options, _shared, iss, _mtu, in segment, in options, now);
        tcb.Listener = listener;
        listener.HalfOpen++;
        _connections.Add(tuple, tcb);
        AfterActivity(tcb, now);
        return true;
    }

    /// <summary>The SYN queue is full: answer without keeping state, the options encoded as Linux does (RFC 4987 §3.6).</summary>
    private void SendCookieSynAck(TcpListenerState listener, in TcpTuple tuple, in TcpSegment syn, in TcpOptions peer, Instant now)
    {
        var socketOptions = listener.Options;
        var cookie = _cookies.Create(in tuple, syn.Sequence, peer.Mss ?? 536, now, out _);
        var options = new TcpOptions { Mss = (ushort)TcpControlBlock.AnnouncedMss(in tuple, _mtu, socketOptions) };
        // Window scale and SACK-permitted survive only in the timestamp: without timestamps they are not offered.
        if (peer.Timestamps is var (tsval, _) && socketOptions.Timestamps)
        {
            byte? shift = peer.WindowScale is not null && socketOptions.WindowScaling ? TcpControlBlock.WindowShiftFor(socketOptions.MaxReceiveBufferSize) : null;
            bool sack = peer.SackPermitted && socketOptions.SelectiveAcknowledgments;
            uint ours = unchecked((uint)(now.Nanoseconds / 1_000_000) + cookie.Value); // the connection's clock: TcpControlBlock offsets it by its ISS, the cookie
            options.Timestamps = (SynCookies.EncodeTimestamp(ours, peer.WindowScale is null ? null : shift, sack), tsval);
            if (shift is byte s)
            {
                options.WindowScale = s;
            }
            options.SackPermitted = sack;
        }
        ushort window = (ushort)Math.Min(socketOptions.ReceiveBufferSize, ushort.MaxValue);
        var header = new TcpHeader(cookie, syn.Sequence + 1, TcpFlags.Syn | TcpFlags.Ack, window);
        if (_sink.Send(in tuple, in header, in options, default, default, now))
        {
            Counters.SegmentsSentField++;
            Counters.SynCookiesSentField++;
        }
    }

    /// <summary>A handshake ACK for no connection: a valid SYN cookie becomes an established connection.</summary>
    private bool TryAcceptCookie(TcpListenerState listener, in TcpTuple tuple, in TcpSegment segment, in TcpOptions options, Instant now)
    {
        if (!_cookies.TryValidate(in tuple, segment.Sequence - 1, segment.Acknowledgment - 1, now, out ushort mss))
        {
            return false;
        }
        if (listener.AcceptQueueFull || _connections.Count >= _options.MaxConnections)
        {
            return false;
        }
        byte? shift = null;
        bool sack = false;
        uint? tsRecent = null;
        if (options.Timestamps is var (tsval, tsecr))
        {
            SynCookies.DecodeTimestamp(tsecr, out shift, out sack);
            tsRecent = tsval;
        }
        // The cookie is the ISS, one below the ACK; the connection's timestamp clock is offset by it, as the SYN-ACK's was.
        var tcb = TcpControlBlock.FromCookie(tuple, listener.Options, _shared, segment.Acknowledgment - 1, _mtu, in segment, mss, shift, sack, tsRecent, now);
        tcb.Listener = listener;
        listener.HalfOpen++;
        _connections.Add(tuple, tcb);
        Counters.SynCookiesAcceptedField++;
        bool kept = tcb.Receive(in segment, in options, now); // false: its data was dropped (and counted)
        AfterActivity(tcb, now);
        return kept;
    }

    /// <summary>RFC 9293 §3.10.7.1: the answer to a segment for no connection (never to a RST).</summary>
    private void SendResetFor(in TcpTuple tuple, in TcpSegment segment, Instant now)
    {
        var flags = segment.Flags;
        if ((flags & TcpFlags.Rst) != 0)
        {
            return;
        }
        var header = (flags & TcpFlags.Ack) != 0
            ? new TcpHeader(segment.Acknowledgment, default, TcpFlags.Rst, 0)
            : new TcpHeader(default, segment.Sequence + segment.SequenceLength, TcpFlags.Rst | TcpFlags.Ack, 0);
        var options = default(TcpOptions);
        if (_sink.Send(in tuple, in header, in options, default, default, now))
        {
            Counters.SegmentsSentField++;
            Counters.ResetsSentField++;
        }
    }

    /// <summary>Opens a connection to <paramref name="remoteAddress"/>:<paramref name="remotePort"/> from an ephemeral port (RFC 6056); the SYN goes out now.</summary>
    public NetError Connect(IpAddress remoteAddress, ushort remotePort, TcpSocketOptions? options, Instant now, out TcpControlBlock? connection)
    {
        connection = null;
        // TCP is unicast only (RFC 1122 §4.2.3.10), between addresses of one family.
        if (remoteAddress.IsUnspecified || remoteAddress.IsMulticast || remoteAddress == Ipv4Address.Broadcast
            || remoteAddress.IsIpv4 != _address.IsIpv4 || remotePort == 0)
        {
            return NetError.InvalidArgument;
        }
        if (_connections.Count >= _options.MaxConnections)
        {
            return NetError.TooManyEndpoints;
        }
        var probe = new PortProbe(this, remoteAddress, remotePort);
        if (!_ports.TryAllocate(_address, remoteAddress, remotePort, ref probe, out ushort port))
        {
            return NetError.NoEphemeralPorts;
        }
        var tuple = new TcpTuple(_address, port, remoteAddress, remotePort);
        var tcb = TcpControlBlock.Connect(tuple, options ?? _options.DefaultSocketOptions, _shared, NextIss(in tuple, now), _mtu, now);
        _connections.Add(tuple, tcb);
        AfterActivity(tcb, now);
        connection = tcb;
        return NetError.None;
    }

    /// <summary>Starts listening on <paramref name="port"/> of the interface's address.</summary>
    public NetError Listen(ushort port, int backlog, TcpSocketOptions? options, out TcpListenerState? listener)
    {
        listener = null;
        if (port == 0 || backlog < 1)
        {
            return NetError.InvalidArgument;
        }
        if (_listeners.ContainsKey(port))
        {
            return NetError.AddressInUse;
        }
        listener = new TcpListenerState(port, backlog, options ?? _options.DefaultSocketOptions);
        _listeners.Add(port, listener);
        return NetError.None;
    }

    /// <summary>Stops a listener; connections it queued and nobody accepted are reset (as Linux does).</summary>
    public void StopListening(TcpListenerState listener, Instant now)
    {
        if (!_listeners.Remove(listener.Port))
        {
            return;
        }
        foreach (var tcb in listener.DrainAccepted())
        {
            tcb.Abort();
            AfterActivity(tcb, now);
        }
    }

    /// <summary>The next connection the listener holds for the application (ownership passes to <paramref name="owner"/>).</summary>
    public bool TryAccept(TcpListenerState listener, object owner, out TcpControlBlock? connection)
    {
        if (listener.TryDequeue(out var tcb))
        {
            tcb.Owner = owner;
            connection = tcb;
            return true;
        }
        connection = null;
        return false;
    }

    /// <summary>
    /// After anything happened to a connection (a segment, a timer, an application call): send what
    /// it owes, pass its events on, drop it when closed, keep its timer queued.
    /// </summary>
    public void AfterActivity(TcpControlBlock tcb, Instant now)
    {
        tcb.Output(now, _sink);
        var events = tcb.TakeEvents();
        if (events != TcpEvents.None)
        {
            OnEvents(tcb, events, now);
        }
        if (tcb.State == TcpState.Closed)
        {
            Remove(tcb);
            return;
        }
        var at = tcb.NextTimerAt;
        if (at < tcb.ScheduledAt)
        {
            tcb.ScheduledAt = at;
            _timers.Enqueue(tcb, at);
        }
    }

    private void OnEvents(TcpControlBlock tcb, TcpEvents events, Instant now)
    {
        if (tcb.Listener is TcpListenerState listener)
        {
            if ((events & TcpEvents.Connected) != 0 || tcb.State == TcpState.Closed)
            {
                tcb.Listener = null;
                listener.HalfOpen--;
            }
            if ((events & TcpEvents.Connected) != 0 && tcb.State != TcpState.Closed)
            {
                if (_listeners.TryGetValue(listener.Port, out var current) && current == listener)
                {
                    listener.Enqueue(tcb);
                    MarkReady(listener);
                }
                else
                {
                    tcb.Abort(); // the listener closed during the handshake
                    tcb.Output(now, _sink);
                    tcb.TakeEvents();
                }
            }
        }
        if (tcb.Owner is not null && !tcb.ReadyQueued)
        {
            tcb.ReadyQueued = true;
            _readyConnections.Enqueue(tcb);
        }
    }

    private void MarkReady(TcpListenerState listener)
    {
        if (listener.Owner is not null && !listener.Queued)
        {
            listener.Queued = true;
            _readyListeners.Enqueue(listener);
        }
    }

    /// <summary>Runs connection timers due at <paramref name="now"/>.</summary>
    public void Poll(Instant now)
    {
        while (_timers.TryPeek(out var tcb, out var at) && at <= now)
        {
            _timers.Dequeue();
            if (tcb.ScheduledAt != at)
            {
                continue; // superseded by an earlier entry
            }
            tcb.ScheduledAt = Instant.Never;
            if (tcb.State == TcpState.Closed)
            {
                continue;
            }
            if (tcb.NextTimerAt <= now)
            {
                tcb.OnTimer(now);
            }
            AfterActivity(tcb, now);
        }
    }

    /// <summary>The next connection with news for its socket.</summary>
    public bool TryDequeueReady(out TcpControlBlock? connection)
    {
        if (_readyConnections.TryDequeue(out connection))
        {
            connection.ReadyQueued = false;
            return true;
        }
        return false;
    }

    /// <summary>The next listener with a connection to accept.</summary>
    public bool TryDequeueReadyListener(out TcpListenerState? listener)
    {
        if (_readyListeners.TryDequeue(out listener))
        {
            listener.Queued = false;
            return true;
        }
        return false;
    }

    /// <summary>The socket-layer objects of every connection and listener (for a reactor that stops).</summary>
    public IEnumerable<object> Owners()
    {
        foreach (var tcb in _connections.Values)
        {
            if (tcb.Owner is not null)
            {
                yield return tcb.Owner;
            }
        }
        foreach (var listener in _listeners.Values)
        {
            if (listener.Owner is not null)
            {
                yield return listener.Owner;
            }
        }
    }

    /// <summary>The application let go of a connection: it lives on (as an orphan) only until its handshakes end.</summary>
    public void Release(TcpControlBlock tcb) => tcb.Owner = null;

    /// <summary>
    /// Starts closing every connection (a graceful shutdown): a FIN for each open one, RST for
    /// those with unread data. The caller keeps polling until <see cref="OpenCount"/> is zero or its time is up.
    /// </summary>
    public void ShutdownAll(Instant now)
    {
        foreach (var listener in _listeners.Values.ToArray())
        {
            StopListening(listener, now);
        }
        foreach (var tcb in _connections.Values.ToArray())
        {
            if (tcb.State is TcpState.SynSent)
            {
                tcb.Abort();
            }
            else if (tcb.State is not (TcpState.TimeWait or TcpState.Closed))
            {
                tcb.Shutdown();
            }
            AfterActivity(tcb, now);
        }
    }

    /// <summary>Resets every connection whose close has not completed on our side (the graceful shutdown's time ran out).</summary>
    public void AbortAll(Instant now)
    {
        foreach (var tcb in _connections.Values.ToArray())
        {
            if (!IsClosedOnOurSide(tcb.State))
            {
                tcb.Abort();
                AfterActivity(tcb, now);
            }
        }
    }

    private void Remove(TcpControlBlock tcb)
    {
        if (_connections.TryGetValue(tcb.Tuple, out var held) && held == tcb)
        {
            _connections.Remove(tcb.Tuple);
        }
    }

    private SequenceNumber NextIss(in TcpTuple tuple, Instant now) => _isn.Next(in tuple, now);

    private bool Drop(DropReason reason)
    {
        _shared.Drop(reason);
        return false;
    }

    /// <summary>Whether a local port is taken for connections to one remote endpoint (a port may serve many remotes, RFC 6056 §2.2).</summary>
    private readonly struct PortProbe(TcpEndpointTable table, IpAddress remoteAddress, ushort remotePort) : IPortInUse
    {
        public bool IsInUse(ushort port) => table._listeners.ContainsKey(port)
            || table._connections.ContainsKey(new TcpTuple(table._address, port, remoteAddress, remotePort));
    }
}
