namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// CUBIC congestion control (RFC 9438): after a loss the window grows along a cubic curve
/// centred on the window where the loss happened (W_max), flat near it and fast away from it, so
/// it is independent of the round-trip time; in short-RTT paths it is at least as fast as Reno.
/// </summary>
/// <remarks>
/// <para>The cubic function is computed in segments and seconds, as RFC 9438 §4.1 defines C;
/// cwnd itself stays whole bytes, the fraction of a byte each ACK earns carried over.</para>
/// <para>The round-trip time in the target W_cubic(t + RTT) (§4.4, §4.5) is the lowest sample
/// seen, as Linux's delay_min, rather than the smoothed RTT: the queue CUBIC itself builds does
/// not then make its growth more aggressive.</para>
/// <para>Slow start is the standard one (§4.10, RFC 5681); HyStart++ (RFC 9406) is not done.
/// Undoing spurious congestion events (§4.9) is not done either.</para>
/// </remarks>
internal sealed class CubicCongestionControl : CongestionControlBase
{
    /// <summary>β_cubic, the multiplicative decrease factor (RFC 9438 §4.6).</summary>
    public const double Beta = 0.7;

    /// <summary>C, the scaling constant of the cubic function in segments/s³ (RFC 9438 §4.2).</summary>
    public const double C = 0.4;

    /// <summary>α_cubic = 3(1 − β)/(1 + β), Reno's additive increase for the same average rate (RFC 9438 §4.3).</summary>
    public const double AlphaCubic = 3 * (1 - Beta) / (1 + Beta);

    private Instant? _epochStart;     // the start of the current congestion avoidance stage (t = 0)
    private Instant _lastAckAt;
    private double _wMax;             // segments
    private double _k;                // seconds
    private double _wEst;             // segments, the Reno-friendly estimate (§4.3)
    private double _cwndPrior;        // segments, cwnd when ssthresh was last set (§4.3, §4.6)
    private bool _afterTimeout;
    private double _carry;            // bytes earned but not yet whole
    private TimeSpan? _minRtt;

    /// <summary>W_max in segments: the window before the last reduction, after fast convergence (RFC 9438 §4.7).</summary>
    public double MaxWindow => _wMax;

    /// <summary>K in seconds: when the current curve reaches W_max (RFC 9438 §4.2); set when congestion avoidance starts.</summary>
    public double K => _k;

    /// <summary>
    /// Multiplicative decrease (RFC 9438 §4.6) with fast convergence (§4.7): W_max is the window
    /// now, or less when the window never got back to the last W_max (a new flow is taking its
    /// share); ssthresh = cwnd = β·cwnd, at least 2 MSS.
    /// </summary>
    /// <remarks>
    /// ssthresh comes from cwnd rather than FlightSize, as in Linux; §4.6 allows that when the
    /// window cannot grow while not in use, which <see cref="CongestionControlBase.OnAck"/> ensures.
    /// </remarks>
    public override void OnCongestionEvent(int bytesInFlight, Instant now)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytesInFlight);
        EnsureInitialized();
        double cwnd = Segments(CongestionWindow);
        _wMax = cwnd < _wMax ? cwnd * (1 + Beta) / 2 : cwnd;
        _cwndPrior = cwnd;
        SlowStartThreshold = Reduced();
        CongestionWindow = SlowStartThreshold;
        _epochStart = null;
        _carry = 0;
    }

    /// <inheritdoc/>
    protected override void Acknowledged(int bytesAcked, bool windowLimited, TimeSpan? rtt, Instant now)
    {
        if (rtt is TimeSpan sample && (_minRtt is not TimeSpan min || sample < min))
        {
            _minRtt = sample;
        }
        if (_epochStart is Instant epoch)
        {
            // Time in which the window did not probe the path does not move the curve on, as
            // Linux shifts its epoch at the first transmission after idle: all of the time up
            // to an application-limited ACK, and the part of a gap between ACKs beyond a round
            // trip, in which nothing was in flight (a window-limited sender gets an ACK at
            // least every round trip).
            TimeSpan gap = now - _lastAckAt;
            TimeSpan unprobed = windowLimited ? gap - (rtt ?? _minRtt ?? TimeSpan.Zero) : gap;
            if (unprobed > TimeSpan.Zero)
            {
                _epochStart = epoch + unprobed;
            }
        }
        _lastAckAt = now;
        if (!windowLimited || TrySlowStart(bytesAcked))
        {
            return;
        }

        double cwnd = Segments(CongestionWindow);
        Instant start = _epochStart ?? StartEpoch(now, cwnd);
        double t = (now - start).TotalSeconds;
        double acked = bytesAcked / (double)Mss;

        // §4.3: W_est grows as Reno with α_cubic would, and with α = 1 once it reaches the
        // window before the last reduction.
        _wEst += (_wEst >= _cwndPrior ? 1.0 : AlphaCubic) * acked / cwnd;
        double next;
        if (Cubic(t) < _wEst)
        {
            next = _wEst; // §4.3: the Reno-friendly region
        }
        else
        {
            // §4.4/§4.5: aim at the curve one RTT ahead, neither below cwnd nor above 1.5·cwnd,
            // and get there over the round trip: (target − cwnd)/cwnd per acked segment.
            double ahead = _minRtt?.TotalSeconds ?? 0;
            double target = Math.Clamp(Cubic(t + ahead), cwnd, 1.5 * cwnd);
            next = cwnd + (target - cwnd) / cwnd * acked;
        }

        double grow = Math.Max(0, next - cwnd) * Mss + _carry;
        double whole = Math.Floor(grow);
        _carry = grow - whole;
        CongestionWindow = (int)Math.Min(CongestionWindow + whole, int.MaxValue);
    }

    /// <summary>RFC 9438 §4.8: ssthresh as for a congestion event (§4.6), β·cwnd.</summary>
    protected override int ThresholdAfterTimeout(int bytesInFlight) => Reduced();

    /// <inheritdoc/>
    protected override void TimedOut(bool first, Instant now)
    {
        // §4.8: the first congestion avoidance stage after a timeout starts a fresh curve at the
        // window it begins with (W_max = that window, K = 0, W_est = that window).
        if (first)
        {
            _cwndPrior = Segments(CongestionWindow);
        }
        _afterTimeout = true;
        _epochStart = null;
        _carry = 0;
    }

    /// <inheritdoc/>
    protected override void Reset()
    {
        _epochStart = null;
        _lastAckAt = default;
        _wMax = 0;
        _k = 0;
        _wEst = 0;
        _cwndPrior = 0;
        _afterTimeout = false;
        _carry = 0;
        _minRtt = null;
    }

    /// <summary>W_cubic(t) = C·(t − K)³ + W_max (RFC 9438 §4.2, eq. 1), in segments.</summary>
    private double Cubic(double t)
    {
        double d = t - _k;
        return C * d * d * d + _wMax;
    }

    /// <summary>
    /// A congestion avoidance stage begins: K = ∛((W_max − cwnd_epoch)/C) (RFC 9438 §4.2, eq. 2)
    /// and W_est = cwnd_epoch (§4.3). After a timeout (§4.8), or when the window is already past
    /// W_max, the curve starts flat at the current window (K = 0), as Linux does.
    /// </summary>
    private Instant StartEpoch(Instant now, double cwnd)
    {
        if (_afterTimeout || _wMax <= cwnd)
        {
            _wMax = cwnd;
            _k = 0;
        }
        else
        {
            _k = Math.Cbrt((_wMax - cwnd) / C);
        }
        _wEst = cwnd;
        _afterTimeout = false;
        _epochStart = now;
        return now;
    }

    private int Reduced() => (int)Math.Max(CongestionWindow * Beta, 2.0 * Mss);

    private double Segments(int bytes) => bytes / (double)Mss;
}
