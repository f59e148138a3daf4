namespace DpdkSharp.Stack.Tests.Tcp;

/// <summary>
/// <see cref="NewRenoCongestionControl"/> and <see cref="CubicCongestionControl"/> driven by a
/// simulated ACK clock: each round trip the sender fills cwnd and the ACKs come back spread
/// over the RTT.
/// </summary>
public class CongestionControlTests
{
    private const int Mss = 1460;

    public static TheoryData<string> Algorithms => new() { "reno", "cubic" };

    private static CongestionControlBase Create(string algorithm)
    {
        CongestionControlBase cc = algorithm == "reno" ? new NewRenoCongestionControl() : new CubicCongestionControl();
        cc.Initialize(Mss, At(0));
        return cc;
    }

    /// <summary>One round trip of a window-limited sender: cwnd of data acked in pieces of <paramref name="ackBytes"/>, the ACKs spread over the RTT.</summary>
    private static long RoundTrip(ITcpCongestionControl cc, long now, long rtt, int ackBytes = Mss)
    {
        int window = cc.CongestionWindow;
        int acks = Math.Max(1, window / ackBytes);
        for (int i = 0; i < acks; i++)
        {
            cc.OnAck(ackBytes, window, TimeSpan.FromTicks(rtt / 100), At(now + rtt * (i + 1) / acks));
        }
        return now + rtt;
    }

    /// <summary><paramref name="count"/> round trips of 100 ms from <paramref name="now"/>.</summary>
    private static long RoundTrips(ITcpCongestionControl cc, long now, int count)
    {
        for (int i = 0; i < count; i++)
        {
            now = RoundTrip(cc, now, 100 * T.Ms);
        }
        return now;
    }

    /// <summary>CUBIC after slow start to 160 segments, a loss there and the end of its recovery.</summary>
    private static CubicCongestionControl CubicAfterLossAt160(out long now)
    {
        var cc = (CubicCongestionControl)Create("cubic");
        now = RoundTrips(cc, 0, 4);
        Assert.Equal(160 * Mss, cc.CongestionWindow);
        cc.OnCongestionEvent(160 * Mss, At(now));
        cc.OnRecoveryEnd(At(now));
        return cc;
    }

    [Theory]
    [InlineData(536, 5360)]    // 10 segments
    [InlineData(1460, 14600)]  // 10 segments
    [InlineData(8960, 17920)]  // 2 segments (jumbo frames)
    public void The_initial_window_is_that_of_RFC_6928(int mss, int window)
    {
        var cc = new NewRenoCongestionControl();
        cc.Initialize(mss, At(0));
        Assert.Equal(window, cc.CongestionWindow);
        Assert.Equal(int.MaxValue, cc.SlowStartThreshold);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Slow_start_doubles_the_window_each_round_trip(string algorithm)
    {
        var cc = Create(algorithm);
        long now = 0;
        for (int round = 0; round < 4; round++)
        {
            int before = cc.CongestionWindow;
            now = RoundTrip(cc, now, 50 * T.Ms);
            Assert.Equal(2 * before, cc.CongestionWindow);
        }
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Slow_start_still_doubles_with_delayed_ACKs_but_a_stretch_ACK_adds_only_two_segments(string algorithm)
    {
        var cc = Create(algorithm);
        RoundTrip(cc, 0, 50 * T.Ms, ackBytes: 2 * Mss);
        Assert.Equal(20 * Mss, cc.CongestionWindow);
        cc.OnAck(10 * Mss, cc.CongestionWindow, null, At(T.Sec));
        Assert.Equal(22 * Mss, cc.CongestionWindow); // RFC 3465 §2.3: L = 2 SMSS
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void An_application_limited_sender_does_not_grow_the_window(string algorithm)
    {
        var cc = Create(algorithm);
        for (int i = 0; i < 100; i++)
        {
            cc.OnAck(Mss, 2 * Mss, null, At(i * T.Ms)); // two segments in flight of a ten-segment window
        }
        Assert.Equal(10 * Mss, cc.CongestionWindow);
    }

    [Fact]
    public void Reno_congestion_avoidance_grows_one_segment_per_round_trip()
    {
        var cc = Create("reno");
        cc.OnCongestionEvent(40 * Mss, At(0)); // 20 segments
        cc.OnRecoveryEnd(At(0));
        long now = 0;
        for (int round = 1; round <= 10; round++)
        {
            now = RoundTrip(cc, now, 50 * T.Ms);
            Assert.Equal((20 + round) * Mss, cc.CongestionWindow);
        }
    }

    [Theory]
    [InlineData(40, 20)]
    [InlineData(3, 2)]
    public void Reno_halves_the_flight_on_a_loss_but_never_below_two_segments(int flight, int segments)
    {
        var cc = Create("reno");
        cc.OnCongestionEvent(flight * Mss, At(0));
        Assert.Equal(segments * Mss, cc.SlowStartThreshold);
        Assert.Equal(segments * Mss, cc.CongestionWindow);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void A_retransmission_timeout_leaves_one_segment_and_repeated_ones_keep_ssthresh(string algorithm)
    {
        var cc = Create(algorithm);
        long now = RoundTrip(cc, 0, 50 * T.Ms);
        now = RoundTrip(cc, now, 50 * T.Ms); // 40 segments
        cc.OnRetransmissionTimeout(40 * Mss, At(now));
        Assert.Equal(Mss, cc.CongestionWindow);
        int expected = algorithm == "reno" ? 20 * Mss : (int)(40 * Mss * 0.7);
        Assert.Equal(expected, cc.SlowStartThreshold);

        cc.OnRetransmissionTimeout(Mss, At(now + T.Sec)); // backed off, nothing acked since
        Assert.Equal(Mss, cc.CongestionWindow);
        Assert.Equal(expected, cc.SlowStartThreshold);

        // Slow start from one segment back up to ssthresh, then congestion avoidance.
        now += T.Sec;
        for (int i = 0; i < 10; i++)
        {
            now = RoundTrip(cc, now, 50 * T.Ms);
        }
        Assert.True(cc.CongestionWindow >= expected);
        Assert.True(cc.CongestionWindow < expected + 6 * Mss);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void An_MSS_change_keeps_the_window_in_segments(string algorithm)
    {
        var cc = Create(algorithm);
        cc.OnCongestionEvent(40 * Mss, At(0));
        int segments = cc.CongestionWindow / Mss;
        cc.OnMssChanged(1000);
        Assert.Equal(segments * 1000, cc.CongestionWindow);
        Assert.Equal(segments * 1000, cc.SlowStartThreshold);
    }

    [Fact]
    public void Cubic_reduces_the_window_to_seven_tenths_on_a_loss()
    {
        var cc = Create("cubic");
        long now = RoundTrips(cc, 0, 4);
        Assert.Equal(160 * Mss, cc.CongestionWindow);
        cc.OnCongestionEvent(160 * Mss, At(now));
        Assert.Equal((int)(160 * Mss * 0.7), cc.CongestionWindow);
        Assert.Equal((int)(160 * Mss * 0.7), cc.SlowStartThreshold);
        Assert.Equal(160, ((CubicCongestionControl)cc).MaxWindow, 6);
    }

    [Fact]
    public void Cubic_grows_back_to_the_window_of_the_loss_at_time_K_concave_then_convex()
    {
        var cc = CubicAfterLossAt160(out long now);
        long epoch = now;
        now = RoundTrip(cc, now, 100 * T.Ms);
        double k = Math.Cbrt(160 * (1 - 0.7) / 0.4); // 4.93 s
        Assert.Equal(k, cc.K, 2);

        var windows = new List<(double Seconds, double Segments)>();
        while (now - epoch < 2 * k * T.Sec)
        {
            now = RoundTrip(cc, now, 100 * T.Ms);
            windows.Add(((now - epoch) / (double)T.Sec, cc.CongestionWindow / (double)Mss));
        }
        double atK = windows.MinBy(w => Math.Abs(w.Seconds - k)).Segments;
        Assert.InRange(atK, 160 * 0.97, 160 * 1.03);

        // Concave before K (growth slows down as W_max nears), convex after (it speeds up).
        double Growth(double from, double to) =>
            windows.MinBy(w => Math.Abs(w.Seconds - to)).Segments - windows.MinBy(w => Math.Abs(w.Seconds - from)).Segments;
        Assert.True(Growth(0.5, 1.5) > 2 * Growth(k - 1.5, k - 0.5));
        Assert.True(Growth(k + 1.5, k + 2.5) > 2 * Growth(k + 0.5, k + 1.5));
    }

    [Fact]
    public void Cubic_fast_convergence_lowers_the_maximum_when_a_loss_comes_before_reaching_it()
    {
        var cc = CubicAfterLossAt160(out long now);
        now = RoundTrips(cc, now, 20); // 2 s: well short of W_max = 160
        double before = cc.CongestionWindow / (double)Mss;
        Assert.InRange(before, 113, 159);

        cc.OnCongestionEvent(cc.CongestionWindow, At(now));
        Assert.Equal(before * (1 + 0.7) / 2, cc.MaxWindow, 6);
        cc.OnRecoveryEnd(At(now));

        // The next loss at W_max: no fast convergence, W_max is the window itself.
        now = RoundTrip(cc, now, 100 * T.Ms);
        while (cc.CongestionWindow / (double)Mss < cc.MaxWindow)
        {
            now = RoundTrip(cc, now, 100 * T.Ms);
        }
        double reached = cc.CongestionWindow / (double)Mss;
        cc.OnCongestionEvent(cc.CongestionWindow, At(now));
        Assert.Equal(reached, cc.MaxWindow, 6);
    }

    [Fact]
    public void Cubic_is_at_least_as_fast_as_Reno_in_the_Reno_friendly_region()
    {
        // A long loss-free period at a small window on a short path: the cubic curve is flat
        // near W_max for seconds, where Reno with alpha_cubic would grow by 0.53 segments per RTT.
        var cc = (CubicCongestionControl)Create("cubic");
        cc.OnCongestionEvent(20 * Mss, At(0));
        cc.OnRecoveryEnd(At(0));
        long now = 0;
        int start = cc.CongestionWindow;
        for (int i = 0; i < 100; i++)
        {
            now = RoundTrip(cc, now, 1 * T.Ms); // 100 ms in all, far short of K
        }
        Assert.True(cc.K > 1);
        double grown = (cc.CongestionWindow - start) / (double)Mss;
        Assert.InRange(grown, 100 * 0.5, 100 * 1.05); // alpha_cubic, then 1 once past the window before the loss
    }

    [Fact]
    public void Cubic_after_a_timeout_starts_a_flat_curve_at_the_window_it_reaches()
    {
        var cc = (CubicCongestionControl)Create("cubic");
        long now = RoundTrip(cc, 0, 100 * T.Ms);
        now = RoundTrip(cc, now, 100 * T.Ms); // 40 segments
        cc.OnRetransmissionTimeout(40 * Mss, At(now));
        while (cc.CongestionWindow < cc.SlowStartThreshold)
        {
            now = RoundTrip(cc, now, 100 * T.Ms);
        }
        now = RoundTrip(cc, now, 100 * T.Ms);
        Assert.Equal(0, cc.K);
        Assert.Equal(28, cc.MaxWindow, 6); // 0.7 * 40: W_max is the window the stage began with
    }

    [Fact]
    public void Cubic_does_not_count_idle_or_application_limited_time_toward_the_curve()
    {
        var idle = (CubicCongestionControl)Create("cubic");
        var busy = (CubicCongestionControl)Create("cubic");
        long idleNow = 0;
        long busyNow = 0;
        foreach (var cc in new[] { idle, busy })
        {
            cc.OnCongestionEvent(100 * Mss, At(0));
            cc.OnRecoveryEnd(At(0));
        }
        for (int i = 0; i < 10; i++)
        {
            idleNow = RoundTrip(idle, idleNow, 100 * T.Ms);
            busyNow = RoundTrip(busy, busyNow, 100 * T.Ms);
        }

        // One sender pauses for 20 s (nothing in flight), then a while of small writes
        // (application-limited ACKs); the other does neither.
        idleNow += 20 * T.Sec;
        for (int i = 0; i < 50; i++)
        {
            idleNow += 100 * T.Ms;
            idle.OnAck(Mss, Mss, TimeSpan.FromMilliseconds(100), At(idleNow));
        }
        Assert.Equal(busy.CongestionWindow, idle.CongestionWindow);
        for (int i = 0; i < 10; i++)
        {
            idleNow = RoundTrip(idle, idleNow, 100 * T.Ms);
            busyNow = RoundTrip(busy, busyNow, 100 * T.Ms);
        }
        Assert.InRange(idle.CongestionWindow, busy.CongestionWindow - Mss, busy.CongestionWindow + Mss);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Using_a_controller_before_it_has_an_MSS_throws(string algorithm)
    {
        ITcpCongestionControl cc = algorithm == "reno" ? new NewRenoCongestionControl() : new CubicCongestionControl();
        Assert.Throws<InvalidOperationException>(() => cc.OnAck(Mss, Mss, null, At(0)));
        Assert.Throws<InvalidOperationException>(() => cc.OnCongestionEvent(Mss, At(0)));
        Assert.Throws<InvalidOperationException>(() => cc.OnRetransmissionTimeout(Mss, At(0)));
        Assert.Throws<InvalidOperationException>(() => cc.OnMssChanged(Mss));
    }
}
