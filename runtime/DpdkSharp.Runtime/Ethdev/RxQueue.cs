using System.Runtime.CompilerServices;
using DpdkSharp.Interop;

namespace DpdkSharp.Runtime;

/// <summary>
/// A receive queue of a configured port, from <see cref="Port.GetRxQueue"/>. <see cref="Receive"/> is the fast
/// path: what the inline <c>rte_eth_rx_burst</c> does (the driver's burst function called directly, no GC
/// transition; through the shim when RX callbacks are installed, see <see cref="EthFastPath"/>), no allocation,
/// no lock. A queue is polled by one thread at a time, as in DPDK.
/// </summary>
public readonly unsafe struct RxQueue
{
    // &rte_eth_fp_ops[port]: a fixed address, read on every burst (see EthFastPath). Null in a default(RxQueue),
    // which was never checked against a configured port: refused rather than let DPDK crash.
    private readonly rte_eth_fp_ops* _ops;
    private readonly ushort _port;
    private readonly ushort _queue;

    internal RxQueue(ushort port, ushort queue)
    {
        _ops = EthFastPath.Entry(port);
        _port = port;
        _queue = queue;
    }

    /// <summary>The port.</summary>
    public Port Port => new(_port);

    /// <summary>The queue index.</summary>
    public int Index => _queue;

    /// <summary>
    /// Receives up to <see cref="MbufBurst.FreeSpace"/> packets into <paramref name="burst"/>
    /// (<c>rte_eth_rx_burst</c>), which then owns them. Returns how many arrived (0 when none, or when the port is stopped).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Receive(ref MbufBurst burst)
    {
        var ops = _ops;
        if (ops == null)
            ThrowUnchecked();
        var room = burst.FreeSpace;
        if (room == 0)
            return 0;
        int received;
        fixed (nint* slots = &burst.FreeSlots)
            received = EthFastPath.RxBurst(ops, _port, _queue, (rte_mbuf**)slots, (ushort)room);
        burst.Grow(received);
        return received;
    }

    /// <summary>Whether RX callbacks are installed on this queue now, so that <see cref="Receive"/> goes through the shim.</summary>
    internal bool HasCallbacks => _ops != null && EthFastPath.HasRxCallbacks(_ops, _queue);

    internal static void ThrowUnchecked() =>
        throw new InvalidOperationException("This queue handle is default-initialised; get queues from Port.GetRxQueue / Port.GetTxQueue.");

    /// <inheritdoc/>
    public override string ToString() => $"port {_port} rx queue {_queue}";
}

/// <summary>
/// A transmit queue of a configured port, from <see cref="Port.GetTxQueue"/>. <see cref="Transmit"/> is the fast
/// path: what the inline <c>rte_eth_tx_burst</c> does (as for <see cref="RxQueue"/>), no allocation, no lock.
/// </summary>
public readonly unsafe struct TxQueue
{
    private readonly rte_eth_fp_ops* _ops; // as in RxQueue
    private readonly ushort _port;
    private readonly ushort _queue;

    internal TxQueue(ushort port, ushort queue)
    {
        _ops = EthFastPath.Entry(port);
        _port = port;
        _queue = queue;
    }

    /// <summary>The port.</summary>
    public Port Port => new(_port);

    /// <summary>The queue index.</summary>
    public int Index => _queue;

    /// <summary>
    /// Queues the packets of <paramref name="burst"/> for transmission (<c>rte_eth_tx_burst</c>). The packets the
    /// queue took belong to the driver from then on and are removed from the burst; those it did not take (a full
    /// queue) stay in the burst, in order, still owned by the caller. Returns how many were taken.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Transmit(ref MbufBurst burst)
    {
        var ops = _ops;
        if (ops == null)
            RxQueue.ThrowUnchecked();
        var count = burst.Count;
        if (count == 0)
            return 0;
        int sent;
        fixed (nint* slots = &burst.FirstSlot)
            sent = EthFastPath.TxBurst(ops, _port, _queue, (rte_mbuf**)slots, (ushort)count);
        burst.RemoveFirst(sent);
        return sent;
    }

    /// <summary>Whether TX callbacks are installed on this queue now, so that <see cref="Transmit"/> goes through the shim.</summary>
    internal bool HasCallbacks => _ops != null && EthFastPath.HasTxCallbacks(_ops, _queue);

    /// <inheritdoc/>
    public override string ToString() => $"port {_port} tx queue {_queue}";
}
