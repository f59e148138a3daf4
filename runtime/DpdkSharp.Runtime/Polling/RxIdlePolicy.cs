namespace DpdkSharp.Runtime.Polling;

/// <summary>
/// The decision half of <see cref="RxWaitSet.Idle"/>, with no OS or DPDK in it so that it is tested on its own:
/// fed what each poll received, it says whether to poll on, arm the queues' interrupts, sleep, or disarm.
/// </summary>
/// <remarks>
/// Arming comes one poll before sleeping: on drivers whose interrupts fire only for packets that arrive while
/// armed (NICs, memif), a packet that came between the last empty poll and the arm would otherwise sleep in the
/// queue until the next one. So: arm, poll once more, and sleep only if that poll is empty too.
/// </remarks>
internal struct RxIdlePolicy(RxMode mode, int emptyPollsBeforeSleep, int burstToResumePolling)
{
    /// <summary>What the loop does next.</summary>
    public enum Step
    {
        /// <summary>Poll again.</summary>
        PollOn,
        /// <summary>Arm the queues' interrupts, then poll once more.</summary>
        Arm,
        /// <summary>Sleep (the queues are armed), then disarm them.</summary>
        Sleep,
        /// <summary>Packets came while armed: disarm, poll on.</summary>
        Disarm,
    }

    private int _emptyPolls;
    private bool _sleepy; // Adaptive, after a sleep: sleep again at the first empty poll, until a burst of M
    private bool _armed;

    /// <summary>Whether the queues are armed now.</summary>
    public readonly bool Armed => _armed;

    /// <summary>The step after a poll that received <paramref name="received"/> packets.</summary>
    public Step Next(int received)
    {
        if (received > 0)
        {
            _emptyPolls = 0;
            if (_sleepy && received >= burstToResumePolling)
            {
                _sleepy = false;
            }

            if (!_armed)
            {
                return Step.PollOn;
            }

            _armed = false;
            return Step.Disarm;
        }
        if (mode == RxMode.Poll)
        {
            return Step.PollOn;
        }

        if (_armed)
        {
            _armed = false;
            return Step.Sleep;
        }
        if (mode == RxMode.Interrupt || _sleepy || ++_emptyPolls >= emptyPollsBeforeSleep)
        {
            _emptyPolls = 0;
            _sleepy = mode == RxMode.Adaptive;
            _armed = true;
            return Step.Arm;
        }
        return Step.PollOn;
    }
}
