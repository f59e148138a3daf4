using DpdkSharp.Stack.Interface;

namespace DpdkSharp.Stack.Testing;

/// <summary>
/// A deterministic point-to-point Ethernet cable on a virtual clock, with <see cref="Impairments"/>
/// per direction: like <see cref="InMemoryLink"/> (two sinks, <see cref="Attach"/>), but each frame
/// is lost, corrupted, duplicated, delayed or held back as its direction's settings and seeded
/// random source decide, and arrives at its computed time when the driver calls
/// <see cref="DeliverDue"/> (or a <see cref="NetworkSimulation"/> does). The same settings, seeds and
/// traffic give the same fates and the same arrival times, run after run.
/// </summary>
/// <remarks>
/// <para>Time: frames handed to a sink are stamped with the link's <see cref="Now"/>, which
/// <see cref="AdvanceTo"/> and <see cref="DeliverDue"/> move forward (never back). While delivering,
/// <see cref="Now"/> is each frame's arrival time, so replies sent from a receiver leave at the
/// instant the frame arrived.</para>
/// <para>Ownership, as <see cref="InMemoryLink"/>'s: a sink owns a frame's buffer from
/// <c>Transmit</c> until delivery, then returns it to the sending side's pool (duplicates are copies
/// rented from that pool). When both sides share one pool the buffer is lent to the receiver, which may
/// keep it to reply in place. Frames still in flight go back to their pools on <see cref="Dispose"/>.
/// In-flight frames hold the sender's buffers, so a pool must cover what a direction's delay and rate
/// keep in flight (a frame that finds no buffer for its duplicate counts under
/// <see cref="ImpairmentCounters.NoBuffer"/>).</para>
/// <para>A sink refuses (returns false, so the core counts <see cref="DropReason.TransmitQueueFull"/>)
/// only the frames its rate limiter's queue drops; lost frames are accepted and vanish on the wire.</para>
/// </remarks>
public sealed class SimulatedLink : IDisposable
{
    private readonly ImpairedPath<bool>[] _paths;
    private readonly Sink[] _sinks;
    private readonly bool _lend;
    private IFrameReceiver? _receiverA, _receiverB;
    private Instant _now;

    /// <summary>
    /// A cable between a receiver renting from <paramref name="poolA"/> and one renting from
    /// <paramref name="poolB"/>; frames from A suffer <paramref name="fromA"/>, frames from B
    /// <paramref name="fromB"/> (<see cref="Impairments.None"/> when null). The clock starts at <see cref="Instant.Zero"/>.
    /// </summary>
    public SimulatedLink(IPacketBufferPool poolA, IPacketBufferPool poolB, Impairments? fromA = null, Impairments? fromB = null)
    {
        ArgumentNullException.ThrowIfNull(poolA);
        ArgumentNullException.ThrowIfNull(poolB);
        var sequence = new SendSequence();
        _paths = [new(fromA ?? Impairments.None, poolA, sequence), new(fromB ?? Impairments.None, poolB, sequence)];
        _sinks = [new Sink(this, 0), new Sink(this, 1)];
        _lend = ReferenceEquals(poolA, poolB);
    }

    /// <summary>The sink for the core on side A (its frames go to B).</summary>
    public IFrameSink SinkA => _sinks[0];

    /// <summary>The sink for the core on side B (its frames go to A).</summary>
    public IFrameSink SinkB => _sinks[1];

    /// <summary>What happened to the frames A sent.</summary>
    public ImpairmentCounters CountersA => _paths[0].Counters;

    /// <summary>What happened to the frames B sent.</summary>
    public ImpairmentCounters CountersB => _paths[1].Counters;

    /// <summary>The link's virtual clock: frames sent now leave at this instant.</summary>
    public Instant Now => _now;

    /// <summary>Frames in flight in both directions.</summary>
    public int Pending => _paths[0].Count + _paths[1].Count;

    /// <summary>When the next frame in flight arrives; null when none is.</summary>
    public Instant? NextDeliveryAt
    {
        get
        {
            var next = Instant.Min(_paths[0].NextArrival, _paths[1].NextArrival);
            return next == Instant.Never ? null : next;
        }
    }

    /// <summary>Connects the receivers at both ends: frames from side A go to <paramref name="b"/>, from B to <paramref name="a"/>.</summary>
    public void Attach(IFrameReceiver a, IFrameReceiver b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        _receiverA = a;
        _receiverB = b;
    }

    /// <summary>Moves the clock to <paramref name="now"/> without delivering anything.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="now"/> is earlier than <see cref="Now"/>.</exception>
    public void AdvanceTo(Instant now)
    {
        if (now < _now)
        {
            throw new ArgumentOutOfRangeException(nameof(now), now, $"The link's clock is at {_now} and does not go back.");
        }
        _now = now;
    }

    /// <summary>
    /// Delivers every frame that arrives by <paramref name="now"/>, frames sent while delivering
    /// included, in arrival order (frames arriving at the same instant in the order they were sent),
    /// each at its arrival time; then moves the clock to <paramref name="now"/>. Returns how many were delivered.
    /// </summary>
    /// <exception cref="InvalidOperationException">The receivers are not attached.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="now"/> is earlier than <see cref="Now"/>.</exception>
    public int DeliverDue(Instant now)
    {
        if (_receiverA is null || _receiverB is null)
        {
            throw new InvalidOperationException("Attach both receivers first.");
        }
        if (now < _now)
        {
            throw new ArgumentOutOfRangeException(nameof(now), now, $"The link's clock is at {_now} and does not go back.");
        }
        int delivered = 0;
        while (true)
        {
            _paths[0].TryPeek(out var atA, out long sequenceA);
            _paths[1].TryPeek(out var atB, out long sequenceB);
            int side = atA < atB || (atA == atB && sequenceA < sequenceB) ? 0 : 1;
            var path = _paths[side];
            if (!path.TryTakeDue(now, out var frame))
            {
                break;
            }
            _now = Instant.Max(_now, frame.ArrivesAt);
            InMemoryLink.Deliver(side == 0 ? _receiverB : _receiverA, path.Pool, frame.Buffer, frame.Length, _now, _lend);
            delivered++;
        }
        _now = now;
        return delivered;
    }

    /// <summary>Returns every frame still in flight to its pool (they are lost).</summary>
    public void Dispose()
    {
        _paths[0].Clear();
        _paths[1].Clear();
    }

    private sealed class Sink(SimulatedLink link, int side) : IFrameSink
    {
        public bool Transmit(PacketBuffer buffer, int length, in TxFrameInfo info) =>
            link._paths[side].Send(buffer, length, false, link._now);
    }
}
