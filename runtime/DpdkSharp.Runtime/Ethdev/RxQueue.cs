using System.Runtime.CompilerServices;
using DpdkSharp.Interop;

namespace DpdkSharp.Runtime;

/// <summary>
/// A receive queue of a configured port, from <see cref="Port.GetRxQueue"/>. <see cref="Receive"/> is the fast
/// path: one <c>rte_eth_rx_burst</c> call (no GC transition), no allocation, no lock. A queue is polled by one
/// thread at a time, as in DPDK.
/// </summary>
public readonly unsafe struct RxQueue
{
    private readonly ushort _port;
    private readonly ushort _queue;
    // A default(RxQueue) was never checked against a configured port: refuse it rather than let DPDK crash.
    private readonly bool _checked;

    internal RxQueue(ushort port, ushort queue)
    {
        _port = port;
        _queue = queue;
        _checked = true;
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
        if (!_checked)
            ThrowUnchecked();
        var room = burst.FreeSpace;
        if (room == 0)
            return 0;
        int received;
        fixed (nint* slots = &burst.FreeSlots)
            received = Dpdk.rte_eth_rx_burst(_port, _queue, (rte_mbuf**)slots, (ushort)room);
        burst.Grow(received);
        return received;
    }

    internal static void ThrowUnchecked() =>
        throw new InvalidOperationException("This queue handle is default-initialised; get queues from Port.GetRxQueue / Port.GetTxQueue.");

    /// <inheritdoc/>
    public override string ToString() => $"port {_port} rx queue {_queue}";
}

/// <summary>
/// A transmit queue of a configured port, from <see cref="Port.GetTxQueue"/>. <see cref="Transmit"/> is the fast
/// path: one <c>rte_eth_tx_burst</c> call (no GC transition), no allocation, no lock.
/// </summary>
public readonly unsafe struct TxQueue
{
    private readonly ushort _port;
    private readonly ushort _queue;
    private readonly bool _checked;

    internal TxQueue(ushort port, ushort queue)
    {
        _port = port;
        _queue = queue;
        _checked = true;
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
        if (!_checked)
            RxQueue.ThrowUnchecked();
        var count = burst.Count;
        if (count == 0)
            return 0;
        int sent;
        fixed (nint* slots = &burst.FirstSlot)
            sent = Dpdk.rte_eth_tx_burst(_port, _queue, (rte_mbuf**)slots, (ushort)count);
        burst.RemoveFirst(sent);
        return sent;
    }

    /// <inheritdoc/>
    public override string ToString() => $"port {_port} tx queue {_queue}";
}
