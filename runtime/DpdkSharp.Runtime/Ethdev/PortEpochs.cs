using DpdkSharp.Interop;

namespace DpdkSharp.Runtime;

/// <summary>
/// One counter per port id that changes whenever the runtime starts, stops, configures, resets or closes the port,
/// and marks the port's cached burst targets (<see cref="BurstSlot"/>) stale, so that each queue reads the driver's
/// pointers again on its next burst.
/// </summary>
/// <remarks>
/// <para>Why this is enough: DPDK changes what a queue's burst goes to only in <c>rte_eth_dev_start</c>
/// (<c>eth_dev_fp_ops_setup</c>: the driver's functions and the queue pointers), <c>rte_eth_dev_stop</c> and the
/// port's release (<c>eth_dev_fp_ops_reset</c>: dummies); configure and queue setup free and reallocate queues of a
/// stopped port, which the next start publishes. Each of these is a <see cref="Port"/> method that calls
/// <see cref="Invalidate"/> before and after the DPDK call. Calling those DPDK functions directly on a port whose
/// queue handles are in use bypasses this: call <see cref="Port.InvalidateQueueHandles"/> afterwards.</para>
/// <para>The counter lets a refresh that raced with a lifecycle change notice it (it reads the epoch before the
/// driver's pointers and again after marking the slot fresh: if it moved, the slot goes back to stale). As in
/// DPDK, a port must still not be stopped or reconfigured while another thread bursts on its queues.</para>
/// </remarks>
internal static class PortEpochs
{
    private static readonly uint[] s_epochs = new uint[Dpdk.RTE_MAX_ETHPORTS];

    /// <summary>The port's epoch now.</summary>
    internal static uint Current(ushort port) => Volatile.Read(ref s_epochs[port]);

    /// <summary>Moves the port to a new epoch and marks every cached burst target of it stale.</summary>
    internal static void Invalidate(ushort port)
    {
        if (port >= s_epochs.Length)
        {
            return; // not a port id: DPDK refuses the operation itself
        }

        Interlocked.Increment(ref s_epochs[port]); // a full fence: the marks below are seen after the new epoch
        BurstSlot.MarkStale(port);
    }
}
