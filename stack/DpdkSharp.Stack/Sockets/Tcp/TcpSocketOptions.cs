namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// Per-connection TCP settings. Defaults follow Linux where an RFC leaves the choice open (initial
/// buffers, TIME-WAIT of 60 s, a 200 ms minimum RTO, 40 ms delayed ACKs, 15 retransmissions).
/// </summary>
public sealed record TcpSocketOptions
{
    /// <summary>Send small segments at once instead of coalescing them while data is unacknowledged (disables Nagle, RFC 896).</summary>
    public bool NoDelay { get; init; }

    /// <summary>Probe an idle connection and drop it when the peer stops answering (RFC 1122 §4.2.3.6).</summary>
    public bool KeepAlive { get; init; }

    /// <summary>Idle time before the first keepalive probe (RFC 1122: at least two hours by default).</summary>
    public TimeSpan KeepAliveTime { get; init; } = TimeSpan.FromHours(2);

    /// <summary>Time between unanswered keepalive probes.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(75);

    /// <summary>Unanswered probes before the connection is dropped with <c>TimedOut</c>.</summary>
    public int KeepAliveRetryCount { get; init; } = 9;

    /// <summary>Initial send buffer in bytes; it grows with the congestion window up to <see cref="MaxSendBufferSize"/>.</summary>
    public int SendBufferSize { get; init; } = 64 * 1024;

    /// <summary>Largest send buffer in bytes.</summary>
    public int MaxSendBufferSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>Initial receive buffer (and window) in bytes; it grows with use (autotuning) up to <see cref="MaxReceiveBufferSize"/>.</summary>
    public int ReceiveBufferSize { get; init; } = 128 * 1024;

    /// <summary>Largest receive buffer in bytes; it also sets the window scale offered in the SYN (RFC 7323 §2.2).</summary>
    public int MaxReceiveBufferSize { get; init; } = 6 * 1024 * 1024;

    /// <summary>
    /// Close behaviour: null (the default) closes gracefully in the background; <see cref="TimeSpan.Zero"/>
    /// aborts with RST (linger 0); a positive time makes a closing call wait that long for the FIN handshake.
    /// </summary>
    public TimeSpan? Linger { get; init; }

    /// <summary>
    /// Makes each connection's congestion controller: called once per connection, so every
    /// connection gets an instance of its own. <see cref="TcpCongestionControl.Cubic"/> (RFC 9438)
    /// by default, <see cref="TcpCongestionControl.NewReno"/>, or any <see cref="ITcpCongestionControl"/>.
    /// </summary>
    public Func<ITcpCongestionControl> CongestionControl { get; init; } = TcpCongestionControl.Cubic;

    /// <summary>Offer window scaling (RFC 7323 §2).</summary>
    public bool WindowScaling { get; init; } = true;

    /// <summary>Offer timestamps (RFC 7323 §3): PAWS and safe TIME-WAIT reuse.</summary>
    public bool Timestamps { get; init; } = true;

    /// <summary>Offer selective acknowledgments (RFC 2018) and recover losses with them (RFC 6675).</summary>
    public bool SelectiveAcknowledgments { get; init; } = true;

    /// <summary>
    /// Probe the tail of a flight after about two round trips without an acknowledgment (RFC 8985 §7,
    /// TLP), so a lost last segment starts a fast recovery instead of waiting for the retransmission
    /// timer. Needs SACK.
    /// </summary>
    public bool TailLossProbes { get; init; } = true;

    /// <summary>
    /// Detect losses by time (RFC 8985 §6, RACK): a segment is lost once one sent after it was
    /// acknowledged and a reordering window passed, which also finds lost retransmissions without
    /// waiting for the retransmission timer. Off, losses are found by duplicate ACKs and SACK counts
    /// (RFC 6675). Needs SACK.
    /// </summary>
    public bool RackLossDetection { get; init; } = true;

    /// <summary>A cap on the MSS this side announces and uses, below what the route's MTU allows; null for the MTU's.</summary>
    public int? MaxSegmentSize { get; init; }

    /// <summary>Longest delay of an acknowledgment (RFC 9293 §3.8.6.3: less than 0.5 s).</summary>
    public TimeSpan DelayedAckTimeout { get; init; } = TimeSpan.FromMilliseconds(40);

    /// <summary>How long a closed connection stays in TIME-WAIT (2×MSL, RFC 9293 §3.4.2).</summary>
    public TimeSpan TimeWaitDuration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The retransmission timeout before an RTT is measured (RFC 6298 §2.1).</summary>
    public TimeSpan InitialRto { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The lowest retransmission timeout (RFC 6298 §2.4 says 1 s; Linux uses 200 ms).</summary>
    public TimeSpan MinRto { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The highest retransmission timeout (RFC 6298 §2.5: at least 60 s).</summary>
    public TimeSpan MaxRto { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>SYN retransmissions before a connect fails with <c>TimedOut</c>.</summary>
    public int SynRetries { get; init; } = 6;

    /// <summary>Retransmissions of the same data before the connection fails with <c>TimedOut</c> (RFC 1122 §4.2.3.5, R2).</summary>
    public int MaxRetransmissions { get; init; } = 15;

    /// <summary>The defaults.</summary>
    public static TcpSocketOptions Default { get; } = new();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for settings no connection can use.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(CongestionControl, nameof(CongestionControl));
        ArgumentOutOfRangeException.ThrowIfLessThan(SendBufferSize, 1, nameof(SendBufferSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSendBufferSize, SendBufferSize, nameof(MaxSendBufferSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReceiveBufferSize, 1, nameof(ReceiveBufferSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxReceiveBufferSize, ReceiveBufferSize, nameof(MaxReceiveBufferSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxReceiveBufferSize, 1 << 30, nameof(MaxReceiveBufferSize));
        if (MaxSegmentSize is int mss)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(mss, 64, nameof(MaxSegmentSize));
        }
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MinRto, TimeSpan.Zero, nameof(MinRto));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRto, MinRto, nameof(MaxRto));
        ArgumentOutOfRangeException.ThrowIfLessThan(InitialRto, MinRto, nameof(InitialRto));
        ArgumentOutOfRangeException.ThrowIfNegative(SynRetries, nameof(SynRetries));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRetransmissions, 1, nameof(MaxRetransmissions));
        ArgumentOutOfRangeException.ThrowIfLessThan(DelayedAckTimeout, TimeSpan.Zero, nameof(DelayedAckTimeout));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(DelayedAckTimeout, TimeSpan.FromMilliseconds(500), nameof(DelayedAckTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(TimeWaitDuration, TimeSpan.Zero, nameof(TimeWaitDuration));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(KeepAliveTime, TimeSpan.Zero, nameof(KeepAliveTime));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(KeepAliveInterval, TimeSpan.Zero, nameof(KeepAliveInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(KeepAliveRetryCount, 1, nameof(KeepAliveRetryCount));
        if (Linger is TimeSpan linger)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(linger, TimeSpan.Zero, nameof(Linger));
        }
    }
}
