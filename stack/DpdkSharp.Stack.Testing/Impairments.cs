namespace DpdkSharp.Stack.Testing;

/// <summary>
/// What one direction of a link does to the frames crossing it, in the spirit of Linux's netem and
/// tbf (which this package stands in for where there is no kernel to configure): loss, duplication,
/// reordering, corruption, delay with jitter and a rate limit with a bounded queue. Every random
/// choice comes from one <see cref="System.Random"/> seeded with <see cref="Seed"/>, so the same
/// settings and the same traffic give the same fates. Used by <see cref="SimulatedLink"/> (virtual
/// time) and <see cref="ImpairedDevice"/> (real time), one instance per direction.
/// </summary>
/// <remarks>
/// <para>Per frame, in this order: the rate limit (a frame that would push the queue past
/// <see cref="QueueLimitBytes"/> is dropped, as <c>tc tbf</c> does; the others leave the bottleneck
/// one after another at <see cref="RateBitsPerSecond"/>), loss, corruption, duplication (the copy
/// takes its own jitter and reordering draws), then each copy arrives
/// <see cref="Delay"/> + a uniform draw in [0, <see cref="Jitter"/>] after it left the bottleneck,
/// plus <see cref="ReorderDelay"/> when it is chosen for reordering (frames sent after it within that
/// time overtake it). Jitter alone can reorder frames too, as netem's does.</para>
/// <para>Sizes are the frames' own bytes: no preamble, inter-frame gap or FCS.</para>
/// </remarks>
public sealed record Impairments
{
    private readonly double _loss, _duplication, _reorder, _corruption;
    private readonly TimeSpan _reorderDelay, _delay, _jitter;
    private readonly long _rate;
    private readonly int _queueLimit = int.MaxValue;

    /// <summary>No impairment: every frame arrives at once, unchanged and in order.</summary>
    public static Impairments None { get; } = new();

    /// <summary>Seeds the direction's random choices.</summary>
    public int Seed { get; init; }

    /// <summary>Probability in [0, 1] that a frame is lost.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a probability.</exception>
    public double Loss { get => _loss; init => _loss = Probability(value); }

    /// <summary>Probability in [0, 1] that a frame arrives twice.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a probability.</exception>
    public double Duplication { get => _duplication; init => _duplication = Probability(value); }

    /// <summary>Probability in [0, 1] that a frame is held back by <see cref="ReorderDelay"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a probability.</exception>
    public double Reorder { get => _reorder; init => _reorder = Probability(value); }

    /// <summary>How much later than its fellows a frame chosen for reordering arrives.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public TimeSpan ReorderDelay { get => _reorderDelay; init => _reorderDelay = NonNegative(value); }

    /// <summary>
    /// Probability in [0, 1] that one random bit of one random byte after the 14-byte Ethernet header
    /// is flipped, so that IP, UDP or TCP checksums catch it (frames of 14 bytes or less are left alone).
    /// </summary>
    /// <remarks>
    /// On the transmit side of an <see cref="ImpairedDevice"/> the bit flips before the device sees
    /// the frame: checksums the frame asks the device to compute (offloads) cover the flipped bit.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">Not a probability.</exception>
    public double Corruption { get => _corruption; init => _corruption = Probability(value); }

    /// <summary>Fixed one-way delay of every frame.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public TimeSpan Delay { get => _delay; init => _delay = NonNegative(value); }

    /// <summary>Upper bound of the uniform extra delay added to each frame (drawn in [0, Jitter]).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public TimeSpan Jitter { get => _jitter; init => _jitter = NonNegative(value); }

    /// <summary>Bottleneck rate in bits per second; 0 for none.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public long RateBitsPerSecond
    {
        get => _rate;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(RateBitsPerSecond));
            _rate = value;
        }
    }

    /// <summary>
    /// With a rate: the bytes of frames accepted and not yet sent at the rate (the one on the wire
    /// included) above which a new frame is dropped. Unbounded (<see cref="int.MaxValue"/>) by default.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public int QueueLimitBytes
    {
        get => _queueLimit;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(QueueLimitBytes));
            _queueLimit = value;
        }
    }

    private static double Probability(double value, [System.Runtime.CompilerServices.CallerMemberName] string name = "")
    {
        if (!(value >= 0 && value <= 1))
        {
            throw new ArgumentOutOfRangeException(name, value, "A probability must be between 0 and 1.");
        }
        return value;
    }

    private static TimeSpan NonNegative(TimeSpan value, [System.Runtime.CompilerServices.CallerMemberName] string name = "")
    {
        if (value < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, value, "A time must not be negative.");
        }
        return value;
    }
}

/// <summary>
/// What one direction's <see cref="Impairments"/> did, so tests can check that it really happened.
/// Every frame sent is <see cref="FramesIn"/>; it then ends as lost, rate-dropped, dropped for want of
/// a buffer, or delivered (with its duplicate, if one was made): once nothing is in flight,
/// <c>Delivered == FramesIn - Lost - RateDropped - NoBuffer + Duplicated</c>.
/// </summary>
/// <remarks>Written by one thread (the link's or reactor's); read anywhere (possibly stale).</remarks>
public sealed class ImpairmentCounters
{
    internal ImpairmentCounters()
    {
    }

    internal long FramesInField, DeliveredField, LostField, DuplicatedField, ReorderedField, CorruptedField, RateDroppedField, NoBufferField;

    /// <summary>Frames handed to this direction.</summary>
    public long FramesIn => Volatile.Read(ref FramesInField);

    /// <summary>Frames (duplicates included) that came out of this direction to the receiver or device.</summary>
    public long Delivered => Volatile.Read(ref DeliveredField);

    /// <summary>Frames lost (<see cref="Impairments.Loss"/>).</summary>
    public long Lost => Volatile.Read(ref LostField);

    /// <summary>Extra copies made (<see cref="Impairments.Duplication"/>).</summary>
    public long Duplicated => Volatile.Read(ref DuplicatedField);

    /// <summary>Copies held back by <see cref="Impairments.ReorderDelay"/>.</summary>
    public long Reordered => Volatile.Read(ref ReorderedField);

    /// <summary>Frames with one bit flipped (<see cref="Impairments.Corruption"/>).</summary>
    public long Corrupted => Volatile.Read(ref CorruptedField);

    /// <summary>Frames dropped because the rate limiter's queue was full (<see cref="Impairments.QueueLimitBytes"/>).</summary>
    public long RateDropped => Volatile.Read(ref RateDroppedField);

    /// <summary>Frames, or duplicates, dropped because the pool had no buffer to hold them.</summary>
    public long NoBuffer => Volatile.Read(ref NoBufferField);

    /// <summary>The counts on one line (for test failure messages).</summary>
    public override string ToString() =>
        $"in {FramesIn}, delivered {Delivered}, lost {Lost}, duplicated {Duplicated}, reordered {Reordered}, corrupted {Corrupted}, rate-dropped {RateDropped}, no buffer {NoBuffer}";
}
