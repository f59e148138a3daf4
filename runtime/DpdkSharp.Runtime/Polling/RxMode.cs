namespace DpdkSharp.Runtime.Polling;

/// <summary>How a receive loop spends the time when its queues are empty (see <see cref="RxWaitSet.Idle"/>).</summary>
public enum RxMode
{
    /// <summary>Never sleep: poll the queues continuously (lowest latency, one core at 100%). Works on every driver.</summary>
    Poll,

    /// <summary>
    /// Sleep as soon as a poll finds the queues empty, until a packet's interrupt, <see cref="RxWaitSet.Wake"/> or the
    /// timeout. Needs RX interrupts: a port configured with <see cref="PortConfig.RxInterrupts"/> on a driver that has them.
    /// </summary>
    Interrupt,

    /// <summary>
    /// Poll while traffic flows; after <see cref="RxWaitOptions.EmptyPollsBeforeSleep"/> empty polls in a row, sleep as in
    /// <see cref="Interrupt"/>; after waking, keep sleeping whenever the queues empty again until a poll returns a burst
    /// of at least <see cref="RxWaitOptions.BurstToResumePolling"/> packets, then poll again. Needs RX interrupts.
    /// </summary>
    Adaptive,
}

/// <summary>What ended a sleep of <see cref="RxWaitSet"/> (several can be set).</summary>
[Flags]
public enum RxWakeReasons
{
    /// <summary>The call did not sleep (the mode or the policy said poll on).</summary>
    None = 0,

    /// <summary>The timeout passed (or a signal interrupted the wait).</summary>
    Timeout = 1,

    /// <summary>A receive queue signalled packets.</summary>
    Packets = 2,

    /// <summary><see cref="RxWaitSet.Wake"/> was called (before or during the sleep).</summary>
    Woken = 4,
}

/// <summary>Settings of an <see cref="RxWaitSet"/>.</summary>
public sealed record RxWaitOptions
{
    /// <summary>The mode; <see cref="RxMode.Adaptive"/> by default.</summary>
    public RxMode Mode { get; init; } = RxMode.Adaptive;

    /// <summary>
    /// <see cref="RxMode.Adaptive"/>: consecutive empty polls before the loop sleeps (N). Default 1024: at a few hundred
    /// nanoseconds per empty poll, a few hundred microseconds of quiet.
    /// </summary>
    public int EmptyPollsBeforeSleep { get; init; } = 1024;

    /// <summary>
    /// <see cref="RxMode.Adaptive"/>: the burst size (M) that, received after a sleep, means traffic is back and the loop
    /// polls again instead of sleeping whenever the queues empty. Default 8.
    /// </summary>
    public int BurstToResumePolling { get; init; } = 8;
}
