using System.Runtime.CompilerServices;
using DpdkSharp.Interop;

namespace DpdkSharp.Runtime;

/// <summary>
/// A transmit queue of a configured port, from <see cref="Port.GetTxQueue"/>. <see cref="Transmit"/> is the fast
/// path: what the inline <c>rte_eth_tx_burst</c> does (as for <see cref="RxQueue"/>), no allocation, no lock.
/// Like <see cref="RxQueue"/>, the handle stays right across stop, reconfigure and start.
/// </summary>
public readonly unsafe struct TxQueue
{
    private readonly BurstSlot* _slot; // as in RxQueue
    private readonly ushort _port;
    private readonly ushort _queue;

    internal TxQueue(ushort port, ushort queue)
    {
        _slot = BurstSlot.For(port, queue, rx: false);
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
    /// queue, a stopped port) stay in the burst, in order, still owned by the caller. Returns how many were taken.
    /// </summary>
    /// <exception cref="InvalidOperationException">A default handle; the port was closed; the queue was removed by a reconfiguration.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Transmit(ref MbufBurst burst)
    {
        var slot = _slot;
        if (slot == null)
        {
            RxQueue.ThrowUnchecked();
        }

        var count = burst.Count;
        if (count == 0)
        {
            return 0;
        }

        int sent;
        fixed (nint* slots = &burst.FirstSlot)
        {
            sent = EthFastPath.TxBurst(slot, (rte_mbuf**)slots, (ushort)count);
        }

        burst.RemoveFirst(sent);
        return sent;
    }

    /// <summary>Whether TX callbacks are installed on this queue now, so that <see cref="Transmit"/> goes through the shim.</summary>
    internal bool HasCallbacks => _slot != null && EthFastPath.TakesShim(_slot, rx: false);

    /// <inheritdoc/>
    public override string ToString() => $"port {_port} tx queue {_queue}";
}
