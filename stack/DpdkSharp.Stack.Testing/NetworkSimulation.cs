using DpdkSharp.Stack.Interface;

namespace DpdkSharp.Stack.Testing;

/// <summary>
/// Runs interface cores over a <see cref="SimulatedLink"/> on virtual time, one event after another:
/// each step jumps the clock to the earliest of the next frame arrival, the next timer of any
/// registered source (every added core's <see cref="NetworkInterfaceCore.NextTimerAt"/>, and any
/// <see cref="AddTimerSource"/>) and <see cref="MaxStep"/> from now; delivers the frames due; polls
/// the sources whose timers are due; and delivers again what that sent with no delay. Nothing
/// sleeps: seconds of protocol time pass in microseconds, and a run is exactly repeatable.
/// </summary>
/// <remarks>Everything runs on the calling thread. Start the cores yourself (<see cref="NetworkInterfaceCore.Start"/> at <see cref="Now"/>); the simulation only polls them.</remarks>
public sealed class NetworkSimulation
{
    /// <summary>How many steps in a row may run at one instant before the simulation decides a source never stops being due.</summary>
    private const int MaxStepsAtOneInstant = 10_000;
    private readonly List<(Func<Instant> NextTimer, Action<Instant> Poll)> _sources = [];
    private readonly TimeSpan _maxStep = TimeSpan.FromMilliseconds(100);

    /// <summary>A simulation over <paramref name="link"/>, whose clock it drives from the link's <see cref="SimulatedLink.Now"/>.</summary>
    public NetworkSimulation(SimulatedLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        Link = link;
    }

    /// <summary>The link the cores talk over.</summary>
    public SimulatedLink Link { get; }

    /// <summary>The virtual clock (the link's).</summary>
    public Instant Now => Link.Now;

    /// <summary>The longest jump of the clock in one step (100 ms by default), so a run's condition is checked at least that often.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public TimeSpan MaxStep
    {
        get => _maxStep;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero, nameof(MaxStep));
            _maxStep = value;
        }
    }

    /// <summary>Steps taken so far.</summary>
    public long Steps { get; private set; }

    /// <summary>Polls <paramref name="core"/> whenever its <see cref="NetworkInterfaceCore.NextTimerAt"/> is due.</summary>
    public void Add(NetworkInterfaceCore core)
    {
        ArgumentNullException.ThrowIfNull(core);
        AddTimerSource(() => core.NextTimerAt, now => core.Poll(now));
    }

    /// <summary>
    /// Registers any other timer-driven code (a TCP connection table, an application's retry):
    /// <paramref name="poll"/> runs at <see cref="Now"/> whenever <paramref name="nextTimer"/>
    /// (<see cref="Instant.Never"/> for none) is due. After a poll the source must report a later time.
    /// </summary>
    public void AddTimerSource(Func<Instant> nextTimer, Action<Instant> poll)
    {
        ArgumentNullException.ThrowIfNull(nextTimer);
        ArgumentNullException.ThrowIfNull(poll);
        _sources.Add((nextTimer, poll));
    }

    /// <summary>
    /// Steps until <paramref name="done"/> holds (checked before every step; returns true) or the
    /// clock reaches <paramref name="deadline"/> (returns false).
    /// </summary>
    /// <exception cref="InvalidOperationException">A timer source stays due at one instant however often it is polled.</exception>
    public bool RunUntil(Func<bool> done, Instant deadline)
    {
        ArgumentNullException.ThrowIfNull(done);
        int stepsAtThisInstant = 0;
        while (!done())
        {
            if (Now >= deadline)
            {
                return false;
            }
            var before = Now;
            Step(Instant.Min(NextEventAt(), deadline));
            stepsAtThisInstant = Now == before ? stepsAtThisInstant + 1 : 0;
            if (stepsAtThisInstant > MaxStepsAtOneInstant)
            {
                throw new InvalidOperationException($"A timer source stays due at {Now} after {MaxStepsAtOneInstant} polls: its next timer must move past the time it was polled at.");
            }
        }
        return true;
    }

    /// <summary>Runs for <paramref name="duration"/> of virtual time.</summary>
    public void RunFor(TimeSpan duration) => RunUntil(static () => false, Now + duration);

    /// <summary>When the next step would run: the earliest arrival or timer, and no later than <see cref="MaxStep"/> from now.</summary>
    public Instant NextEventAt()
    {
        var next = Instant.Min(Link.NextDeliveryAt ?? Instant.Never, Now + _maxStep);
        foreach (var (nextTimer, _) in _sources)
        {
            next = Instant.Min(next, nextTimer());
        }
        return Instant.Max(next, Now);
    }

    /// <summary>Moves the clock to <paramref name="at"/> and runs what is due then: arrivals, timers, and the arrivals they cause with no delay.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="at"/> is earlier than <see cref="Now"/>.</exception>
    public void Step(Instant at)
    {
        Link.DeliverDue(at);
        foreach (var (nextTimer, poll) in _sources)
        {
            if (nextTimer() <= at)
            {
                poll(at);
            }
        }
        Link.DeliverDue(at);
        Steps++;
    }
}
