namespace DpdkSharp.Stack;

/// <summary>How a <see cref="Reactor"/> runs its loop.</summary>
public sealed record ReactorOptions
{
    /// <summary>Name of the reactor's thread (shown by debuggers and <c>top -H</c>).</summary>
    public string ThreadName { get; init; } = "dpdksharp-reactor";

    /// <summary>
    /// Empty iterations (nothing received, no command) that spin, polling again at once, before the reactor sleeps
    /// (<see cref="ShortSleep"/>, then <see cref="IdleSleep"/>). Busy polling is what makes DPDK fast on a dedicated
    /// core; on a core shared with other threads it keeps them off the CPU until the scheduler preempts the reactor,
    /// so the default is short. Use <see cref="int.MaxValue"/> to poll without ever sleeping (a dedicated core).
    /// Before <see cref="ShortSleepWindow"/> existed the default was 2000.
    /// </summary>
    public int SpinIterationsBeforeSleep { get; init; } = 16;

    /// <summary>
    /// After the spin, for how long since the last work (a frame received or a command run) the reactor sleeps only
    /// <see cref="ShortSleep"/> between empty polls before it naps (<see cref="IdleSleep"/>, which a packet does not
    /// end). On a core shared with the application's threads (Kestrel's thread pool, say) the short sleeps hand the
    /// CPU to the thread the reactor has just woken at once, and steady traffic never waits out a nap; see
    /// bench/http/README.md for what it changed there. The cost: while traffic comes at most this far apart the
    /// reactor wakes every <see cref="ShortSleep"/> (a few percent of a CPU) instead of napping, and an idle reactor
    /// answers the first packet after a quiet spell no sooner than before. <see cref="TimeSpan.Zero"/>: nap right
    /// after the spin (the loop before this option, with <see cref="SpinIterationsBeforeSleep"/> 2000). Not used
    /// when the device sleeps on RX interrupts (<see cref="IReactorDevice.Idle"/>). Negative is refused.
    /// </summary>
    public TimeSpan ShortSleepWindow { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// The sleep between empty polls within <see cref="ShortSleepWindow"/> (Linux <c>nanosleep</c>; the kernel adds the
    /// thread's timer slack, 50 µs by default). Zero to 1 ms.
    /// </summary>
    public TimeSpan ShortSleep { get; init; } = TimeSpan.FromMicroseconds(20);

    /// <summary>Longest nap when idle; a command posted by an application thread ends it at once.</summary>
    public TimeSpan IdleSleep { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// The CPU to pin the reactor's thread to before its first burst (Linux <c>sched_setaffinity</c>),
    /// or null to leave it to the scheduler. A reactor that busy-polls a core of its own is how
    /// DPDK runs fastest; pinning also keeps its caches warm.
    /// </summary>
    public int? Cpu { get; init; }

    /// <summary>How long <see cref="Reactor.Dispose"/> waits for the loop to finish before giving up.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long stopping waits for open TCP connections to finish their FIN handshakes before it
    /// resets the rest (keep it below <see cref="StopTimeout"/>).
    /// </summary>
    public TimeSpan TcpShutdownTimeout { get; init; } = TimeSpan.FromSeconds(3);
}
