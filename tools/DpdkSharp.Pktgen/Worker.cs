using System.Runtime.CompilerServices;
using DpdkSharp.Interop;
using DpdkSharp.Runtime;
using DpdkSharp.Wire;

namespace DpdkSharp.Pktgen;

/// <summary>The phase of a run, set by the controller and read by every worker once per loop.</summary>
public enum RunPhase
{
    /// <summary>Generating and receiving.</summary>
    Running,
    /// <summary>No more transmission; receiving what is still in flight.</summary>
    Draining,
    /// <summary>Workers return.</summary>
    Stopped,
}

/// <summary>
/// One worker: one queue pair of the port, one thread, its own counters, sequence tracker and latency recorder. The
/// loop allocates nothing (its thread's allocations after the first stats swap are reported in
/// <see cref="WorkerCounters.AllocatedBytes"/>).
/// </summary>
internal sealed class Worker
{
    private readonly PktgenSettings _settings;
    private readonly Port _port;
    private readonly int _queue;
    private readonly Mempool _pool;
    private readonly FrameTemplates _templates;
    private readonly WorkerStatsBlock _stats;
    private readonly PktgenSession _session;
    private readonly ushort[] _flows; // the flows this worker transmits
    private readonly uint[] _nextSequence; // per flow id
    private readonly double _nanosecondsPerTick;

    public Worker(int index, PktgenSettings settings, Port port, Mempool pool, FrameTemplates templates, WorkerStatsBlock stats,
        PktgenSession session, ulong tscHz)
    {
        Index = index;
        _settings = settings;
        _port = port;
        _queue = index;
        _pool = pool;
        _templates = templates;
        _stats = stats;
        _session = session;
        // Flows are split between the workers so that every flow's sequence has one writer.
        _flows = Enumerable.Range(0, settings.Flows).Where(f => f % settings.Queues == index).Select(f => (ushort)f).ToArray();
        _nextSequence = new uint[settings.Flows];
        Tracker = new SequenceTracker(settings.Flows);
        Latency = new LatencyRecorder();
        _nanosecondsPerTick = 1e9 / tscHz;
        // Fill writes frames into freshly allocated mbufs without checking each against its data room.
        var longest = templates.Sequence.Max(t => t.Length);
        if (settings.Mode is PktgenMode.SendRecv or PktgenMode.Tx && longest > pool.DataRoomSize - Mempool.Headroom)
        {
            throw new ArgumentException($"The pool's mbufs hold {pool.DataRoomSize - Mempool.Headroom} bytes after the headroom; a {longest + PacketFormat.FcsLength}-byte frame does not fit.");
        }

        _pacer = new RatePacer(settings.RatePps / settings.Queues, tscHz, 
            maxBacklog: Math.Max(settings.Burst, (long)(settings.RatePps / settings.Queues * settings.MaxLag.TotalSeconds)));
    }

    public int Index { get; }

    public SequenceTracker Tracker { get; }

    public LatencyRecorder Latency { get; }

    private RatePacer _pacer; // mutated in place: a field, not a property
    private int _nextSize; // the next template in transmit order
    private int _nextFlow; // the next of _flows

    /// <summary>The worker's loop; returns when the session's phase is <see cref="RunPhase.Stopped"/>.</summary>
    public void Run()
    {
        switch (_settings.Mode)
        {
            case PktgenMode.Reflect:
                RunReflect();
                break;
            default:
                RunGenerate(transmit: _settings.Mode != PktgenMode.Rx, receive: _settings.Mode != PktgenMode.Tx);
                break;
        }
    }

    private void RunGenerate(bool transmit, bool receive)
    {
        ref var counters = ref _stats[Index];
        var tx = _port.GetTxQueue(_queue);
        var rx = _port.GetRxQueue(_queue);
        Span<nint> txSlots = stackalloc nint[_settings.Burst];
        Span<nint> rxSlots = stackalloc nint[_settings.Burst];
        Span<int> queuedLengths = stackalloc int[_settings.Burst]; // bytes of each frame still in txBurst
        var txBurst = new MbufBurst(txSlots);
        var rxBurst = new MbufBurst(rxSlots);
        var allocationBaseline = long.MinValue;
        var capture = _session.Capture;
        uint loops = 0;
        ulong stoppedAt = 0; // when this worker saw transmission stop; 0 while running
        var behind = true; // after the stop: frames due by then still to send
        WarmRarePaths();
        _pacer.Start(Tsc.Now);

        RunPhase phase;
        while ((phase = _session.Phase) != RunPhase.Stopped)
        {
            GcSafePoint(ref loops);
            // Receive first: a memif client's receive is what hands the server its transmit slots (it refills the
            // server-to-client ring), so a first transmit before any receive had its first burst reflected into a
            // ring with no room: measured, a new peer of our reflect lost its first 18 or 32 frames that way.
            if (receive && rx.Receive(ref rxBurst) > 0)
            {
                capture?.Write(_port, _queue, ref rxBurst, PcapngDirection.Inbound);
                Verify(ref counters, ref rxBurst);
                rxBurst.FreeAll();
            }

            if (transmit && phase != RunPhase.Running && stoppedAt == 0)
            {
                stoppedAt = Tsc.Now;
            }

            // After the stop, the sender still sends what was due by then (a sender the machine held back catches up
            // during the drain, within the allowed lag), and nothing due later: the schedule ends at the stop.
            if (transmit && (stoppedAt == 0 || behind))
            {
                var now = Tsc.Now;
                var due = stoppedAt == 0 ? _pacer.Take(now, txBurst.FreeSpace)
                    : _pacer.Unlimited ? 0 // unpaced: nothing was due
                    : _pacer.Take(stoppedAt, txBurst.FreeSpace);
                behind = stoppedAt == 0 || due > 0 || !txBurst.IsEmpty;
                if (due > 0)
                {
                    if (!_pool.AllocBulkRaw(ref txBurst, due))
                    {
                        counters.TxSkipped += due; // the pool is empty: the link holds every mbuf
                    }
                    else
                    {
                        var first = txBurst.Count - due;
                        Fill(txSlots.Slice(first, due), queuedLengths.Slice(first, due), now);
                        if (capture is not null)
                        {
                            CaptureNew(capture, txSlots.Slice(first, due));
                        }
                    }
                }

                if (txBurst.Count > 0)
                {
                    var before = txBurst.Count;
                    var sent = tx.Transmit(ref txBurst);
                    long bytes = 0;
                    for (var i = 0; i < sent; i++)
                    {
                        bytes += queuedLengths[i];
                    }

                    queuedLengths[sent..before].CopyTo(queuedLengths); // what the queue refused stays, in order
                    counters.TxPackets += sent;
                    counters.TxBytes += bytes;
                }
            }

            if (Volatile.Read(ref counters.SwapRequest) != counters.SwapDone)
            {
                Latency.Poll(ref counters);
                if (allocationBaseline == long.MinValue && HasHandledPackets(ref counters))
                {
                    allocationBaseline = GC.GetAllocatedBytesForCurrentThread(); // after the first interval with traffic: the loop is warm
                }
            }
        }

        counters.TxSkipped += txBurst.Count; // the queue refused them to the end: never sent
        txBurst.FreeAll();
        // The schedule ends where transmission stopped, not after the drain (whose frames were never due): what was
        // due by then and not sent (beyond the allowed lag, or not caught up by the end of the drain) is skipped.
        _pacer.Finish();
        counters.TxSkipped += _pacer.Skipped;
        counters.AllocatedBytes = allocationBaseline == long.MinValue ? 0 : GC.GetAllocatedBytesForCurrentThread() - allocationBaseline;
    }

    // Writes the frames of mbufs just taken from the pool unreset (AllocBulkRaw: one segment, every other field as
    // its last user left it): the fields a transmit reads (data offset at the default headroom, which the constructor
    // checked leaves room for the longest template; lengths; no offload flags), the template copied whole, then the
    // per-packet fields stamped. testpmd's txonly does the same (rte_mempool_get_bulk, then its fields and headers
    // per packet) rather than reset each mbuf and then overwrite the fields again. Without per-field bounds checks
    // or a memmove call per frame (a generator is measured by its per-packet cost), and in a method of its own so
    // the JIT keeps its few locals in registers instead of spilling them among the whole loop's.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private unsafe void Fill(Span<nint> slots, Span<int> queuedLengths, ulong now)
    {
        var sizes = _templates.Sequence;
        var flows = _flows;
        var sequences = _nextSequence;
        var sourcePortBase = _settings.SourcePortBase;
        var nextSize = _nextSize;
        var nextFlow = _nextFlow;
        for (var i = 0; i < slots.Length; i++)
        {
            var template = sizes[nextSize];
            nextSize = nextSize + 1 == sizes.Length ? 0 : nextSize + 1;
            var flow = flows[nextFlow];
            nextFlow = nextFlow + 1 == flows.Length ? 0 : nextFlow + 1;
            var m = (rte_mbuf*)slots[i];
            var length = template.Length;
            m->data_off = Mempool.Headroom;
            m->ol_flags = 0;
            m->data_len = (ushort)length;
            m->pkt_len = (uint)length;
            var data = (byte*)m->buf_addr + m->data_off;
            PacketFormat.CopyTemplate(template, data);
            PacketFormat.StampUnchecked(data, (ushort)(sourcePortBase + flow), flow, sequences[flow]++, now);
            queuedLengths[i] = length + PacketFormat.FcsLength;
        }

        _nextSize = nextSize;
        _nextFlow = nextFlow;
    }

    // The first packet through a path runs its one-time setup (type initialisers, tiering): measured, a reflector whose
    // first frame came after its first interval counted 56 bytes once. Per-packet allocation is what is reported, so
    // counting starts at the first interval after the worker has handled a packet.
    private static bool HasHandledPackets(ref WorkerCounters counters) => counters.TxPackets + counters.RxPackets > 0;

    // A path first taken late would allocate inside the measured loop: the first call of a P/Invoke generates its
    // stub (measured: 56 bytes on the worker's thread when a reflector's peer left and its link refused a burst, the
    // first rte_pktmbuf_free_bulk of that loop). Freeing nothing makes the stub now; DPDK does nothing for 0 mbufs.
    private static unsafe void WarmRarePaths() => DpdkSharp.Interop.Dpdk.rte_pktmbuf_free_bulk(null, 0);

    // The loop's native calls (bursts, mempool, rdtsc) suppress the GC transition, so a loop that never returns
    // would hold every GC (and so every other managed thread, the stats reader included) until the suspension
    // happens to land in managed code: seconds, measured, on a busy machine. An ordinary P/Invoke is a safe point;
    // one every 16 loops keeps a GC's wait within microseconds and its cost off most bursts (profiled: one per loop
    // was 3 % of a polling reflector's time). rte_get_tsc_hz only reads a global.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GcSafePoint(ref uint loops)
    {
        if ((++loops & 15) == 0)
        {
            _ = DpdkSharp.Interop.Dpdk.rte_get_tsc_hz();
        }
    }

    // Captures frames just made, once (not again when a full queue makes them wait): a view of their slots, which
    // writes each slot's own value back and is never freed or sent, so the transmit burst stays their one owner.
    private void CaptureNew(PcapngWriter capture, Span<nint> slots)
    {
        var view = new MbufBurst(slots);
        foreach (var handle in slots)
        {
            view.TryAdd(Mbuf.FromHandle(handle));
        }

        capture.Write(_port, _queue, ref view, PcapngDirection.Outbound);
    }

    private void Verify(ref WorkerCounters counters, ref MbufBurst burst)
    {
        var now = Tsc.Now;
        long bytes = 0, bad = 0, duplicates = 0, reordered = 0, tooOld = 0;
        foreach (var m in burst)
        {
            var data = m.Data;
            bytes += data.Length + PacketFormat.FcsLength;
            if (!PacketFormat.TryRead(data, _templates, out var flow, out var sequence, out var stamp) || flow >= Tracker.Flows)
            {
                bad++;
                continue;
            }

            switch (Tracker.Record(flow, sequence))
            {
                case SequenceVerdict.Duplicate:
                    duplicates++;
                    break;
                case SequenceVerdict.Reordered:
                    reordered++;
                    break;
                case SequenceVerdict.TooOld:
                    tooOld++;
                    break;
            }

            if (stamp <= now)
            {
                Latency.Record((long)((now - stamp) * _nanosecondsPerTick));
            }
        }

        // One store per counter per burst, not per packet.
        counters.RxPackets += burst.Count;
        counters.RxBytes += bytes;
        counters.Bad += bad;
        counters.Duplicates += duplicates;
        counters.Reordered += reordered;
        counters.TooOld += tooOld;
    }

    private void RunReflect()
    {
        ref var counters = ref _stats[Index];
        var tx = _port.GetTxQueue(_queue);
        var rx = _port.GetRxQueue(_queue);
        Span<nint> slots = stackalloc nint[_settings.Burst];
        Span<nint> spare = stackalloc nint[_settings.Burst];
        Span<bool> drop = stackalloc bool[_settings.Burst];
        var burst = new MbufBurst(slots);
        var allocationBaseline = long.MinValue;
        var capture = _session.Capture;
        var ownMac = _settings.SourceMac ?? _port.MacAddress;
        var ownIp = _settings.SourceIp;
        uint loops = 0;
        WarmRarePaths();
        while (_session.Phase != RunPhase.Stopped)
        {
            GcSafePoint(ref loops);
            var received = rx.Receive(ref burst);
            if (received > 0)
            {
                capture?.Write(_port, _queue, ref burst, PcapngDirection.Inbound);
                long dropped = 0, droppedBytes = 0;
                var bytes = ReflectFrames(ref burst, out var sawArp);
                if (sawArp)
                {
                    dropped = AnswerArp(ref burst, drop, ownMac, ownIp, ref counters, out droppedBytes);
                    if (dropped > 0)
                    {
                        DropMarked(ref burst, spare, drop);
                        counters.ArpIgnored += dropped;
                    }
                }

                counters.RxPackets += received;
                counters.RxBytes += bytes;
                counters.TxBytes += bytes - droppedBytes;
                var sent = tx.Transmit(ref burst);
                counters.TxPackets += sent;
                counters.Reflected += sent;
                if (!burst.IsEmpty)
                {
                    // A reflector does not queue: what the link refuses now is dropped, as testpmd's macswap does.
                    foreach (var m in burst)
                    {
                        counters.TxBytes -= m.DataLength + PacketFormat.FcsLength;
                    }

                    counters.TxSkipped += burst.Count;
                    burst.FreeAll();
                }
            }

            if (Volatile.Read(ref counters.SwapRequest) != counters.SwapDone)
            {
                Latency.Poll(ref counters);
                if (allocationBaseline == long.MinValue && HasHandledPackets(ref counters))
                {
                    allocationBaseline = GC.GetAllocatedBytesForCurrentThread();
                }
            }
        }

        counters.AllocatedBytes = allocationBaseline == long.MinValue ? 0 : GC.GetAllocatedBytesForCurrentThread() - allocationBaseline;
    }

    // Turns every frame but ARP around in place; the bytes received (with FCS). Its own method, out of line: inside the
    // run loop (one large method with many live locals) the per-frame loop kept its values on the stack.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long ReflectFrames(ref MbufBurst burst, out bool sawArp)
    {
        long bytes = 0;
        sawArp = false;
        // A span of the burst's slots: the loop has no per-frame bounds checks against the burst's count.
        foreach (var handle in burst.Pointers)
        {
            var data = Mbuf.FromHandle(handle).Data;
            bytes += data.Length + PacketFormat.FcsLength;
            if (PacketFormat.TryReflectPlainUdp(data))
            {
                continue;
            }

            if (ArpResponder.IsArp(data))
            {
                sawArp = true;
            }
            else
            {
                PacketFormat.ReflectAny(data);
            }
        }

        return bytes;
    }

    // The burst's ARP frames: requests for the reflector's address are answered in place; the others are marked to
    // drop (the count, and their bytes in droppedBytes).
    private static long AnswerArp(ref MbufBurst burst, Span<bool> drop, MacAddress ownMac, Ipv4Address ownIp, ref WorkerCounters counters,
        out long droppedBytes)
    {
        long dropped = 0;
        droppedBytes = 0;
        for (var i = 0; i < burst.Count; i++)
        {
            var data = burst[i].Data;
            if (!ArpResponder.IsArp(data))
            {
                continue;
            }

            if (ArpResponder.Answer(data, ownMac, ownIp) == ArpAnswer.Replied)
            {
                counters.ArpAnswered++;
            }
            else
            {
                drop[i] = true;
                dropped++;
                droppedBytes += data.Length + PacketFormat.FcsLength;
            }
        }

        return dropped;
    }

    // Frees the marked mbufs and keeps the others in their order (TakeAt alone would reorder what is reflected).
    // Only bursts with an ARP frame not for the reflector come here; clears the marks.
    private static void DropMarked(ref MbufBurst burst, Span<nint> spare, Span<bool> drop)
    {
        var count = burst.Count;
        burst.Pointers.CopyTo(spare);
        for (var i = count - 1; i >= 0; i--)
        {
            burst.TakeAt(i); // the last one: nothing moves
        }

        for (var i = 0; i < count; i++)
        {
            var m = Mbuf.FromHandle(spare[i]);
            if (drop[i])
            {
                m.Free();
                drop[i] = false;
            }
            else
            {
                burst.TryAdd(m);
            }
        }
    }
}
