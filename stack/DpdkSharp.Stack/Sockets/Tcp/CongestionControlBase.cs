namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// What the built-in algorithms share (<see cref="ITcpCongestionControl"/>): the initial window,
/// slow start, cwnd validation, the loss window after a timeout and the MSS. One per connection,
/// used by the connection's thread only.
/// </summary>
internal abstract class CongestionControlBase : ITcpCongestionControl
{
    private bool _timedOut;

    /// <inheritdoc/>
    public int CongestionWindow { get; protected set; }

    /// <inheritdoc/>
    public int SlowStartThreshold { get; protected set; } = int.MaxValue;

    /// <summary>The sender's MSS (SMSS of RFC 5681) in bytes.</summary>
    protected int Mss { get; private set; }

    /// <summary>The initial window of RFC 6928 §2: min(10·MSS, max(2·MSS, 14600)).</summary>
    public static int InitialWindow(int mss) => Math.Min(10 * mss, Math.Max(2 * mss, 14600));

    /// <inheritdoc/>
    public void Initialize(int mss, Instant now)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(mss);
        Mss = mss;
        CongestionWindow = InitialWindow(mss);
        SlowStartThreshold = int.MaxValue;
        _timedOut = false;
        Reset();
    }

    /// <inheritdoc/>
    public void OnAck(int bytesAcked, int bytesInFlight, TimeSpan? rtt, Instant now)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytesAcked);
        ArgumentOutOfRangeException.ThrowIfNegative(bytesInFlight);
        EnsureInitialized();
        if (bytesAcked == 0)
        {
            return;
        }
        _timedOut = false;

        // RFC 7661 §4.3 (and RFC 9438 §4.6 for CUBIC's cwnd-based ssthresh): the window grows
        // only while it is in use. An application-limited sender's ACKs say nothing about
        // whether the path would carry a larger window. "In use" is Linux's slow-start test,
        // at least half the window in flight, the validated phase of RFC 7661.
        bool windowLimited = 2L * bytesInFlight >= CongestionWindow;
        Acknowledged(bytesAcked, windowLimited, rtt, now);
    }

    /// <inheritdoc/>
    public abstract void OnCongestionEvent(int bytesInFlight, Instant now);

    /// <inheritdoc/>
    public void OnRecoveryEnd(Instant now) => CongestionWindow = SlowStartThreshold; // RFC 6582 §3.2 step 3 option (2); RFC 6675 §5

    /// <inheritdoc/>
    public void OnRetransmissionTimeout(int bytesInFlight, Instant now)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytesInFlight);
        EnsureInitialized();

        // RFC 5681 §3.1: ssthresh is set by eq. 4 only when the segment "has not yet been resent
        // by way of the retransmission timer"; a backed-off expiry with no progress since the
        // last one would otherwise halve a FlightSize that is already one segment.
        bool first = !_timedOut;
        if (first)
        {
            SlowStartThreshold = ThresholdAfterTimeout(bytesInFlight);
        }
        TimedOut(first, now);
        CongestionWindow = Mss; // the loss window LW, one full-sized segment
        _timedOut = true;
    }

    /// <inheritdoc/>
    public void OnMssChanged(int mss)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(mss);
        EnsureInitialized();

        // As Linux, which counts cwnd in packets: the same number of segments stay in flight.
        CongestionWindow = (int)Math.Clamp((long)CongestionWindow * mss / Mss, mss, int.MaxValue);
        if (SlowStartThreshold != int.MaxValue)
        {
            SlowStartThreshold = (int)Math.Clamp((long)SlowStartThreshold * mss / Mss, 2L * mss, int.MaxValue);
        }
        Mss = mss;
    }

    /// <summary>Throws unless <see cref="Initialize"/> gave an MSS.</summary>
    protected void EnsureInitialized()
    {
        if (Mss == 0)
        {
            throw new InvalidOperationException("The congestion controller has no MSS yet: call Initialize first.");
        }
    }

    /// <summary>An ACK for new data outside recovery; <paramref name="windowLimited"/> says whether the window may grow.</summary>
    protected abstract void Acknowledged(int bytesAcked, bool windowLimited, TimeSpan? rtt, Instant now);

    /// <summary>ssthresh after the first retransmission timeout.</summary>
    protected abstract int ThresholdAfterTimeout(int bytesInFlight);

    /// <summary>The algorithm's own reaction to a timeout, after ssthresh was set and before cwnd becomes one MSS.</summary>
    protected abstract void TimedOut(bool first, Instant now);

    /// <summary>Forgets the algorithm's state (a new connection).</summary>
    protected abstract void Reset();

    /// <summary>
    /// Slow start (RFC 5681 §3.1) while cwnd &lt; ssthresh: grows cwnd by the bytes acked, at most
    /// 2·MSS per ACK, and never past ssthresh. False when cwnd has reached ssthresh (congestion
    /// avoidance from then on).
    /// </summary>
    /// <remarks>
    /// Byte counting with L = 2·SMSS (RFC 3465 §2.3) rather than RFC 5681's one SMSS per ACK:
    /// with delayed ACKs (one ACK every two segments, RFC 9293 §3.8.6.3) the window still doubles
    /// each round trip, and a stretch ACK is still limited to a burst of two extra segments.
    /// </remarks>
    protected bool TrySlowStart(int bytesAcked)
    {
        if (CongestionWindow >= SlowStartThreshold)
        {
            return false;
        }
        long grown = (long)CongestionWindow + Math.Min(bytesAcked, 2 * Mss);
        CongestionWindow = (int)Math.Min(grown, SlowStartThreshold);
        return true;
    }
}
