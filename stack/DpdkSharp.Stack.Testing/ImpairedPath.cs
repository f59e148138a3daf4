using DpdkSharp.Stack.Interface;

namespace DpdkSharp.Stack.Testing;

/// <summary>A frame in flight on an <see cref="ImpairedPath{TTag}"/>: a buffer of the path's pool, its length, when it arrives, and what the owner attached.</summary>
internal readonly record struct InFlight<TTag>(PacketBuffer Buffer, int Length, Instant ArrivesAt, long Sequence, TTag Tag, bool Corrupted);

/// <summary>Send order across the paths of one link, so that frames arriving at the same instant leave in the order they were sent.</summary>
internal sealed class SendSequence
{
    private long _next;

    public long Next() => _next++;
}

/// <summary>
/// One direction of an impaired link (shared by <see cref="SimulatedLink"/> and <see cref="ImpairedDevice"/>):
/// decides each frame's fate from <see cref="Impairments"/> with its own seeded random source and
/// holds the surviving frames, in buffers of one pool, until they are due.
/// </summary>
/// <remarks>
/// Ownership: <see cref="Send"/> takes the buffer in every case (a lost or dropped frame's buffer goes
/// back to the pool at once); <see cref="TryTakeDue"/> gives it to the caller; <see cref="Clear"/>
/// returns whatever is still in flight. Duplicates are copies in buffers rented from the same pool.
/// </remarks>
internal sealed class ImpairedPath<TTag>
{
    private const int EthernetHeaderLength = 14;
    private readonly Impairments _settings;
    private readonly IPacketBufferPool _pool;
    private readonly SendSequence _sequence;
    private readonly Random _random;
    private readonly PriorityQueue<InFlight<TTag>, (long Arrival, long Sequence)> _inFlight = new();
    // Rate limiter: frames accepted but not yet sent at the rate (departure time, bytes), oldest first.
    private readonly Queue<(long Departure, int Bytes)> _backlog = new();
    private long _backlogBytes;
    private long _busyUntil = long.MinValue;

    public ImpairedPath(Impairments settings, IPacketBufferPool pool, SendSequence sequence)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _pool = pool;
        _sequence = sequence;
        _random = new Random(settings.Seed);
    }

    public ImpairmentCounters Counters { get; } = new();

    public IPacketBufferPool Pool => _pool;

    /// <summary>Frames in flight.</summary>
    public int Count => _inFlight.Count;

    /// <summary>When the earliest frame in flight arrives (and its send order), if any.</summary>
    public bool TryPeek(out Instant arrivesAt, out long sequence)
    {
        if (_inFlight.TryPeek(out _, out var key))
        {
            arrivesAt = new Instant(key.Arrival);
            sequence = key.Sequence;
            return true;
        }
        arrivesAt = Instant.Never;
        sequence = long.MaxValue;
        return false;
    }

    /// <summary>When the earliest frame in flight arrives, or <see cref="Instant.Never"/>.</summary>
    public Instant NextArrival => TryPeek(out var at, out _) ? at : Instant.Never;

    /// <summary>
    /// Takes <paramref name="buffer"/> (a frame of <paramref name="length"/> bytes sent at
    /// <paramref name="now"/>) and decides its fate. False only when the rate limiter's queue refused it.
    /// </summary>
    public bool Send(PacketBuffer buffer, int length, TTag tag, Instant now)
    {
        Counters.FramesInField++;
        long departure = now.Nanoseconds;
        if (_settings.RateBitsPerSecond > 0 && !TryQueueAtRate(length, now.Nanoseconds, out departure))
        {
            Counters.RateDroppedField++;
            _pool.Return(buffer);
            return false;
        }
        if (Chance(_settings.Loss))
        {
            Counters.LostField++;
            _pool.Return(buffer);
            return true;
        }
        bool corrupted = false;
        if (Chance(_settings.Corruption) && length > EthernetHeaderLength)
        {
            int at = _random.Next(EthernetHeaderLength, length);
            _pool.GetSpan(buffer)[at] ^= (byte)(1 << _random.Next(8));
            Counters.CorruptedField++;
            corrupted = true;
        }
        bool duplicate = Chance(_settings.Duplication);
        Schedule(buffer, length, tag, departure, corrupted);
        if (duplicate)
        {
            if (_pool.TryRent(out var copy))
            {
                _pool.GetSpan(buffer)[..length].CopyTo(_pool.GetSpan(copy));
                Counters.DuplicatedField++;
                Schedule(copy, length, tag, departure, corrupted);
            }
            else
            {
                Counters.NoBufferField++;
            }
        }
        return true;
    }

    /// <summary>Takes the earliest frame due by <paramref name="now"/>; the caller owns its buffer and must deliver or return it.</summary>
    public bool TryTakeDue(Instant now, out InFlight<TTag> frame)
    {
        if (_inFlight.TryPeek(out frame, out var key) && key.Arrival <= now.Nanoseconds)
        {
            _inFlight.Dequeue();
            Counters.DeliveredField++;
            return true;
        }
        frame = default;
        return false;
    }

    /// <summary>Returns every frame still in flight to the pool (they are lost).</summary>
    public void Clear()
    {
        while (_inFlight.TryDequeue(out var frame, out _))
        {
            _pool.Return(frame.Buffer);
        }
        _backlog.Clear();
        _backlogBytes = 0;
    }

    private void Schedule(PacketBuffer buffer, int length, TTag tag, long departure, bool corrupted)
    {
        long arrival = departure + Ticks(_settings.Delay);
        long jitter = Ticks(_settings.Jitter);
        if (jitter > 0)
        {
            arrival += _random.NextInt64(jitter + 1);
        }
        if (Chance(_settings.Reorder))
        {
            arrival += Ticks(_settings.ReorderDelay);
            Counters.ReorderedField++;
        }
        long sequence = _sequence.Next();
        _inFlight.Enqueue(new InFlight<TTag>(buffer, length, new Instant(arrival), sequence, tag, corrupted), (arrival, sequence));
    }

    /// <summary>The bottleneck: drops the frame when the queue is over its limit, else says when its last bit leaves.</summary>
    private bool TryQueueAtRate(int length, long now, out long departure)
    {
        while (_backlog.TryPeek(out var sent) && sent.Departure <= now)
        {
            _backlog.Dequeue();
            _backlogBytes -= sent.Bytes;
        }
        if (_backlogBytes + length > _settings.QueueLimitBytes)
        {
            departure = 0;
            return false;
        }
        long rate = _settings.RateBitsPerSecond;
        long serialization = (length * 8L * 1_000_000_000L + rate - 1) / rate;
        departure = Math.Max(now, _busyUntil) + serialization;
        _busyUntil = departure;
        _backlog.Enqueue((departure, length));
        _backlogBytes += length;
        return true;
    }

    private bool Chance(double probability) => probability > 0 && _random.NextDouble() < probability;

    private static long Ticks(TimeSpan span) => span.Ticks * TimeSpan.NanosecondsPerTick;
}
