namespace DpdkSharp.Stack;

/// <summary>How a <see cref="Reactor"/> runs its loop.</summary>
public sealed record ReactorOptions
{
    /// <summary>Name of the reactor's thread (shown by debuggers and <c>top -H</c>).</summary>
    public string ThreadName { get; init; } = "dpdksharp-reactor";

    /// <summary>
    /// Empty iterations (nothing received, no command) before the reactor starts sleeping. Busy
    /// polling is what makes DPDK fast on a dedicated core; on a shared machine it burns a core per
    /// reactor, so after this many empty loops the reactor naps for <see cref="IdleSleep"/>.
    /// Use <see cref="int.MaxValue"/> to poll without ever sleeping.
    /// </summary>
    public int SpinIterationsBeforeSleep { get; init; } = 2000;

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
