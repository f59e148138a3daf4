using DpdkSharp.Stack.Interface;

namespace DpdkSharp.Stack.Testing;

/// <summary>
/// A reactor device that applies <see cref="Impairments"/> to another one's traffic, on the real
/// clock: received frames are lost, corrupted, duplicated, delayed or reordered before the receiver
/// sees them, transmitted frames before they reach the inner device's sink. It wraps any
/// <see cref="IReactorDevice"/> (an <see cref="InMemoryDevice"/>, or a DPDK port queue where netem
/// is not available), so a stack under test can meet a bad network without a kernel to configure.
/// </summary>
/// <remarks>
/// <para>Held frames are released by later calls: received ones by <see cref="ReceiveBurst"/>, sent
/// ones by <see cref="Flush"/> (the reactor calls both every iteration). The time of a received frame is
/// the reactor's <c>now</c>; of a sent frame the clock given to the constructor (by default
/// <see cref="Instant.FromStopwatch"/>, the reactor's own).</para>
/// <para>Ownership is the inner device's contract, kept exactly: a sent frame's buffer is held and
/// handed to the inner sink when due (or returned to <see cref="Pool"/> when lost); a received frame
/// lent by the inner device is kept (<c>kept</c> true) and held, one it only lets us read is copied
/// into a buffer rented from <see cref="Pool"/> (none free: the frame is dropped and counted under
/// <see cref="ImpairmentCounters.NoBuffer"/>); duplicates are copies rented from <see cref="Pool"/>.
/// Held received frames are then lent to the receiver, which may keep one to reply in place, and
/// every other one goes back to <see cref="Pool"/>. A corrupted received frame loses the device's
/// checksum verdict (<see cref="RxChecksumStatus.Unknown"/>), so the core checks it in software.
/// <see cref="Dispose"/> returns the frames still held; the inner device is not disposed.</para>
/// <para>Waiting: when the inner device has its own way of sleeping (<see cref="IReactorDevice.Idle"/>),
/// this device wraps it and shortens each sleep to the next release of a held frame. When it has none,
/// the reactor naps for at most <see cref="ReactorOptions.IdleSleep"/> (1 ms by default) at a time,
/// which is then how late a held frame can be released.</para>
/// </remarks>
public sealed class ImpairedDevice : IReactorDevice, IDisposable
{
    private readonly IReactorDevice _inner;
    private readonly Func<Instant> _clock;
    private readonly ImpairedPath<RxChecksumStatus> _receive;
    private readonly ImpairedPath<TxFrameInfo> _transmit;
    private readonly TransmitSink _sink;
    private IReactorIdle? _idle;
    private bool _idleRead;

    /// <summary>
    /// Wraps <paramref name="inner"/>: frames it receives suffer <paramref name="receive"/>, frames
    /// sent through it <paramref name="transmit"/> (<see cref="Impairments.None"/> when null).
    /// </summary>
    /// <param name="inner">The device whose traffic is impaired (it keeps being owned by the caller).</param>
    /// <param name="receive">What happens to received frames.</param>
    /// <param name="transmit">What happens to transmitted frames.</param>
    /// <param name="clock">The clock sent frames are stamped with and released by; the reactor's (<see cref="Instant.FromStopwatch"/>) when null.</param>
    public ImpairedDevice(IReactorDevice inner, Impairments? receive = null, Impairments? transmit = null, Func<Instant>? clock = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _clock = clock ?? Instant.FromStopwatch;
        var sequence = new SendSequence();
        _receive = new(receive ?? Impairments.None, inner.Pool, sequence);
        _transmit = new(transmit ?? Impairments.None, inner.Pool, sequence);
        _sink = new TransmitSink(this);
    }

    /// <summary>What happened to received frames.</summary>
    public ImpairmentCounters ReceiveCounters => _receive.Counters;

    /// <summary>What happened to transmitted frames.</summary>
    public ImpairmentCounters TransmitCounters => _transmit.Counters;

    /// <summary>Frames held (received and sent) until their release time.</summary>
    public int Held => _receive.Count + _transmit.Count;

    /// <summary>When the next held frame is due, or <see cref="Instant.Never"/>.</summary>
    public Instant NextReleaseAt => Instant.Min(_receive.NextArrival, _transmit.NextArrival);

    /// <inheritdoc/>
    public IPacketBufferPool Pool => _inner.Pool;

    /// <summary>The sink the core sends through: it impairs frames and hands the survivors to the inner device's sink when due.</summary>
    public IFrameSink Sink => _sink;

    /// <summary>The inner device's idle policy, each sleep shortened to the next release of a held frame; null when the inner device has none.</summary>
    public IReactorIdle? Idle
    {
        get
        {
            if (!_idleRead)
            {
                _idle = _inner.Idle is { } inner ? new CappedIdle(this, inner) : null;
                _idleRead = true;
            }
            return _idle;
        }
    }

    /// <inheritdoc/>
    public IDisposable? AttachThread() => _inner.AttachThread();

    /// <summary>
    /// Receives a burst from the inner device into the impairments, then hands the receiver every held
    /// frame due by <paramref name="now"/>, in arrival order. Returns the frames taken from the
    /// inner device plus those delivered (work done, for the reactor's idle policy).
    /// </summary>
    public int ReceiveBurst<TReceiver>(ref TReceiver receiver, Instant now) where TReceiver : struct, IFrameReceiver
    {
        var intake = new Intake(this);
        int work = _inner.ReceiveBurst(ref intake, now);
        var pool = _inner.Pool;
        while (_receive.TryTakeDue(now, out var frame))
        {
            var checksum = frame.Corrupted ? RxChecksumStatus.Unknown : frame.Tag;
            bool kept = false;
            try
            {
                receiver.Receive(frame.Buffer, frame.Length, now, checksum, out kept);
            }
            finally
            {
                if (!kept)
                {
                    pool.Return(frame.Buffer);
                }
            }
            work++;
        }
        return work;
    }

    /// <summary>Hands the inner sink every sent frame due now, then flushes the inner device.</summary>
    public void Flush()
    {
        var now = _clock();
        var sink = _inner.Sink;
        while (_transmit.TryTakeDue(now, out var frame))
        {
            sink.Transmit(frame.Buffer, frame.Length, frame.Tag);
        }
        _inner.Flush();
    }

    /// <summary>Returns every held frame to <see cref="Pool"/> (they are lost). Call after the reactor has stopped.</summary>
    public void Dispose()
    {
        _receive.Clear();
        _transmit.Clear();
    }

    private void Hold(ReadOnlySpan<byte> frame, Instant now, RxChecksumStatus checksum)
    {
        var pool = _inner.Pool;
        if (frame.Length > pool.BufferSize || !pool.TryRent(out var buffer))
        {
            _receive.Counters.FramesInField++;
            _receive.Counters.NoBufferField++;
            return;
        }
        frame.CopyTo(pool.GetSpan(buffer));
        _receive.Send(buffer, frame.Length, checksum, now);
    }

    /// <summary>What the inner device's burst delivers to: every frame goes into the receive impairments.</summary>
    private readonly struct Intake(ImpairedDevice device) : IFrameReceiver
    {
        public RxDisposition Receive(ReadOnlySpan<byte> frame, Instant now, RxChecksumStatus checksum = RxChecksumStatus.Unknown)
        {
            device.Hold(frame, now, checksum);
            return RxDisposition.Buffered;
        }

        public RxDisposition Receive(PacketBuffer buffer, int length, Instant now, RxChecksumStatus checksum, out bool kept)
        {
            kept = true; // ours now: held, then lent on to the receiver or returned to the pool
            device._receive.Send(buffer, length, checksum, now);
            return RxDisposition.Buffered;
        }
    }

    private sealed class TransmitSink(ImpairedDevice device) : IFrameSink
    {
        public bool Transmit(PacketBuffer buffer, int length, in TxFrameInfo info) =>
            device._transmit.Send(buffer, length, info, device._clock());
    }

    /// <summary>The inner device's idle policy with every sleep ending by the next release.</summary>
    private sealed class CappedIdle(ImpairedDevice device, IReactorIdle inner) : IReactorIdle
    {
        public void AfterIteration(int work, TimeSpan maxSleep)
        {
            var next = device.NextReleaseAt;
            if (next != Instant.Never)
            {
                var untilRelease = next - device._clock();
                maxSleep = untilRelease <= TimeSpan.Zero ? TimeSpan.Zero : untilRelease < maxSleep ? untilRelease : maxSleep;
            }
            inner.AfterIteration(work, maxSleep);
        }

        public void Wake() => inner.Wake();
    }
}
