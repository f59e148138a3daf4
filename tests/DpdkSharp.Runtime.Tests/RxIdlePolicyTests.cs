using DpdkSharp.Runtime.Polling;
using Step = DpdkSharp.Runtime.Polling.RxIdlePolicy.Step;

namespace DpdkSharp.Runtime.Tests;

/// <summary>The decisions behind RxWaitSet.Idle, without DPDK or the OS: poll, arm (then poll once more), sleep, disarm.</summary>
public sealed class RxIdlePolicyTests
{
    [Fact]
    public void Poll_mode_never_arms_or_sleeps()
    {
        var policy = new RxIdlePolicy(RxMode.Poll, 4, 8);
        for (var i = 0; i < 10_000; i++)
        {
            Assert.Equal(Step.PollOn, policy.Next(i % 7 == 0 ? 32 : 0));
        }
    }

    [Fact]
    public void Interrupt_mode_arms_at_the_first_empty_poll_and_sleeps_if_the_next_is_empty_too()
    {
        var policy = new RxIdlePolicy(RxMode.Interrupt, 1000, 8);
        Assert.Equal(Step.PollOn, policy.Next(5));
        Assert.Equal(Step.Arm, policy.Next(0));
        Assert.True(policy.Armed);
        Assert.Equal(Step.Sleep, policy.Next(0)); // still empty after arming: sleep (disarmed after)
        Assert.False(policy.Armed);
        Assert.Equal(Step.PollOn, policy.Next(1)); // the packet that woke it
        Assert.Equal(Step.Arm, policy.Next(0));
        Assert.Equal(Step.Disarm, policy.Next(3)); // packets came in the poll after the arm: no sleep
        Assert.False(policy.Armed);
        Assert.Equal(Step.Arm, policy.Next(0));
    }

    [Fact]
    public void Adaptive_mode_sleeps_after_N_empty_polls_and_polls_again_after_a_burst_of_M()
    {
        const int n = 5, m = 8;
        var policy = new RxIdlePolicy(RxMode.Adaptive, n, m);
        for (var i = 1; i < n; i++)
        {
            Assert.Equal(Step.PollOn, policy.Next(0));
        }

        Assert.Equal(Step.Arm, policy.Next(0)); // the Nth empty poll
        Assert.Equal(Step.Sleep, policy.Next(0));

        // Woken by a small burst (< M): still in interrupt mode, so the first empty poll arms again.
        Assert.Equal(Step.PollOn, policy.Next(m - 1));
        Assert.Equal(Step.Arm, policy.Next(0));
        Assert.Equal(Step.Sleep, policy.Next(0));

        // A burst of M: polling again, and it takes N empty polls to sleep.
        Assert.Equal(Step.PollOn, policy.Next(m));
        for (var i = 1; i < n; i++)
        {
            Assert.Equal(Step.PollOn, policy.Next(0));
        }

        Assert.Equal(Step.Arm, policy.Next(0));

        // Packets in between reset the count of empty polls.
        Assert.Equal(Step.Disarm, policy.Next(m));
        for (var i = 1; i < n; i++)
        {
            Assert.Equal(Step.PollOn, policy.Next(0));
        }

        Assert.Equal(Step.PollOn, policy.Next(1));
        for (var i = 1; i < n; i++)
        {
            Assert.Equal(Step.PollOn, policy.Next(0));
        }

        Assert.Equal(Step.Arm, policy.Next(0));
    }
}
