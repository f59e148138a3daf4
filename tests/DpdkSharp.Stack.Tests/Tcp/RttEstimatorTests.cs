namespace DpdkSharp.Stack.Tests.Tcp;

/// <summary><see cref="RttEstimator"/>: RFC 6298 §2 and §5.5 with hand-computed values.</summary>
public class RttEstimatorTests
{
    private static readonly TimeSpan s_ms = TimeSpan.FromMilliseconds(1);

    private static RttEstimator Estimator(double minMs = 200, double maxMs = 60_000) =>
        new(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(minMs), TimeSpan.FromMilliseconds(maxMs));

    [Fact]
    public void Before_any_sample_the_timeout_is_the_initial_one_and_nothing_is_smoothed()
    {
        var rtt = Estimator();
        Assert.Equal(TimeSpan.FromSeconds(1), rtt.Rto);
        Assert.Null(rtt.SmoothedRtt);
        Assert.Null(rtt.MinRtt);
        Assert.Equal(TimeSpan.Zero, rtt.RttVariance);
        Assert.Equal(0, rtt.Backoffs);
    }

    [Fact]
    public void The_first_sample_sets_srtt_to_it_and_the_variance_to_half_of_it()
    {
        var rtt = Estimator();
        rtt.AddSample(100 * s_ms);
        Assert.Equal(100 * s_ms, rtt.SmoothedRtt);
        Assert.Equal(50 * s_ms, rtt.RttVariance);
        Assert.Equal(300 * s_ms, rtt.Rto); // 100 + 4 * 50
    }

    [Fact]
    public void Later_samples_update_the_variance_from_the_old_srtt_with_beta_a_quarter_and_srtt_with_alpha_an_eighth()
    {
        var rtt = Estimator();
        rtt.AddSample(100 * s_ms);
        rtt.AddSample(200 * s_ms);
        Assert.Equal(62.5 * s_ms, rtt.RttVariance);    // 3/4 * 50 + 1/4 * |100 - 200|
        Assert.Equal(112.5 * s_ms, rtt.SmoothedRtt);   // 7/8 * 100 + 1/8 * 200
        Assert.Equal(362.5 * s_ms, rtt.Rto);           // 112.5 + 4 * 62.5
        Assert.Equal(100 * s_ms, rtt.MinRtt);
        rtt.AddSample(40 * s_ms);
        Assert.Equal(40 * s_ms, rtt.MinRtt);
    }

    [Fact]
    public void The_timeout_is_clamped_to_the_floor_and_the_ceiling()
    {
        var rtt = Estimator(minMs: 200, maxMs: 2_000);
        rtt.AddSample(1 * s_ms);
        Assert.Equal(200 * s_ms, rtt.Rto);
        rtt = Estimator(minMs: 200, maxMs: 2_000);
        rtt.AddSample(TimeSpan.FromSeconds(3));
        Assert.Equal(TimeSpan.FromSeconds(2), rtt.Rto);
    }

    [Fact]
    public void A_steady_path_gets_srtt_plus_the_clock_granularity_once_the_variance_has_decayed()
    {
        var rtt = Estimator(minMs: 0);
        for (int i = 0; i < 100; i++)
        {
            rtt.AddSample(10 * s_ms);
        }
        Assert.Equal(TimeSpan.Zero, rtt.RttVariance);
        Assert.Equal(11 * s_ms, rtt.Rto); // SRTT + max(G, 4 * 0) with G = 1 ms
    }

    [Fact]
    public void Backoff_doubles_up_to_the_ceiling_and_a_sample_ends_it()
    {
        var rtt = Estimator(maxMs: 5_000);
        rtt.AddSample(100 * s_ms); // 300 ms
        rtt.Backoff();
        Assert.Equal(600 * s_ms, rtt.Rto);
        rtt.Backoff();
        rtt.Backoff();
        Assert.Equal(2_400 * s_ms, rtt.Rto);
        rtt.Backoff();
        Assert.Equal(4_800 * s_ms, rtt.Rto);
        rtt.Backoff();
        Assert.Equal(5_000 * s_ms, rtt.Rto);
        rtt.Backoff();
        Assert.Equal(5_000 * s_ms, rtt.Rto);
        Assert.Equal(6, rtt.Backoffs);

        rtt.AddSample(100 * s_ms);
        Assert.Equal(0, rtt.Backoffs);
        Assert.Equal(100 * s_ms + 4 * rtt.RttVariance, rtt.Rto);
    }

    [Fact]
    public void Backoff_before_any_sample_doubles_the_initial_timeout()
    {
        var rtt = Estimator();
        rtt.Backoff();
        Assert.Equal(TimeSpan.FromSeconds(2), rtt.Rto);
        Assert.Equal(1, rtt.Backoffs);
    }
}
