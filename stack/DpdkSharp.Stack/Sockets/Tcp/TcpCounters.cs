namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// TCP's counters for one interface (RFC 4022's MIB in spirit). Written by the reactor thread;
/// readable from any thread (plain longs, possibly stale). Published as metrics under
/// <c>DpdkSharp.Net</c>; segments dropped are counted by reason in <see cref="NetCounters"/>.
/// </summary>
public sealed class TcpCounters
{
    internal long ActiveOpensField;
    internal long PassiveOpensField;
    internal long FailedConnectsField;
    internal long ResetsReceivedField;
    internal long ResetsSentField;
    internal long ConnectionsResetReceivedField;
    internal long ConnectionsResetSentField;
    internal long SegmentsReceivedField;
    internal long SegmentsSentField;
    internal long RetransmittedSegmentsField;
    internal long RetransmissionTimeoutsField;
    internal long FastRecoveriesField;
    internal long SackRecoveriesField;
    internal long LossProbesField;
    internal long LostRetransmissionsField;
    internal long WindowLimitedRetransmissionsField;
    internal long ZeroWindowEventsField;
    internal long SynCookiesSentField;
    internal long SynCookiesAcceptedField;
    internal long ChallengeAcksField;
    internal long ChallengeAcksThrottledField;
    internal long KeepAliveTimeoutsField;
    internal long MemoryPressureField;
    internal long ConnectionsField;

    /// <summary>Connections this side opened (SYN sent).</summary>
    public long ActiveOpens => Volatile.Read(ref ActiveOpensField);
    /// <summary>Connections accepted by listeners (handshake completed, SYN cookies included).</summary>
    public long PassiveOpens => Volatile.Read(ref PassiveOpensField);
    /// <summary>Active opens that failed: refused (RST answer to the SYN) or timed out.</summary>
    public long FailedConnects => Volatile.Read(ref FailedConnectsField);
    /// <summary>Connections reset by the peer.</summary>
    public long ResetsReceived => Volatile.Read(ref ResetsReceivedField);
    /// <summary>RST segments sent (aborts, answers to segments for no connection).</summary>
    public long ResetsSent => Volatile.Read(ref ResetsSentField);
    /// <summary>
    /// Connections the peer reset: a RST ended them in a synchronized state (RFC 9293 §3.10.7.4), surfacing as
    /// <c>ConnectionReset</c>. Unlike <see cref="ResetsReceived"/> (segments), each connection counts once and a
    /// refused connect (a RST answering our SYN) does not count.
    /// </summary>
    public long ConnectionsResetReceived => Volatile.Read(ref ConnectionsResetReceivedField);
    /// <summary>
    /// Connections this side reset: aborted with a RST (linger 0, unread data at close, data for a closed
    /// socket, a failing handler, the reactor's shutdown timeout). Each connection counts once; RSTs answering
    /// segments for no connection count only in <see cref="ResetsSent"/>.
    /// </summary>
    public long ConnectionsResetSent => Volatile.Read(ref ConnectionsResetSentField);
    /// <summary>Segments received that reached TCP with a valid checksum.</summary>
    public long SegmentsReceived => Volatile.Read(ref SegmentsReceivedField);
    /// <summary>Segments sent, retransmissions included.</summary>
    public long SegmentsSent => Volatile.Read(ref SegmentsSentField);
    /// <summary>Segments sent again (timeouts, fast and SACK recovery).</summary>
    public long RetransmittedSegments => Volatile.Read(ref RetransmittedSegmentsField);
    /// <summary>Retransmission timer expirations (RFC 6298 §5.4).</summary>
    public long RetransmissionTimeouts => Volatile.Read(ref RetransmissionTimeoutsField);
    /// <summary>Loss recoveries entered on duplicate ACKs without SACK (RFC 6582).</summary>
    public long FastRecoveries => Volatile.Read(ref FastRecoveriesField);
    /// <summary>Loss recoveries entered with SACK information (RFC 6675).</summary>
    public long SackRecoveries => Volatile.Read(ref SackRecoveriesField);
    /// <summary>Tail loss probes sent (RFC 8985 §7).</summary>
    public long LossProbes => Volatile.Read(ref LossProbesField);
    /// <summary>Retransmissions found lost again by RACK (RFC 8985 §6.2) and resent without waiting for the retransmission timer.</summary>
    public long LostRetransmissions => Volatile.Read(ref LostRetransmissionsField);
    /// <summary>
    /// Retransmitted segments cut short at the right edge of the peer's window (SND.UNA + SND.WND, RFC 9293 §3.8.6):
    /// the window had shrunk below data sent before. Part of <see cref="RetransmittedSegments"/>.
    /// </summary>
    public long WindowLimitedRetransmissions => Volatile.Read(ref WindowLimitedRetransmissionsField);
    /// <summary>Times a peer closed its window to zero.</summary>
    public long ZeroWindowEvents => Volatile.Read(ref ZeroWindowEventsField);
    /// <summary>SYN-ACKs sent with a SYN cookie because the SYN queue was full (RFC 4987 §3.6).</summary>
    public long SynCookiesSent => Volatile.Read(ref SynCookiesSentField);
    /// <summary>Connections completed from a valid SYN cookie.</summary>
    public long SynCookiesAccepted => Volatile.Read(ref SynCookiesAcceptedField);
    /// <summary>Challenge ACKs sent (RFC 5961 §3, §4, §5).</summary>
    public long ChallengeAcks => Volatile.Read(ref ChallengeAcksField);
    /// <summary>Challenge ACKs (RFC 5961 §7) and ACKs to unacceptable segments without data (one per 500 ms per connection, as Linux) not sent because of their rate limits.</summary>
    public long ChallengeAcksThrottled => Volatile.Read(ref ChallengeAcksThrottledField);
    /// <summary>Connections dropped because keepalive probes went unanswered.</summary>
    public long KeepAliveTimeouts => Volatile.Read(ref KeepAliveTimeoutsField);
    /// <summary>Times a queue could not grow because of the stack's TCP memory bound.</summary>
    public long MemoryPressure => Volatile.Read(ref MemoryPressureField);
    /// <summary>Connections that exist now (every state but LISTEN, TIME-WAIT included).</summary>
    public long Connections => Volatile.Read(ref ConnectionsField);
}
