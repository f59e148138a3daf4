using System.Runtime.CompilerServices;
using DpdkSharp.Runtime;
using DpdkSharp.Runtime.Polling;

namespace DpdkSharp.Stack.Dpdk;

/// <summary>
/// One receive queue and one transmit queue of a DPDK port as a <see cref="IReactorDevice"/>:
/// receive bursts go to the core and are freed right after (the core copies what it keeps),
/// transmit buffers are mbufs of the given pool, sent through a <see cref="TxQueueFrameSink"/>.
/// </summary>
/// <remarks>
/// The device claims its queue (<see cref="Port.ClaimQueue"/>) from construction to <see cref="Dispose"/>: a
/// second device, interface or reactor on the same port queue is refused, since DPDK queues are not thread-safe
/// and two loops on one would each silently get part of its traffic. Closing the port also releases the claim.
/// </remarks>
public sealed class PortQueueDevice : IReactorDevice, IDisposable
{
    /// <summary>Packets taken per <c>rte_eth_rx_burst</c> (DPDK's customary 32).</summary>
    public const int BurstSize = 32;

    private readonly RxQueue _rx;
    private readonly MbufPacketBufferPool _pool;
    private readonly TxQueueFrameSink _sink;
    private readonly byte[] _linear = new byte[65536]; // for the rare multi-segment frame
    private readonly nint[] _slots = new nint[BurstSize];
    private readonly bool[] _kept = new bool[BurstSize];
    private long _framesReceived;
    private long _deviceChecksumVerdicts;
    private readonly bool _lend;
    private readonly bool _registerThread;
    private readonly RxWaitOptions? _rxWait;
    private RxWaitSet? _waitSet;
    private int _lcoreId = -1;
    private readonly PortQueueClaim _claim;

    /// <summary>Binds <paramref name="rx"/> and <paramref name="tx"/>; transmit mbufs come from <paramref name="txPool"/>.</summary>
    /// <param name="rx">The receive queue.</param>
    /// <param name="tx">The transmit queue.</param>
    /// <param name="txPool">Where the core rents transmit mbufs.</param>
    /// <param name="registerReactorThread">
    /// Make the reactor's thread an lcore (<see cref="AttachThread"/>). DPDK then disables
    /// multi-process (<c>rte_mp_disable</c>: no secondary process can attach afterwards); pass
    /// false when secondaries (pdump, proc-info) must attach, at the price of mempool caches.
    /// </param>
    /// <param name="rxWait">
    /// How the reactor waits when idle: <see cref="RxMode.Interrupt"/> or <see cref="RxMode.Adaptive"/>
    /// sleep on the queue's RX interrupt (the port must be configured with <see cref="PortConfig.RxInterrupts"/>)
    /// and wake within microseconds of a packet or a command; null or <see cref="RxMode.Poll"/> leave the
    /// reactor's own spin-then-nap (<see cref="ReactorOptions"/>).
    /// </param>
    /// <exception cref="InvalidOperationException">The queue is already claimed (another device or loop polls it); the message names the holder.</exception>
    public PortQueueDevice(RxQueue rx, TxQueue tx, Mempool txPool, bool registerReactorThread = true, RxWaitOptions? rxWait = null)
        : this(rx, tx, txPool, registerReactorThread, rxWait, $"PortQueueDevice on {rx.Port} queue {rx.Index}")
    {
    }

    internal PortQueueDevice(RxQueue rx, TxQueue tx, Mempool txPool, bool registerReactorThread, RxWaitOptions? rxWait, string owner)
    {
        ArgumentNullException.ThrowIfNull(txPool);
        _rxWait = rxWait is { Mode: not RxMode.Poll } ? rxWait : null;
        _rx = rx;
        _registerThread = registerReactorThread;
        // With fast free every mbuf on the transmit queue must come from one pool with refcnt 1:
        // a reply in a received mbuf (another pool) would go back to the wrong one.
        _lend = (tx.Port.ConfiguredTxOffloads & TxOffloads.MbufFastFree) == 0;
        _pool = new MbufPacketBufferPool(txPool);
        _sink = new TxQueueFrameSink(tx, BurstSize);
        _claim = rx.Port.ClaimQueue(rx.Index, owner); // last: nothing after it can fail and leave it held
    }

    /// <inheritdoc/>
    public IPacketBufferPool Pool => _pool;

    /// <inheritdoc/>
    public IFrameSink Sink => _sink;

    /// <summary>The transmit side, with its counters.</summary>
    public TxQueueFrameSink Transmitter => _sink;

    /// <summary>Frames received so far.</summary>
    public long FramesReceived => Volatile.Read(ref _framesReceived);

    /// <summary>Frames whose checksums the device had already judged (receive checksum offload), sparing the core the software check.</summary>
    public long DeviceChecksumVerdicts => Volatile.Read(ref _deviceChecksumVerdicts);

    /// <inheritdoc/>
    /// <remarks>
    /// Single-segment mbufs are lent to the core, which keeps the ones it replies in; the rest are
    /// freed in one <c>rte_pktmbuf_free_bulk</c>. A chained mbuf is copied out first (rare: the
    /// ports are configured without scatter).
    /// </remarks>
    public int ReceiveBurst<TReceiver>(ref TReceiver receiver, Instant now) where TReceiver : struct, IFrameReceiver
    {
        // Arrays of the device, not stackalloc: a method with stackalloc cannot be on-stack replaced, so the JIT
        // would compile this loop once without profile data and never devirtualize the core's calls inlined here.
        var kept = _kept.AsSpan();
        kept.Clear();
        var burst = new MbufBurst(_slots);
        int n = _rx.Receive(ref burst);
        if (n == 0)
        {
            return 0;
        }

        try
        {
            ReceiveEach(ref receiver, burst, n, kept, now);
        }
        finally
        {
            // Also when the receiver threw: what it did not keep (or did not get to) is freed.
            burst.FreeAllExcept(kept[..n]);
            _framesReceived += n;
        }
        return n;
    }

    /// <summary>
    /// Hands the burst's frames to the receiver. Out of line, outside the caller's try/finally: locals live across an
    /// exception handler's region are written to the stack at every change, and this loop runs once per frame.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ReceiveEach<TReceiver>(ref TReceiver receiver, MbufBurst burst, int n, Span<bool> kept, Instant now)
        where TReceiver : struct, IFrameReceiver
    {
        for (int i = 0; i < n; i++)
        {
            var m = burst[i];
            var checksum = ChecksumStatusOf(m.Flags);
            if (checksum != RxChecksumStatus.Unknown)
            {
                _deviceChecksumVerdicts++;
            }
            // nb_segs, not next: it shares the first cache line with the fields read here.
            if (m.SegmentCount > 1)
            {
                receiver.Receive(_linear.AsSpan(0, Linearize(m)), now, checksum);
            }
            else if (_lend && IsExclusive(m))
            {
                receiver.Receive(new PacketBuffer(m.Handle), m.DataLength, now, checksum, out kept[i]);
            }
            else
            {
                receiver.Receive(m.Data, now, checksum);
            }
        }
    }

    /// <summary>
    /// A chained frame copied out into the linear buffer; its length. Out of line and given the mbuf by value: the mbuf's
    /// own (not inlined) CopyTo called in the loop would take the address of the loop's mbuf, and the JIT would then keep
    /// it in memory and reload it for every field the loop reads from it, once per frame.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int Linearize(Mbuf m) => m.CopyTo(_linear);

    /// <inheritdoc/>
    public void Flush() => _sink.Flush();

    /// <summary>Releases the queue claim (idempotent). Dispose the reactor that runs the device first.</summary>
    public void Dispose() => _claim.Dispose();

    /// <summary>
    /// Only an mbuf nobody else holds may be rewritten into a reply: direct (its own data, not
    /// attached to another mbuf or an external buffer) and with a reference count of one.
    /// </summary>
    private static bool IsExclusive(Mbuf m) =>
        (m.Flags & (MbufFlags.Indirect | MbufFlags.External)) == 0 && m.RefCount == 1;

    /// <summary>The reactor thread's lcore id, or -1 (not attached yet, registration off, or no lcore id was free).</summary>
    public int ReactorLcoreId => Volatile.Read(ref _lcoreId);

    /// <summary>
    /// Makes the reactor's thread an lcore, so the mempools' per-lcore caches serve its allocs and
    /// frees. When DPDK has no lcore id to give (all <c>RTE_MAX_LCORE</c> in use, or a secondary
    /// process) the reactor runs without caches: slower, not wrong; <see cref="ReactorLcoreId"/> stays -1.
    /// </summary>
    public IDisposable? AttachThread()
    {
        // The wait set first: a port without RX interrupts fails the reactor's Start with DPDK's reason.
        if (_rxWait is not null)
        {
            _waitSet = new RxWaitSet(_rx, _rxWait);
        }

        IDisposable? registration = null;
        if (_registerThread)
        {
            try
            {
                var lcore = Lcore.RegisterCurrentThread();
                Volatile.Write(ref _lcoreId, lcore.LcoreId);
                registration = lcore;
            }
            catch (Exception e) when (e is DpdkException or InvalidOperationException)
            {
                // No lcore id to give, or a multi-process primary (EalOptions.MultiProcess), where registering would lock
                // secondaries out: the reactor runs without mempool caches.
            }
        }
        return new ThreadAttachment(_waitSet, registration);
    }

    /// <inheritdoc/>
    public IReactorIdle? Idle => _waitSet is null ? null : new WaitSetIdle(_waitSet);

    /// <summary>The reactor's idle waits on the queue's RX interrupt.</summary>
    private sealed class WaitSetIdle(RxWaitSet waitSet) : IReactorIdle
    {
        public void AfterIteration(int work, TimeSpan maxSleep) => waitSet.Idle(work, maxSleep);

        public void Wake() => waitSet.Wake();
    }

    /// <summary>What the reactor thread disposes as it ends: the wait set (on its polling thread, as it requires), then the lcore.</summary>
    private sealed class ThreadAttachment(RxWaitSet? waitSet, IDisposable? registration) : IDisposable
    {
        public void Dispose()
        {
            waitSet?.Dispose();
            registration?.Dispose();
        }
    }

    /// <summary>The device's receive checksum verdicts (two-bit fields, see <see cref="MbufFlagsExtensions"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per received frame
    public static RxChecksumStatus ChecksumStatusOf(MbufFlags flags)
    {
        // No verdict in either field (a device without checksum offload, net_ring's or net_memif's): one test per frame
        // rather than the two fields' decodes.
        const MbufFlags verdicts = MbufFlags.RxIpChecksumBad | MbufFlags.RxIpChecksumGood | MbufFlags.RxL4ChecksumBad | MbufFlags.RxL4ChecksumGood;
        if ((flags & verdicts) == 0)
        {
            return RxChecksumStatus.Unknown;
        }
        var status = RxChecksumStatus.Unknown;
        switch (flags.IpChecksum())
        {
            case ChecksumStatus.Good: status |= RxChecksumStatus.Ipv4Good; break;
            case ChecksumStatus.Bad: status |= RxChecksumStatus.Ipv4Bad; break;
        }
        switch (flags.L4Checksum())
        {
            case ChecksumStatus.Good: status |= RxChecksumStatus.L4Good; break;
            case ChecksumStatus.Bad: status |= RxChecksumStatus.L4Bad; break;
        }
        return status;
    }
}
