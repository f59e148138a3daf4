using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DpdkSharp.Interop;

namespace DpdkSharp.Runtime;

/// <summary>
/// What a queue's bursts call, cached from <c>rte_eth_fp_ops</c>: the driver's burst function, its queue pointer
/// and the address of the queue's callback slot. One slot per (port, queue, direction), shared by every copy of
/// every handle of that queue, so one refresh after a restart serves them all and handles stay small readonly
/// values that can live in readonly fields.
/// </summary>
/// <remarks>
/// <para>The burst tests one thing before calling the driver: whether <c>*Callbacks</c> is null, as DPDK's inline
/// tests its callback slot. A slot that must not be used directly makes that test fail by pointing
/// <see cref="Callbacks"/> at a non-null word of ours: <see cref="Stale"/> (the port's lifecycle changed since the
/// slot was filled: refresh it) or <see cref="AlwaysShim"/> (a DPDK release whose inline functions this runtime
/// has not checked) or <see cref="Guarded"/> (a net_memif queue, whose bursts take the PMD's disconnect lock). So
/// staleness costs the fast path nothing: no epoch compare per burst.</para>
/// <para>Slots live in a pinned table per port, made on the first queue handle of that port and kept for the
/// process (managed memory, 64 KB per port ever used, nothing to free), because handles hold their slot's
/// address.</para>
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct BurstSlot
{
    /// <summary><c>&amp;rxq.clbk[queue]</c> / <c>&amp;txq.clbk[queue]</c>, or <see cref="Stale"/> / <see cref="AlwaysShim"/>.</summary>
    public void** Callbacks;

    /// <summary>The driver's <c>rx_pkt_burst</c>/<c>tx_pkt_burst</c>.</summary>
    public delegate* unmanaged[Cdecl, SuppressGCTransition]<void*, rte_mbuf**, ushort, ushort> Burst;

    /// <summary><c>rxq.data[queue]</c> / <c>txq.data[queue]</c>: the driver's queue.</summary>
    public void* Queue;

    /// <summary>The port id, for the slow path (kept here so that the burst loop has fewer values to keep live).</summary>
    public ushort Port;

    /// <summary>The queue index.</summary>
    public ushort QueueIndex;

    /// <summary>When <see cref="Callbacks"/> is <see cref="Guarded"/>: the queue's real <c>&amp;clbk[queue]</c>.</summary>
    public void** QueueCallbacks;

    /// <summary>When <see cref="Callbacks"/> is <see cref="Guarded"/>: the lock every burst holds (<see cref="MemifDisconnectGuard"/>).</summary>
    public int* DisconnectLock;

    // Three pinned non-null words whose addresses mark a slot (pinned: fixed addresses; managed: nothing to free).
    private static readonly nint[] s_marks = NewMarks();

    /// <summary>Marks a slot to refresh before its next burst.</summary>
    internal static void** Stale => (void**)Unsafe.AsPointer(ref s_marks[0]);

    /// <summary>Marks a slot whose bursts always go through the shim.</summary>
    internal static void** AlwaysShim => (void**)Unsafe.AsPointer(ref s_marks[1]);

    /// <summary>Marks a slot whose bursts hold <see cref="DisconnectLock"/> (a net_memif queue: see <see cref="MemifDisconnectGuard"/>).</summary>
    internal static void** Guarded => (void**)Unsafe.AsPointer(ref s_marks[2]);

    private static readonly BurstSlot[]?[] s_tables = new BurstSlot[]?[Dpdk.RTE_MAX_ETHPORTS];

    /// <summary>The slot of <paramref name="queue"/> of <paramref name="port"/> in one direction (stale until its first burst).</summary>
    internal static BurstSlot* For(ushort port, ushort queue, bool rx)
    {
        var table = Volatile.Read(ref s_tables[port]);
        if (table is null)
        {
            lock (s_tables)
            {
                table = s_tables[port];
                if (table is null)
                {
                    table = GC.AllocateArray<BurstSlot>(2 * Dpdk.RTE_MAX_QUEUES_PER_PORT, pinned: true);
                    MarkAllStale(table);
                    Volatile.Write(ref s_tables[port], table);
                }
            }
        }
        var slot = (BurstSlot*)Unsafe.AsPointer(ref table[(rx ? 0 : Dpdk.RTE_MAX_QUEUES_PER_PORT) + queue]);
        slot->Port = port;
        slot->QueueIndex = queue;
        return slot;
    }

    /// <summary>Marks every slot of <paramref name="port"/> stale (after its epoch was bumped: see <see cref="PortEpochs"/>).</summary>
    internal static void MarkStale(ushort port)
    {
        if (Volatile.Read(ref s_tables[port]) is { } table)
        {
            MarkAllStale(table);
        }
    }

    private static void MarkAllStale(BurstSlot[] table)
    {
        var stale = Stale;
        for (var i = 0; i < table.Length; i++)
        {
            SetCallbacks(ref table[i], stale);
        }
    }

    /// <summary>Publishes <see cref="Callbacks"/> (a release store: the fields written before it are seen with it).</summary>
    internal static void SetCallbacks(ref BurstSlot slot, void** value) =>
        Volatile.Write(ref *(nint*)Unsafe.AsPointer(ref slot), (nint)value); // Callbacks is the first field

    private static nint[] NewMarks()
    {
        var marks = GC.AllocateArray<nint>(3, pinned: true);
        marks[0] = marks[1] = marks[2] = 1;
        return marks;
    }
}
