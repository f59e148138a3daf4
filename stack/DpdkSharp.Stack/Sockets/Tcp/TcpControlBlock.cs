using System.Net.Sockets;

namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// One TCP connection as a sans-IO state machine (RFC 9293's transmission control block): segments
/// and the time go in (<see cref="Receive"/>, <see cref="OnTimer"/>, the application's
/// <see cref="Write"/>, <see cref="Read"/>, <see cref="Shutdown"/>), segments come out through
/// <see cref="Output"/>. It never reads a clock, allocates per segment or knows the device, so
/// tests drive it segment by segment on a virtual clock. Reactor thread only.
/// </summary>
/// <remarks>
/// Files: this one holds the state and the application's side; <c>.Input</c> processes arriving
/// segments (RFC 9293 §3.10.7), <c>.Output</c> decides what to send (windows, Nagle, recovery),
/// <c>.Timers</c> runs retransmission, persist, keepalive, delayed ACK and TIME-WAIT.
/// </remarks>
internal sealed partial class TcpControlBlock
{
    private readonly TcpSocketOptions _options;
    private readonly TcpShared _shared;
    private readonly ITcpCongestionControl _cc;
    private readonly RttEstimator _rtt;
    private readonly ByteRing _send;
    private readonly TcpReceiveQueue _recv;
    private readonly SackScoreboard _sacks = new();
    private int _mtuMss;
    private long _reserved;

    // Send sequence space (RFC 9293 §3.3.1). SND.MAX is the highest sequence sent: after a
    // retransmission timeout SND.NXT goes back to SND.UNA and climbs toward it again.
    private readonly SequenceNumber _iss;
    private SequenceNumber _sndUna;
    private SequenceNumber _sndNxt;
    private SequenceNumber _sndMax;
    private SequenceNumber _sndWl1;
    private SequenceNumber _sndWl2;
    private long _sndWnd;
    private long _maxSndWnd;
    /// <summary>The sequence number of the first byte in the send queue.</summary>
    private SequenceNumber _sendStart;
    /// <summary>The application shut down sending: a FIN follows the queued data.</summary>
    private bool _finQueued;

    // Receive sequence space.
    private SequenceNumber _irs;
    private SequenceNumber _rcvNxt;
    /// <summary>The right edge of the window last advertised (never moved left, RFC 9293 §3.8.6.2.2).</summary>
    private SequenceNumber _rcvAdvRight;
    private SequenceNumber _lastAckSent;
    /// <summary>A duplicate to report in the next segment's first SACK block (RFC 2883 §4).</summary>
    private SackBlock? _dsack;
    private bool _finReceived;
    private SequenceNumber? _peerFin;
    private bool _appClosed;

    // Negotiated options.
    private int _sndMss = 536;
    private int _rcvMss = 536;
    private byte _sndShift;
    private byte _rcvShift;
    private bool _tsOn;
    private bool _sackOn;
    private uint _tsRecent;
    private readonly uint _tsOffset;

    // Flags Output acts on.
    private bool _synPending;
    private bool _ackNow;
    private int _unackedBytes;
    private bool _abortPending;
    private (SequenceNumber Seq, SequenceNumber Ack, TcpFlags Flags)? _resetReply;

    // Loss recovery (RFC 6675 with SACK, RFC 6582 without).
    private bool _inRecovery;
    private SequenceNumber _recoveryPoint;
    private SequenceNumber _highRxt;
    private int _dupAcks;
    /// <summary>RACK (RFC 8985 §6) when SACK is on and <see cref="TcpSocketOptions.RackLossDetection"/> allows it: it decides what is lost.</summary>
    private RackLossDetector? _rack;
    /// <summary>The recovery is the one a retransmission timeout started (RFC 8985 §6.3): cwnd grows by slow start in it.</summary>
    private bool _rtoRecovery;
    /// <summary>The next hole goes out regardless of cwnd (the first retransmission of a recovery, NewReno's after a partial ACK).</summary>
    private bool _retransmitFirst;

    // One timed segment at a time for RTT samples (RFC 6298 §3, Karn's rule: never a retransmitted one).
    private bool _timing;
    private SequenceNumber _timedSeq;
    private Instant _timedAt;

    // Receive-window autotuning: bytes delivered in order during the current measurement period.
    private int _rcvSpaceBytes;
    private Instant _rcvSpaceStart;

    private TcpEvents _events;

    private TcpControlBlock(TcpTuple tuple, TcpSocketOptions options, TcpShared shared, SequenceNumber iss, int mtu, TcpState state, Instant now)
    {
        Tuple = tuple;
        _options = options;
        _shared = shared;
        _iss = iss;
        _sndUna = iss;
        _sndNxt = iss;
        _sndMax = iss;
        _sendStart = iss + 1;
        _tsOffset = iss.Value; // a per-connection random offset (RFC 7323 §5.4)
        _mtuMss = AnnouncedMss(in tuple, mtu, options);
        _rtt = new RttEstimator(options.InitialRto, options.MinRto, options.MaxRto);
        _cc = options.CongestionControl() ?? throw new InvalidOperationException($"{nameof(TcpSocketOptions.CongestionControl)} returned null.");
        _send = new ByteRing(options.SendBufferSize, options.MaxSendBufferSize);
        _rcvShift = options.WindowScaling ? WindowShiftFor(options.MaxReceiveBufferSize) : (byte)0;
        _recv = new TcpReceiveQueue(options.ReceiveBufferSize, options.MaxReceiveBufferSize, _rcvShift);
        // Storage for the initial queues is not subject to the bound: a connection needs it to exist.
        _reserved = options.SendBufferSize + options.ReceiveBufferSize;
        shared.Reserve(_reserved);
        State = state;
        NoDelay = options.NoDelay;
        _keepAliveOn = options.KeepAlive;
        _lastReceivedAt = now;
        _rcvSpaceStart = now;
        shared.Counters.ConnectionsField++;
    }

    /// <summary>The connection's addresses and ports.</summary>
    public TcpTuple Tuple { get; }

    /// <summary>The state (RFC 9293 §3.3.2).</summary>
    public TcpState State { get; private set; }

    /// <summary>Why the connection ended: <see cref="SocketError.Success"/> for a clean close.</summary>
    public SocketError Error { get; private set; }

    /// <summary>Whether a listener created it (a passive open).</summary>
    public bool Passive { get; private init; }

    /// <summary>Set by the table while the handshake of a passive open runs: the listener that will queue it for accept.</summary>
    public TcpListenerState? Listener { get; set; }

    /// <summary>The socket-layer object the application holds; null for an orphan (closed by the application, or never accepted).</summary>
    public object? Owner { get; set; }

    /// <summary>The table's timer-queue entry for this connection (<see cref="Instant.Never"/>: none).</summary>
    public Instant ScheduledAt { get; set; } = Instant.Never;

    /// <summary>Whether it waits on the table's ready queue (so it is queued once).</summary>
    public bool ReadyQueued { get; set; }

    /// <summary>Bytes the application can read now.</summary>
    public int Available => _recv.Available;

    /// <summary>Whether the peer's FIN arrived and every byte before it was read (reads return 0).</summary>
    public bool ReadCompleted => _finReceived && _recv.Available == 0;

    /// <summary>Room in the send queue without growing it.</summary>
    public int SendSpace => _finQueued || !CanSend ? 0 : _send.Free;

    /// <summary>Whether <see cref="Write"/> may be called (the connection is open for sending and not shut down).</summary>
    public bool CanWrite => !_finQueued && CanSend;

    /// <summary>Bytes queued and not yet acknowledged.</summary>
    public int SendQueued => _send.Count;

    /// <summary>The MSS segments carry (payload bytes, options excluded).</summary>
    public int SendMss => _sndMss;

    /// <summary>
    /// The congestion window in bytes the connection sends with: the controller's, at least one MSS
    /// (a controller, which may be the application's, cannot stall the connection).
    /// </summary>
    public int CongestionWindow => Math.Max(_cc.CongestionWindow, _sndMss);

    /// <summary>The controller's slow-start threshold in bytes (<see cref="int.MaxValue"/> before the first loss).</summary>
    public int SlowStartThreshold => _cc.SlowStartThreshold;

    /// <summary>The smoothed round-trip time, once measured.</summary>
    public TimeSpan? SmoothedRtt => _rtt.SmoothedRtt;

    /// <summary>Whether timestamps, SACK and window scaling were negotiated.</summary>
    public (bool Timestamps, bool Sack, bool WindowScaling) Negotiated => (_tsOn, _sackOn, _sndShift != 0 || _rcvShift != 0);

    /// <summary>Whether the application may still queue data (RFC 9293 §3.10.2: SEND in these states).</summary>
    private bool CanSend => State is TcpState.SynSent or TcpState.SynReceived or TcpState.Established or TcpState.CloseWait;

    private SequenceNumber SendEnd => _sendStart + _send.Count;

    /// <summary>Active open (RFC 9293 §3.10.1): the SYN goes out on the next <see cref="Output"/>.</summary>
    public static TcpControlBlock Connect(TcpTuple tuple, TcpSocketOptions options, TcpShared shared, SequenceNumber iss, int mtu, Instant now)
    {
        var tcb = new TcpControlBlock(tuple, options, shared, iss, mtu, TcpState.SynSent, now) { _synPending = true };
        shared.Counters.ActiveOpensField++;
        return tcb;
    }

    /// <summary>
    /// Passive open from a SYN a listener accepted (RFC 9293 §3.10.7.2, "third check for a SYN"):
    /// SYN-RECEIVED, the SYN-ACK goes out on the next <see cref="Output"/>.
    /// </summary>
    public static TcpControlBlock Accept(TcpTuple tuple, TcpSocketOptions options, TcpShared shared, SequenceNumber iss, int mtu,
        in TcpSegment syn, in TcpOptions synOptions, Instant now)
    {
        var tcb = new TcpControlBlock(tuple, options, shared, iss, mtu, TcpState.SynReceived, now) { Passive = true, _synPending = true };
        tcb.TakePeerSyn(in syn, in synOptions);
        return tcb;
    }

    /// <summary>
    /// A connection rebuilt from a valid SYN cookie (RFC 4987 §3.6): the SYN-ACK with ISS
    /// <paramref name="iss"/> was sent without state, and the peer's ACK of it has just arrived.
    /// The options come from the cookie, as Linux encodes them.
    /// </summary>
    public static TcpControlBlock FromCookie(TcpTuple tuple, TcpSocketOptions options, TcpShared shared, SequenceNumber iss, int mtu,
        in TcpSegment ack, int peerMss, byte? peerWindowScale, bool sack, uint? tsRecent, Instant now)
    {
        var tcb = new TcpControlBlock(tuple, options, shared, iss, mtu, TcpState.SynReceived, now) { Passive = true };
        tcb._irs = ack.Sequence - 1;
        tcb._rcvNxt = ack.Sequence;
        // The stateless SYN-ACK offered the initial queue, unscaled.
        tcb._rcvAdvRight = ack.Sequence + Math.Min(tcb._recv.Free, ushort.MaxValue);
        tcb._sndNxt = iss + 1;
        tcb._sndMax = iss + 1;
        tcb._sndWl1 = ack.Sequence;
        tcb._sndWl2 = ack.Acknowledgment;
        tcb._sackOn = sack && options.SelectiveAcknowledgments;
        tcb.StartRack();
        if (tsRecent is uint ts && options.Timestamps)
        {
            tcb._tsOn = true;
            tcb._tsRecent = ts;
        }
        if (peerWindowScale is byte shift && options.WindowScaling)
        {
            tcb._sndShift = Math.Min(shift, (byte)TcpOptions.MaxWindowScale);
            tcb._wsOn = true;
        }
        else
        {
            tcb._rcvShift = 0;
        }
        tcb.SetMss(peerMss);
        return tcb;
    }

    /// <summary>Events since the last call (the socket layer wakes readers and writers from them).</summary>
    public TcpEvents TakeEvents()
    {
        var events = _events;
        _events = TcpEvents.None;
        return events;
    }

    /// <summary>
    /// Queues data to send (RFC 9293 §3.10.2 SEND); returns how much was taken: less than
    /// <paramref name="data"/>'s length when the send queue is full (it grows while the congestion
    /// window can use more, up to <see cref="TcpSocketOptions.MaxSendBufferSize"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">Sending was shut down or the connection is not open.</exception>
    public int Write(ReadOnlySpan<byte> data)
    {
        if (_finQueued || !CanSend)
        {
            throw new InvalidOperationException($"Cannot send in state {State}{(_finQueued ? " after shutdown" : "")}.");
        }
        if (data.Length > _send.Free)
        {
            GrowSendQueue(_send.Count + data.Length);
        }
        return _send.Append(data);
    }

    /// <summary>
    /// Room in the send queue to write into directly (a zero-copy producer), growing the queue
    /// toward <paramref name="sizeHint"/> when the windows could use it; <see cref="CommitWrite"/>
    /// queues what was written. Empty when sending is closed or the queue is full.
    /// </summary>
    public Span<byte> GetWriteSpan(int sizeHint)
    {
        if (!CanWrite)
        {
            return default;
        }
        if (sizeHint > _send.Free)
        {
            GrowSendQueue(_send.Count + sizeHint);
        }
        return _send.GetWritableSpan();
    }

    /// <summary>Queues <paramref name="length"/> bytes written into <see cref="GetWriteSpan"/>.</summary>
    public void CommitWrite(int length) => _send.Commit(length);

    /// <summary>Copies received bytes to <paramref name="destination"/>; 0 when none are ready (see <see cref="ReadCompleted"/>).</summary>
    public int Read(Span<byte> destination)
    {
        int n = _recv.Read(destination);
        if (n > 0)
        {
            AfterRead();
        }
        return n;
    }

    /// <summary>The unread bytes as one or two spans, for a zero-copy consumer; <see cref="Consume"/> then drops what it used.</summary>
    public void PeekReceived(out ReadOnlySpan<byte> first, out ReadOnlySpan<byte> second) => _recv.Peek(_recv.Available, out first, out second);

    /// <summary>Drops <paramref name="length"/> unread bytes a zero-copy consumer used.</summary>
    public void Consume(int length)
    {
        _recv.Consume(length);
        AfterRead();
    }

    /// <summary>
    /// Shuts down sending (RFC 9293 §3.10.4 CLOSE as a half-close): a FIN follows the queued data.
    /// In SYN-SENT the connection just closes.
    /// </summary>
    public void Shutdown()
    {
        switch (State)
        {
            case TcpState.SynSent:
                Close(SocketError.Success);
                return;
            case TcpState.SynReceived:
            case TcpState.Established:
                _finQueued = true;
                State = TcpState.FinWait1;
                return;
            case TcpState.CloseWait:
                _finQueued = true;
                State = TcpState.LastAck;
                return;
        }
    }

    /// <summary>
    /// The application closes the connection for good. With unread data it aborts (RST), as Linux
    /// does (RFC 2525 §2.17); otherwise it shuts down sending and the FIN handshake finishes in the
    /// background. Data arriving afterwards is answered with RST.
    /// </summary>
    public void CloseByApplication()
    {
        _appClosed = true;
        if (_recv.Available > 0)
        {
            Abort();
            return;
        }
        Shutdown();
    }

    /// <summary>Aborts (RFC 9293 §3.10.5 ABORT): a RST goes out on the next <see cref="Output"/> in a synchronized state, then the connection is closed.</summary>
    public void Abort()
    {
        _appClosed = true;
        if (State is TcpState.SynReceived or TcpState.Established or TcpState.FinWait1 or TcpState.FinWait2 or TcpState.CloseWait)
        {
            _abortPending = true;
            return;
        }
        Close(SocketError.ConnectionAborted);
    }

    /// <summary>Whether the application closed it (an orphan: only the FIN handshake is left).</summary>
    public bool ClosedByApplication => _appClosed;

    /// <summary>Turns Nagle off or on (RFC 896) from now on.</summary>
    public bool NoDelay { get; set; }

    private void AfterRead()
    {
        // RFC 9293 §3.8.6.2.2: announce an opened window once it grew by min(half the buffer, MSS)
        // and the window we last announced had shrunk below half the buffer.
        // What the window field can carry bounds both: without scaling, a 128 KiB queue still announces at
        // most 65535 bytes, and an "update" that cannot move the right edge is a duplicate ACK to the peer.
        int advertised = _rcvAdvRight - _rcvNxt;
        int now = (int)Math.Min(_recv.Free, (long)ushort.MaxValue << _rcvShift);
        if (advertised < _recv.Capacity / 2 && now - advertised >= Math.Min(_recv.Capacity / 2, _rcvMss))
        {
            _ackNow = true;
        }
    }

    private void GrowSendQueue(int wanted)
    {
        // Grow while the network could use more than half of what is queued (the window is the limit, not us), and
        // then to what the network can carry, about twice the usable window (as Linux's tcp_sndbuf_expand follows
        // the congestion window), never to what one write asks for: a 2 MB write must not make a 2 MB queue at once.
        // Before the handshake no window is known, so what the application writes is queued (up to the maximum).
        long usable = Math.Min(CongestionWindow, Math.Max(_sndWnd, _maxSndWnd));
        bool noWindowYet = State == TcpState.SynSent;
        bool belowConfigured = _send.Capacity < _options.SendBufferSize;
        if (usable < _send.Capacity / 2 && !belowConfigured && !noWindowYet)
        {
            return;
        }
        long wantedNow = noWindowYet ? wanted : belowConfigured ? Math.Min(wanted, _options.SendBufferSize) : 0;
        GrowWithinBound(_send, (int)Math.Min(Math.Max(Math.Max(_send.Capacity * 2L, 2 * usable), wantedNow), _send.MaxCapacity));
    }

    private void GrowReceiveQueue() => GrowWithinBound(_recv, Math.Min(_recv.Capacity * 2, _recv.MaxCapacity));

    /// <summary>
    /// Grows <paramref name="queue"/> to <paramref name="target"/> bytes if the stack's memory bound admits the
    /// growth: the bytes are reserved first and given back when the queue could not grow after all.
    /// </summary>
    private void GrowWithinBound<TQueue>(TQueue queue, int target)
        where TQueue : IGrowableQueue
    {
        int before = queue.Capacity;
        if (target > before && TryReserve(target - before) && !queue.TryGrow(target))
        {
            Unreserve(target - before);
        }
    }

    private bool TryReserve(long bytes)
    {
        if (!_shared.TryReserve(bytes))
        {
            return false;
        }
        _reserved += bytes;
        return true;
    }

    private void Unreserve(long bytes)
    {
        _shared.Release(bytes);
        _reserved -= bytes;
    }

    /// <summary>Ends the connection: timers off, storage released, the socket layer told.</summary>
    private void Close(SocketError error)
    {
        if (State == TcpState.Closed)
        {
            return;
        }
        State = TcpState.Closed;
        if (Error == SocketError.Success)
        {
            Error = error;
        }
        StopTimers();
        _shared.Release(_reserved);
        _reserved = 0;
        _shared.Counters.ConnectionsField--;
        _events |= TcpEvents.Closed | TcpEvents.Readable | TcpEvents.Writable;
    }

    /// <summary>The state and sequence variables, for failure messages and logs.</summary>
    public override string ToString() =>
        $"{Tuple} {State} una={_sndUna - _iss} nxt={_sndNxt - _iss} max={_sndMax - _iss} wnd={_sndWnd} cwnd={_cc.CongestionWindow} ssthresh={_cc.SlowStartThreshold} " +
        $"queued={_send.Count} fin={_finQueued} rcv.nxt={_rcvNxt - _irs} adv={_rcvAdvRight - _rcvNxt} avail={_recv.Available} free={_recv.Free} " +
        $"peerFin={(_peerFin is SequenceNumber f ? f - _irs : -1)} recovery={_inRecovery}{(_rtoRecovery ? "(rto)" : "")} dup={_dupAcks} sacked={_sacks.SackedBytes} " +
        (_rack is null ? "" : $"rack[lost={_rack.LostBytes} rexmit={_rack.RetransmitInFlightBytes} reordering={_rack.ReorderingSeen} mult={_rack.ReorderWindowMultiplier} timer={_rackAt.Nanoseconds}] ") +
        $"rto={_rtt.Rto.TotalMilliseconds}ms retries={_retries} timers=[rto {_rtoAt.Nanoseconds} delack {_delackAt.Nanoseconds} persist {_persistAt.Nanoseconds}]";

    /// <summary>RFC 9293 §3.7.1: the peer's MSS (536 when it sent none), our route's, minus the timestamp option every segment carries.</summary>
    private void SetMss(int peerMss)
    {
        int mss = Math.Min(peerMss, _mtuMss);
        if (_tsOn)
        {
            mss -= TimestampOptionLength;
        }
        _sndMss = Math.Max(mss, 64);
        _rcvMss = _sndMss;
        _cc.Initialize(_sndMss, _lastReceivedAt);
    }

    /// <summary>RACK needs SACK (RFC 8985 §4): on once the handshake negotiated it, unless the options turn it off.</summary>
    private void StartRack() => _rack = _sackOn && _options.RackLossDetection ? new RackLossDetector(_tsOffset, _iss) : null;

    /// <summary>Bytes the timestamp option takes in every segment (10, NOP-padded to 12).</summary>
    private const int TimestampOptionLength = 12;

    /// <summary>The MSS this side announces (RFC 9293 §3.7.1): the route's MTU less the IP and TCP headers, capped by <see cref="TcpSocketOptions.MaxSegmentSize"/>.</summary>
    internal static int AnnouncedMss(in TcpTuple tuple, int mtu, TcpSocketOptions options) =>
        Math.Max(64, Math.Min(mtu - tuple.NetworkHeaderLength - TcpSegment.MinHeaderLength, options.MaxSegmentSize ?? ushort.MaxValue));

    /// <summary>The smallest shift that lets a window of <paramref name="bytes"/> fit the 16-bit field (RFC 7323 §2.3).</summary>
    internal static byte WindowShiftFor(int bytes)
    {
        byte shift = 0;
        while (shift < TcpOptions.MaxWindowScale && (bytes >> shift) > ushort.MaxValue)
        {
            shift++;
        }
        return shift;
    }
}
