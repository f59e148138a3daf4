using Xunit.Abstractions;

namespace DpdkSharp.Stack.Tests.Tcp;

/// <summary>
/// Loss recovery over the simulator under the kernel fault scenario's impairments (5 % loss, 5 %
/// reordered by 3 ms, 2 % duplicated, 1 % corrupted, 1 ms delay with 1 ms jitter, both ways):
/// RACK-TLP (RFC 8985) must leave retransmission timeouts rare.
/// </summary>
public class TcpLossRecoveryTests
{
    private readonly ITestOutputHelper _output;

    public TcpLossRecoveryTests(ITestOutputHelper output) => _output = output;

    internal static Impairments Faults(int seed) => new()
    {
        Seed = seed,
        Loss = 0.05,
        Reorder = 0.05,
        ReorderDelay = TimeSpan.FromMilliseconds(3),
        Duplication = 0.02,
        Corruption = 0.01,
        Delay = TimeSpan.FromMilliseconds(1),
        Jitter = TimeSpan.FromMilliseconds(1),
        RateBitsPerSecond = 1_000_000_000,
        QueueLimitBytes = 4 * 1024 * 1024,
    };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Under_five_percent_loss_with_reordering_duplication_and_corruption_RACK_makes_retransmission_timeouts_rare(int seed)
    {
        var rack = Transfer(seed, TcpSocketOptions.Default);
        var dupThresh = Transfer(seed, new TcpSocketOptions { RackLossDetection = false });
        _output.WriteLine($"seed {seed}, 6 MB: RACK {rack}; RFC 6675 alone {dupThresh}");
        Assert.True(rack.Timeouts * 4 <= dupThresh.Timeouts, $"RACK {rack}; RFC 6675 alone {dupThresh}");
        Assert.True(rack.Timeouts <= MaxTimeouts, $"RACK {rack}");
        Assert.True(rack.LostRetransmissions > 0, $"RACK {rack}");
        Assert.True(rack.Seconds < dupThresh.Seconds, $"RACK {rack}; RFC 6675 alone {dupThresh}");
    }

    /// <summary>Measured: 11 and 5 timeouts per 6 MB with RACK (seeds 1, 2), against 57 and 37 with RFC 6675's duplicate-ACK rules alone.</summary>
    private const int MaxTimeouts = 15;

    /// <summary>6 MB from A to B through the faults; what the sender's counters say.</summary>
    private static Outcome Transfer(int seed, TcpSocketOptions options)
    {
        using var pair = new SimulatedPair(Faults(seed), Faults(seed + 1000));
        var transfer = new TcpTransfer(pair, 6 << 20, 0, seed, options, options);
        var start = pair.Sim.Now;
        Assert.True(transfer.Run(TimeSpan.FromSeconds(600)), transfer.ToString());
        transfer.AssertIntact();
        var a = pair.A.TcpCounters;
        return new Outcome((pair.Sim.Now - start).TotalSeconds, a.RetransmissionTimeouts, a.RetransmittedSegments, a.SackRecoveries, a.LossProbes, a.LostRetransmissions);
    }

    private readonly record struct Outcome(double Seconds, long Timeouts, long Retransmitted, long Recoveries, long Probes, long LostRetransmissions)
    {
        public override string ToString() =>
            $"{Seconds:F2} s, {Timeouts} RTOs, {Retransmitted} retransmitted, {Recoveries} recoveries, {Probes} loss probes, {LostRetransmissions} lost retransmissions found";
    }
}
