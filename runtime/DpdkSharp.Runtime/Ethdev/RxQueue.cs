using System.Runtime.CompilerServices;
using DpdkSharp.Interop;

namespace DpdkSharp.Runtime;

/// <summary>
/// A receive queue of a configured port, from <see cref="Port.GetRxQueue"/>. <see cref="Receive"/> is the fast
/// path: what the inline <c>rte_eth_rx_burst</c> does (the driver's burst function called directly, no GC
/// transition; through the shim when RX callbacks are installed, see <see cref="EthFastPath"/>), no allocation,
/// no lock. A queue is polled by one thread at a time, as in DPDK.
/// </summary>
/// <remarks>
/// The handle stays right across <see cref="Port.Stop"/>, <see cref="Port.Configure"/>, <see cref="Port.Start"/>
/// and <see cref="Port.Reset"/>: the driver pointers it calls are cached per queue and read again on the first
/// burst after any of them (<see cref="PortEpochs"/>). While the port is stopped a burst receives nothing; after
/// the port is closed, or reconfigured with fewer queues than this one's index, a burst throws.
/// </remarks>
public readonly unsafe struct RxQueue
{
    // This queue's cached driver pointers, shared by every handle of it. Null in a default(RxQueue), which was
    // never checked against a configured port: refused rather than let DPDK crash.
    private readonly BurstSlot* _slot;
    private readonly ushort _port;
    private readonly ushort _queue;

    internal RxQueue(ushort port, ushort queue)
    {
        _slot = BurstSlot.For(port, queue, rx: true);
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
    /// <exception cref="InvalidOperationException">A default handle; the port was closed; the queue was removed by a reconfiguration.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Receive(ref MbufBurst burst)
    {
        var slot = _slot;
        if (slot == null)
        {
            ThrowUnchecked();
        }

        var room = burst.FreeSpace;
        if (room == 0)
        {
            return 0;
        }

        int received;
        fixed (nint* slots = &burst.FreeSlots)
        {
            received = EthFastPath.RxBurst(slot, (rte_mbuf**)slots, (ushort)room);
        }

        burst.Grow(received);
        return received;
    }

    /// <summary>Whether RX callbacks are installed on this queue now, so that <see cref="Receive"/> goes through the shim.</summary>
    internal bool HasCallbacks => _slot != null && EthFastPath.TakesShim(_slot, rx: true);

    internal static void ThrowUnchecked() =>
        throw new InvalidOperationException("This queue handle is default-initialised; get queues from Port.GetRxQueue / Port.GetTxQueue.");

    /// <inheritdoc/>
    public override string ToString() => $"port {_port} rx queue {_queue}";
}
