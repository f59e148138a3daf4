namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// Reno congestion control (RFC 5681 §3.1) as NewReno and SACK senders use it: slow start,
/// congestion avoidance by byte counting, and ssthresh = max(FlightSize/2, 2·MSS) on a loss.
/// </summary>
/// <remarks>
/// There is no window inflation by duplicate ACKs (RFC 5681 §3.2 steps 3–4, RFC 6582 §3.2):
/// the connection recovers with the pipe of RFC 6675, which counts the segments that left the
/// network directly, so cwnd is simply ssthresh for the whole recovery (RFC 6675 §5 step 4.2).
/// </remarks>
internal sealed class NewRenoCongestionControl : CongestionControlBase
{
    private int _bytesAckedInAvoidance;

    /// <summary>RFC 5681 §3.1 eq. 4 and RFC 6675 §5 step 4.2: ssthresh = cwnd = max(FlightSize/2, 2·MSS).</summary>
    public override void OnCongestionEvent(int bytesInFlight, Instant now)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytesInFlight);
        EnsureInitialized();
        SlowStartThreshold = HalfFlight(bytesInFlight);
        CongestionWindow = SlowStartThreshold;
        _bytesAckedInAvoidance = 0;
    }

    /// <inheritdoc/>
    protected override void Acknowledged(int bytesAcked, bool windowLimited, TimeSpan? rtt, Instant now)
    {
        if (!windowLimited || TrySlowStart(bytesAcked))
        {
            return;
        }

        // Congestion avoidance by appropriate byte counting (RFC 3465 §2.1, allowed by RFC 5681
        // §3.1): one MSS for every cwnd of bytes acked, exactly one segment per round trip
        // however the ACKs are spaced, where cwnd += MSS·MSS/cwnd per ACK would lose to
        // rounding and to delayed ACKs.
        _bytesAckedInAvoidance += bytesAcked;
        if (_bytesAckedInAvoidance >= CongestionWindow)
        {
            _bytesAckedInAvoidance -= CongestionWindow;
            CongestionWindow = (int)Math.Min((long)CongestionWindow + Mss, int.MaxValue);
        }
    }

    /// <inheritdoc/>
    protected override int ThresholdAfterTimeout(int bytesInFlight) => HalfFlight(bytesInFlight);

    /// <inheritdoc/>
    protected override void TimedOut(bool first, Instant now) => _bytesAckedInAvoidance = 0;

    /// <inheritdoc/>
    protected override void Reset() => _bytesAckedInAvoidance = 0;

    private int HalfFlight(int bytesInFlight) => Math.Max(bytesInFlight / 2, 2 * Mss);
}
