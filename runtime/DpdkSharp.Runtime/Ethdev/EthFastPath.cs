using System.Diagnostics;
using System.Runtime.CompilerServices;
using DpdkSharp.Interop;

namespace DpdkSharp.Runtime;

/// <summary>
/// The receive/transmit burst calls of <see cref="RxQueue"/> and <see cref="TxQueue"/>, done from C# the way
/// DPDK's <c>static inline</c> <c>rte_eth_rx_burst</c>/<c>rte_eth_tx_burst</c> (rte_ethdev.h) do them in C,
/// instead of through the shim's exported wrappers (one call hop less per burst), with the driver's function and
/// queue pointer cached per queue (<see cref="BurstSlot"/>, kept right by <see cref="PortEpochs"/>).
/// </summary>
/// <remarks>
/// <para>What the inline functions do, as compiled with Debian's build configuration (<c>rte_config.h</c>
/// defines <c>RTE_ETHDEV_RXTX_CALLBACKS</c>; <c>rte_build_config.h</c> undefines <c>RTE_ENABLE_TRACE_FP</c>;
/// <c>RTE_ETHDEV_DEBUG_RX</c>/<c>_TX</c> and, in 25.11, <c>RTE_MBUF_HISTORY_DEBUG</c> are not defined):</para>
/// <code>
/// rx: p = &amp;rte_eth_fp_ops[port]; qd = p-&gt;rxq.data[queue];
///     n = p-&gt;rx_pkt_burst(qd, pkts, n);
///     cb = relaxed load p-&gt;rxq.clbk[queue]; if (cb) n = rte_eth_call_rx_callbacks(..., cb);
///     trace point (RTE_TRACE_POINT_FP: nothing without RTE_ENABLE_TRACE_FP)
/// tx: p = &amp;rte_eth_fp_ops[port]; qd = p-&gt;txq.data[queue];
///     cb = relaxed load p-&gt;txq.clbk[queue]; if (cb) n = rte_eth_call_tx_callbacks(..., cb);
///     n = p-&gt;tx_pkt_burst(qd, pkts, n);
///     trace point (compiled out likewise)
/// </code>
/// <para>Here: the driver's burst function and queue pointer, read from <c>rte_eth_fp_ops</c> (generated with
/// clang's offsets, checked by the shim's layout asserts) once per port lifecycle change, called through an
/// unmanaged function pointer. When the queue has callbacks (<c>clbk[queue] != NULL</c>: someone called
/// <c>rte_eth_add_rx_callback</c>/<c>rte_eth_add_tx_callback</c>) the whole burst goes through the shim's
/// <c>rte_eth_rx_burst</c>/<c>rte_eth_tx_burst</c> instead, which runs them: callbacks are not reimplemented. The
/// callback slot is read on every burst (not cached: callbacks come and go without a lifecycle change), before
/// the burst rather than after it for rx; a callback added or removed while another thread bursts on that queue
/// may or may not see that burst in DPDK either.</para>
/// <para>Versions (issue #10): this is a copy of C logic, so it is used only for DPDK releases whose
/// rte_ethdev.h was read against it: 22.11 (the installed one), 24.11 and 25.11 (headers from
/// <c>eng/fetch-dpdk-headers.sh</c>). Between them the functions differ only in log macros, the atomics' spelling
/// (<c>rte_atomic_load_explicit</c>, still relaxed), the trace points (24.11 splits rx into empty/non-empty, both
/// <c>RTE_TRACE_POINT_FP</c>, compiled out) and 25.11's <c>rte_mbuf_history_mark_bulk</c> calls (empty unless
/// <c>RTE_MBUF_HISTORY_DEBUG</c>); <c>rte_eth_fp_ops</c> keeps <c>rx_pkt_burst</c>, <c>tx_pkt_burst</c> and
/// <c>rxq</c>/<c>txq</c>.<c>data</c>/<c>clbk</c> (24.11 adds recycle functions beside them, found by name). For any
/// other release <see cref="DirectPathVerified"/> is false at compile time and every burst goes through the
/// shim's exported wrappers, which are compiled from that release's own inline functions: slower by a call hop,
/// never wrong. A release that renames the fields fails this file's build, which is the point. The build
/// configuration flags above cannot be seen from C# (empty macros are not bound): a DPDK built with fast-path
/// tracing or ethdev debug checks would lose those on the direct path; the shim keeps them.</para>
/// <para>The driver call suppresses the GC transition: it is a short, non-blocking poll of a queue (the drivers
/// this project runs are virtual: net_ring and net_null move pointers in memory, net_tap and net_memif read and
/// write non-blocking descriptors; none sleeps or takes a blocking lock, and DPDK's own contract is that bursts
/// poll and never block). Callbacks are arbitrary code (they may be managed, via <c>[UnmanagedCallersOnly]</c>,
/// which must not run inside a suppressed transition), so the shim path keeps a normal transition.</para>
/// </remarks>
internal static unsafe class EthFastPath
{
    /// <summary>The DPDK release the bindings were generated from, as YYMM (2211 for 22.11): a compile-time constant.</summary>
    internal const int BoundRelease = Dpdk.RTE_VER_YEAR * 100 + Dpdk.RTE_VER_MONTH;

    /// <summary>
    /// Whether the bound release's inline <c>rte_eth_rx_burst</c>/<c>rte_eth_tx_burst</c> were compared with this
    /// class (see the remarks). When false, nothing reads <c>rte_eth_fp_ops</c> and every burst takes the shim.
    /// </summary>
#if DPDKSHARP_FORCE_SHIM
    // A build switch that tests the fallback on a checked release: -p:DefineConstants=DPDKSHARP_FORCE_SHIM.
    internal const bool DirectPathVerified = false;
#else
    internal const bool DirectPathVerified = BoundRelease == 2211 || BoundRelease == 2411 || BoundRelease == 2511;
#endif

    /// <summary>
    /// <c>&amp;rte_eth_fp_ops[port]</c>: resolved from the shim's dependencies once (the generated global), then
    /// an offset. The entry's address is fixed for the life of the process; its contents are not.
    /// </summary>
    internal static rte_eth_fp_ops* Entry(ushort port)
    {
        Debug.Assert(port < Dpdk.RTE_MAX_ETHPORTS);
        return Dpdk.rte_eth_fp_ops + port;
    }

    /// <summary><c>rte_eth_rx_burst</c>: the cached driver function, or the slow path when the queue has RX callbacks or a stale slot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ushort RxBurst(BurstSlot* slot, rte_mbuf** pkts, ushort count)
    {
        // A plain load, like DPDK's relaxed one: an aligned pointer read is atomic, and the JIT does not hoist it
        // out of a loop across the unmanaged call.
        if (*slot->Callbacks == null)
        {
            // The common case first: the JIT lays the if-body out as the fall-through path.
            PathCounters.Direct();
            return slot->Burst(slot->Queue, pkts, count);
        }
        return RxSlow(slot, pkts, count);
    }

    /// <summary><c>rte_eth_tx_burst</c>: the cached driver function, or the slow path when the queue has TX callbacks or a stale slot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ushort TxBurst(BurstSlot* slot, rte_mbuf** pkts, ushort count)
    {
        if (*slot->Callbacks == null)
        {
            PathCounters.Direct();
            return slot->Burst(slot->Queue, pkts, count);
        }
        return TxSlow(slot, pkts, count);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ushort RxSlow(BurstSlot* slot, rte_mbuf** pkts, ushort count)
    {
        if (slot->Callbacks == BurstSlot.Stale)
        {
            Refresh(slot, rx: true);
            if (*slot->Callbacks == null)
            {
                PathCounters.Direct();
                return slot->Burst(slot->Queue, pkts, count);
            }
        }

        if (slot->Callbacks == BurstSlot.Guarded)
        {
            return GuardedBurst(slot, pkts, count, rx: true);
        }

        // Callbacks, an unchecked DPDK release, or a refresh that raced with a lifecycle change: the shim is always right.
        PathCounters.Shim();
        return Dpdk.rte_eth_rx_burst(slot->Port, slot->QueueIndex, pkts, count);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ushort TxSlow(BurstSlot* slot, rte_mbuf** pkts, ushort count)
    {
        if (slot->Callbacks == BurstSlot.Stale)
        {
            Refresh(slot, rx: false);
            if (*slot->Callbacks == null)
            {
                PathCounters.Direct();
                return slot->Burst(slot->Queue, pkts, count);
            }
        }

        if (slot->Callbacks == BurstSlot.Guarded)
        {
            return GuardedBurst(slot, pkts, count, rx: false);
        }

        PathCounters.Shim();
        return Dpdk.rte_eth_tx_burst(slot->Port, slot->QueueIndex, pkts, count);
    }

    /// <summary>
    /// A burst on a net_memif queue: the driver call (or the shim, when the queue has callbacks) inside the PMD's
    /// disconnect lock, so the EAL interrupt thread cannot unmap the rings under it (<see cref="MemifDisconnectGuard"/>).
    /// The shim's GC transition may wait for a GC while the lock is held: the interrupt thread then waits as long.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ushort GuardedBurst(BurstSlot* slot, rte_mbuf** pkts, ushort count, bool rx)
    {
        MemifDisconnectGuard.Enter(slot->DisconnectLock);
        ushort n;
        if (*slot->QueueCallbacks == null)
        {
            PathCounters.Direct();
            n = slot->Burst(slot->Queue, pkts, count);
        }
        else
        {
            PathCounters.Shim();
            n = rx ? Dpdk.rte_eth_rx_burst(slot->Port, slot->QueueIndex, pkts, count) : Dpdk.rte_eth_tx_burst(slot->Port, slot->QueueIndex, pkts, count);
        }

        MemifDisconnectGuard.Exit(slot->DisconnectLock);
        return n;
    }

    /// <summary>
    /// Fills <paramref name="slot"/> from <c>rte_eth_fp_ops</c>, after checking that the queue still exists (a
    /// reconfiguration may have removed it, and DPDK would index past its queue array). Runs on the first burst
    /// after each lifecycle change of the port, on the polling thread.
    /// </summary>
    /// <exception cref="InvalidOperationException">The port was closed, or reconfigured without this queue.</exception>
    private static void Refresh(BurstSlot* slot, bool rx)
    {
        var (port, queue) = (slot->Port, slot->QueueIndex);
        var epoch = PortEpochs.Current(port);
        CheckQueueStillExists(port, queue, rx);
#pragma warning disable CS0162 // one of the two branches is dead for each DPDK release: that is the compile-time guard
        if (!DirectPathVerified)
        {
            BurstSlot.SetCallbacks(ref *slot, BurstSlot.AlwaysShim);
        }
        else
        {
            var ops = Entry(port);
            var q = rx ? ops->rxq : ops->txq;
            slot->Burst = (delegate* unmanaged[Cdecl, SuppressGCTransition]<void*, rte_mbuf**, ushort, ushort>)
                (rx ? ops->rx_pkt_burst : ops->tx_pkt_burst);
            slot->Queue = q.data[queue];
            var disconnectLock = MemifDisconnectGuard.Find(port);
            if (disconnectLock == null)
            {
                BurstSlot.SetCallbacks(ref *slot, q.clbk + queue); // last: publishes the two above
            }
            else
            {
                slot->QueueCallbacks = q.clbk + queue;
                slot->DisconnectLock = disconnectLock;
                BurstSlot.SetCallbacks(ref *slot, BurstSlot.Guarded); // last: publishes the four above
            }
        }
#pragma warning restore CS0162
        // A lifecycle change that ran meanwhile (possible only if the application breaks DPDK's rule and changes a
        // port that is being polled) may have marked the slot stale before the store above: mark it again.
        Interlocked.MemoryBarrier();
        if (PortEpochs.Current(port) != epoch)
        {
            BurstSlot.SetCallbacks(ref *slot, BurstSlot.Stale);
        }
    }

    private static void CheckQueueStillExists(ushort port, ushort queue, bool rx)
    {
        int rc;
        if (rx)
        {
            rte_eth_rxq_info info;
            rc = Dpdk.rte_eth_rx_queue_info_get(port, queue, &info);
        }
        else
        {
            rte_eth_txq_info info;
            rc = Dpdk.rte_eth_tx_queue_info_get(port, queue, &info);
        }
        // ENOTSUP: the driver does not describe its queues, but the queue exists (ethdev checked that first).
        if (rc == -19 /* ENODEV */)
        {
            throw new InvalidOperationException($"port {port} {(rx ? "rx" : "tx")} queue {queue}: the port was closed.");
        }

        if (rc == -22 /* EINVAL */)
        {
            throw new InvalidOperationException($"port {port} {(rx ? "rx" : "tx")} queue {queue} no longer exists: the port was reconfigured without it.");
        }
    }

    /// <summary>Whether bursts on the queue go through the shim now (callbacks installed, or an unchecked DPDK release).</summary>
    internal static bool TakesShim(BurstSlot* slot, bool rx)
    {
        if (slot->Callbacks == BurstSlot.Stale)
        {
            Refresh(slot, rx);
        }

        return *(slot->Callbacks == BurstSlot.Guarded ? slot->QueueCallbacks : slot->Callbacks) != null;
    }

    /// <summary>
    /// How many bursts took each path, counted only in Debug builds (tests run them) so that a test can tell which
    /// path ran; in Release the calls are compiled away and the fast path writes no shared memory.
    /// </summary>
    internal static class PathCounters
    {
        private static long s_direct;
        private static long s_shim;

        /// <summary>Whether this build counts (Debug).</summary>
        internal static bool Enabled =>
#if DEBUG
            true;
#else
            false;
#endif

        internal static long DirectCount => Interlocked.Read(ref s_direct);
        internal static long ShimCount => Interlocked.Read(ref s_shim);

        [Conditional("DEBUG")]
        internal static void Direct() => Interlocked.Increment(ref s_direct);

        [Conditional("DEBUG")]
        internal static void Shim() => Interlocked.Increment(ref s_shim);
    }
}
