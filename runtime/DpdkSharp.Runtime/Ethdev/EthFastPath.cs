using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DpdkSharp.Interop;

namespace DpdkSharp.Runtime;

/// <summary>
/// The receive/transmit burst calls of <see cref="RxQueue"/> and <see cref="TxQueue"/>, done from C# the way
/// DPDK 22.11's <c>static inline</c> <c>rte_eth_rx_burst</c>/<c>rte_eth_tx_burst</c> (rte_ethdev.h) do them in C,
/// instead of through the shim's exported wrappers (one call hop less per burst).
/// </summary>
/// <remarks>
/// <para>What 22.11's inline functions do, as compiled with the installed build configuration
/// (<c>rte_config.h</c> defines <c>RTE_ETHDEV_RXTX_CALLBACKS</c>; <c>rte_build_config.h</c> undefines
/// <c>RTE_ENABLE_TRACE_FP</c>; <c>RTE_ETHDEV_DEBUG_RX</c>/<c>_TX</c> are not defined):</para>
/// <code>
/// rx: p = &amp;rte_eth_fp_ops[port]; qd = p-&gt;rxq.data[queue];
///     n = p-&gt;rx_pkt_burst(qd, pkts, n);
///     cb = relaxed load p-&gt;rxq.clbk[queue]; if (cb) n = rte_eth_call_rx_callbacks(..., cb);
///     rte_ethdev_trace_rx_burst(...)   -- RTE_TRACE_POINT_FP: returns at once without RTE_ENABLE_TRACE_FP
/// tx: p = &amp;rte_eth_fp_ops[port]; qd = p-&gt;txq.data[queue];
///     cb = relaxed load p-&gt;txq.clbk[queue]; if (cb) n = rte_eth_call_tx_callbacks(..., cb);
///     n = p-&gt;tx_pkt_burst(qd, pkts, n);
///     rte_ethdev_trace_tx_burst(...)   -- compiled out likewise
/// </code>
/// <para>Here: the same loads (struct <c>rte_eth_fp_ops</c> of rte_ethdev_core.h, generated with clang's offsets
/// and checked by the shim's layout asserts), then the driver's burst function called through an unmanaged
/// function pointer. When the queue has callbacks (<c>clbk[queue] != NULL</c>, i.e. someone called
/// <c>rte_eth_add_rx_callback</c>/<c>rte_eth_add_tx_callback</c>) the whole burst goes through the shim's
/// <c>rte_eth_rx_burst</c>/<c>rte_eth_tx_burst</c> instead, which runs them: callbacks are not reimplemented.
/// The callback pointer is read before the burst rather than after it (for rx); a callback added or removed
/// while another thread bursts on that queue may or may not see that burst in DPDK either.</para>
/// <para>Why reading <c>rte_eth_fp_ops</c> is safe: it is an exported array of <c>RTE_MAX_ETHPORTS</c> entries
/// that never moves, so the address of a port's entry is computed once per queue handle. Its contents are
/// <b>not</b> cached: <c>rte_eth_dev_start</c> fills the entry (<c>eth_dev_fp_ops_setup</c>: the driver's
/// functions and <c>dev-&gt;data-&gt;rx_queues</c>/<c>tx_queues</c>, which a reconfiguration reallocates) and
/// <c>rte_eth_dev_stop</c>/<c>rte_eth_dev_release_port</c> reset it to dummies (<c>eth_dev_fp_ops_reset</c>:
/// burst functions that return 0, null queue data and callbacks). Every call reads the function, the queue data
/// and the callback pointer again, as the C inline does, so a queue handle stays right across stop, reconfigure
/// and start. (An entry of a port that was never started already holds the dummies, so a handle of a configured
/// port is never called through a null.) The reads are not free: in <c>eng/bench.sh forward</c> (net_ring, where
/// a burst is a few dozen cycles) a variant that cached the function and queue pointers in the handle ran about
/// 20% faster, ahead of C, which reads per call too; it was not kept, because after a stop or a reconfiguration
/// it would call the driver on a queue that DPDK has reset or freed.</para>
/// <para>The driver call suppresses the GC transition: it is a short, non-blocking poll of a queue (the drivers
/// this project runs are virtual: net_ring and net_null move pointers in memory, net_tap reads and writes
/// non-blocking descriptors; none sleeps or takes a blocking lock, and DPDK's own contract is that bursts poll
/// and never block). Callbacks are arbitrary code (they may be managed, via <c>[UnmanagedCallersOnly]</c>,
/// which must not run inside a suppressed transition), so the callback path keeps a normal transition.</para>
/// <para>This mirrors 22.11. The generated <c>rte_eth_fp_ops</c> follows the bound headers, so a later DPDK's
/// layout is picked up by name; its inline functions must be re-read when the runtime moves to it.</para>
/// </remarks>
internal static unsafe partial class EthFastPath
{
    /// <summary>
    /// <c>&amp;rte_eth_fp_ops[port]</c>: resolved from the shim's dependencies once (the generated global), then
    /// an offset. The entry's address is fixed for the life of the process; its contents are not.
    /// </summary>
    internal static rte_eth_fp_ops* Entry(ushort port)
    {
        Debug.Assert(port < Dpdk.RTE_MAX_ETHPORTS);
        return Dpdk.rte_eth_fp_ops + port;
    }

    /// <summary><c>rte_eth_rx_burst</c>: the driver directly, or the shim when the queue has RX callbacks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ushort RxBurst(rte_eth_fp_ops* ops, ushort port, ushort queue, rte_mbuf** pkts, ushort count)
    {
        // A plain load, like DPDK's __ATOMIC_RELAXED one: an aligned pointer read is atomic, and the JIT does not
        // hoist it out of a loop across the unmanaged call.
        if (ops->rxq.clbk[queue] != null)
            return RxWithCallbacks(port, queue, pkts, count);
        PathCounters.Direct();
        var rx = (delegate* unmanaged[Cdecl, SuppressGCTransition]<void*, rte_mbuf**, ushort, ushort>)ops->rx_pkt_burst;
        return rx(ops->rxq.data[queue], pkts, count);
    }

    /// <summary><c>rte_eth_tx_burst</c>: the driver directly, or the shim when the queue has TX callbacks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ushort TxBurst(rte_eth_fp_ops* ops, ushort port, ushort queue, rte_mbuf** pkts, ushort count)
    {
        if (ops->txq.clbk[queue] != null)
            return TxWithCallbacks(port, queue, pkts, count);
        PathCounters.Direct();
        var tx = (delegate* unmanaged[Cdecl, SuppressGCTransition]<void*, rte_mbuf**, ushort, ushort>)ops->tx_pkt_burst;
        return tx(ops->txq.data[queue], pkts, count);
    }

    /// <summary>Whether the queue has RX callbacks now (then <see cref="RxBurst"/> goes through the shim).</summary>
    internal static bool HasRxCallbacks(rte_eth_fp_ops* ops, ushort queue) => ops->rxq.clbk[queue] != null;

    /// <summary>Whether the queue has TX callbacks now (then <see cref="TxBurst"/> goes through the shim).</summary>
    internal static bool HasTxCallbacks(rte_eth_fp_ops* ops, ushort queue) => ops->txq.clbk[queue] != null;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ushort RxWithCallbacks(ushort port, ushort queue, rte_mbuf** pkts, ushort count)
    {
        PathCounters.Shim();
        return Dpdk.rte_eth_rx_burst(port, queue, pkts, count);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ushort TxWithCallbacks(ushort port, ushort queue, rte_mbuf** pkts, ushort count)
    {
        PathCounters.Shim();
        return Dpdk.rte_eth_tx_burst(port, queue, pkts, count);
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
