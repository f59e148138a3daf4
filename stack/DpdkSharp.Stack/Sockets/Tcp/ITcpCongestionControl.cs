namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// A congestion controller of one connection (the part of Linux's <c>tcp_congestion_ops</c> that
/// sizes the window): it owns cwnd and ssthresh (RFC 5681 §3) and the connection tells it what
/// happened. Loss detection and recovery (which segments to resend, the pipe of RFC 6675) stay in
/// the connection; the controller only decides how much may be in flight.
/// </summary>
/// <remarks>
/// <para>The built-in algorithms are <see cref="TcpCongestionControl.Cubic"/> (the default) and
/// <see cref="TcpCongestionControl.NewReno"/>; <see cref="TcpSocketOptions.CongestionControl"/>
/// takes any factory, and each connection calls it once for an instance of its own.</para>
/// <para>The calls come from the connection's reactor thread while it processes a segment or a
/// timer, so an implementation must not block, should not allocate (the stack allocates nothing
/// per segment) and needs no locking. Times are the reactor's clock (<see cref="Instant"/>), never
/// a wall clock: the same inputs give the same window, and a simulator can drive it.</para>
/// <para>Byte counts are octets of sequence space. <c>bytesInFlight</c> is RFC 5681's FlightSize
/// as it was when the event happened: for an ACK, before the ACK is applied (the acked bytes
/// included), so a sender that keeps the window full passes about cwnd.</para>
/// <para>The connection sends at most min(cwnd, the peer's window) beyond the last acknowledged
/// byte; a cwnd below one MSS is used as one MSS, so a controller cannot stall a connection.</para>
/// </remarks>
public interface ITcpCongestionControl
{
    /// <summary>cwnd in bytes: how much may be unacknowledged (RFC 5681 §2).</summary>
    int CongestionWindow { get; }

    /// <summary>ssthresh in bytes; <see cref="int.MaxValue"/> until the first loss (RFC 5681 §3.1). Reported, not used by the connection.</summary>
    int SlowStartThreshold { get; }

    /// <summary>
    /// The connection knows its send MSS (the handshake completed its options): start over with
    /// the initial window (RFC 6928 §2 for the built-ins: min(10·MSS, max(2·MSS, 14600))) and no ssthresh.
    /// </summary>
    void Initialize(int mss, Instant now);

    /// <summary>
    /// New data was cumulatively acknowledged outside loss recovery (Linux's <c>cong_avoid</c>
    /// and <c>pkts_acked</c>). <paramref name="rtt"/> is the round-trip sample this ACK gave, if
    /// any (Karn's rule: never from a retransmitted segment, RFC 6298 §3). ACKs during recovery
    /// are not reported: the window is the recovery's until <see cref="OnRecoveryEnd"/>.
    /// </summary>
    void OnAck(int bytesAcked, int bytesInFlight, TimeSpan? rtt, Instant now);

    /// <summary>
    /// Loss was detected by duplicate ACKs or SACK and fast recovery starts (RFC 5681 §3.2,
    /// RFC 6675 §5, RFC 6582 §3.2; Linux's <c>ssthresh</c> on entering CA_Recovery): set ssthresh
    /// and the window the recovery runs with.
    /// </summary>
    void OnCongestionEvent(int bytesInFlight, Instant now);

    /// <summary>Recovery finished (the full ACK of RFC 6582 §3.2 step 3, or the exit of RFC 6675 §5); the built-ins set cwnd = ssthresh.</summary>
    void OnRecoveryEnd(Instant now);

    /// <summary>
    /// The retransmission timer expired (RFC 5681 §3.1 eq. 4, RFC 6298 §5.5; Linux's CA_Loss):
    /// called on every expiry, including backed-off ones without progress in between. The
    /// built-ins lower ssthresh only on the first, and set cwnd to the loss window, one MSS.
    /// </summary>
    void OnRetransmissionTimeout(int bytesInFlight, Instant now);

    /// <summary>The send MSS changed (path MTU discovery, RFC 1191); the built-ins keep the window's size in segments.</summary>
    void OnMssChanged(int mss);
}
