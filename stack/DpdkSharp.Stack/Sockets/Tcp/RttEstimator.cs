namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// The retransmission timeout of one connection, computed from round-trip samples as RFC 6298
/// §2 has it, with the exponential backoff of §5.5.
/// </summary>
/// <remarks>
/// <para>Karn's rule (RFC 6298 §3) is the caller's job: a segment that was retransmitted gives
/// no sample, because its ACK cannot say which transmission it answers (unless timestamps tell,
/// RFC 7323 §4). Likewise, keeping the backed-off value until an ACK for new data arrives
/// (§5.5–§5.7) happens naturally: only <see cref="AddSample"/> resets the backoff.</para>
/// <para>Arithmetic is on <see cref="TimeSpan"/> ticks (100 ns), well below any clock
/// granularity a sender sees.</para>
/// </remarks>
internal sealed class RttEstimator
{
    /// <summary>The clock granularity G of RFC 6298 §2: the smallest variance term in the RTO.</summary>
    public static readonly TimeSpan ClockGranularity = TimeSpan.FromMilliseconds(1);

    private readonly TimeSpan _minRto;
    private readonly TimeSpan _maxRto;

    /// <param name="initialRto">The RTO before any sample (RFC 6298 §2.1: 1 s).</param>
    /// <param name="minRto">The floor (RFC 6298 §2.4 says 1 s; Linux uses 200 ms).</param>
    /// <param name="maxRto">The ceiling (RFC 6298 §2.5: at least 60 s), backoff included.</param>
    public RttEstimator(TimeSpan initialRto, TimeSpan minRto, TimeSpan maxRto)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minRto, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRto, minRto);
        _minRto = minRto;
        _maxRto = maxRto;
        Rto = Clamp(initialRto);
    }

    /// <summary>The current retransmission timeout, backoff included.</summary>
    public TimeSpan Rto { get; private set; }

    /// <summary>SRTT of RFC 6298 §2; null until the first sample.</summary>
    public TimeSpan? SmoothedRtt { get; private set; }

    /// <summary>RTTVAR of RFC 6298 §2; zero until the first sample.</summary>
    public TimeSpan RttVariance { get; private set; }

    /// <summary>The lowest sample seen (the path's propagation delay, as CUBIC and RACK use it); null until the first.</summary>
    public TimeSpan? MinRtt { get; private set; }

    /// <summary>How many times <see cref="Backoff"/> doubled the timeout since the last sample.</summary>
    public int Backoffs { get; private set; }

    /// <summary>
    /// Takes a round-trip measurement R (RFC 6298 §2.2, §2.3) and recomputes the RTO from it,
    /// which also ends any backoff. The caller applies Karn's rule (§3) before calling.
    /// </summary>
    public void AddSample(TimeSpan rtt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rtt, TimeSpan.Zero);
        long r = rtt.Ticks;
        if (SmoothedRtt is not TimeSpan smoothed)
        {
            // §2.2: the first measurement: SRTT = R, RTTVAR = R/2.
            SmoothedRtt = rtt;
            RttVariance = TimeSpan.FromTicks(r / 2);
        }
        else
        {
            // §2.3: RTTVAR first, from the old SRTT (beta = 1/4), then SRTT (alpha = 1/8).
            long srtt = smoothed.Ticks;
            RttVariance = TimeSpan.FromTicks((3 * RttVariance.Ticks + Math.Abs(srtt - r)) / 4);
            SmoothedRtt = TimeSpan.FromTicks((7 * srtt + r) / 8);
        }
        if (MinRtt is not TimeSpan min || rtt < min)
        {
            MinRtt = rtt;
        }

        // §2.2/§2.3: RTO = SRTT + max(G, K*RTTVAR) with K = 4; §2.4/§2.5: the floor and the ceiling.
        TimeSpan variance = TimeSpan.FromTicks(4 * RttVariance.Ticks);
        Rto = Clamp(SmoothedRtt.Value + (variance > ClockGranularity ? variance : ClockGranularity));
        Backoffs = 0;
    }

    /// <summary>
    /// RFC 6298 §5.7: when the timer expired while the SYN (or SYN-ACK) awaited its ACK and no
    /// sample was taken since, data starts with an RTO of at least 3 s (Linux's TCP_TIMEOUT_FALLBACK).
    /// </summary>
    public void AfterSynTimeout()
    {
        var fallback = TimeSpan.FromSeconds(3);
        if (SmoothedRtt is null && Rto < fallback)
        {
            Rto = Clamp(fallback);
        }
    }

    /// <summary>Doubles the timeout after it expired (RFC 6298 §5.5), never beyond the ceiling.</summary>
    public void Backoff()
    {
        Rto = Rto.Ticks > _maxRto.Ticks / 2 ? _maxRto : Rto + Rto;
        Backoffs++;
    }

    private TimeSpan Clamp(TimeSpan rto) => rto < _minRto ? _minRto : rto > _maxRto ? _maxRto : rto;
}
