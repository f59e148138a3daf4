using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DpdkSharp.Stack.Interface;

/// <summary>Where in the life of a packet a drop happened.</summary>
public enum DropStage
{
    /// <summary>A received frame, dropped while handling it (one per <c>Receive</c> call at most).</summary>
    Receive,
    /// <summary>Data accepted earlier (a partial datagram in reassembly) and discarded later.</summary>
    Buffered,
    /// <summary>An outgoing packet (application data, reply, ARP-queued frame).</summary>
    Transmit,
}

/// <summary>The layer a packet/byte counter belongs to.</summary>
public enum NetLayer
{
    /// <summary>Ethernet frames.</summary>
    Ethernet,
    /// <summary>ARP packets.</summary>
    Arp,
    /// <summary>IPv4 datagrams (fragments counted one by one).</summary>
    Ipv4,
    /// <summary>ICMP messages.</summary>
    Icmp,
    /// <summary>UDP datagrams.</summary>
    Udp,
    /// <summary>TCP segments.</summary>
    Tcp,
}

/// <summary>What happened to one received frame.</summary>
public enum RxDisposition
{
    /// <summary>Data delivered to an endpoint (UDP datagram, echo reply).</summary>
    Delivered,
    /// <summary>Handled by the stack itself (ARP, echo request answered, ICMP error recorded).</summary>
    Consumed,
    /// <summary>Kept as a fragment of a datagram still being reassembled.</summary>
    Buffered,
    /// <summary>Dropped and counted under a <see cref="DropReason"/> in <see cref="DropStage.Receive"/>.</summary>
    Dropped,
}

/// <summary>
/// Counters of one interface: plain <c>long</c> fields written by the single thread that runs the
/// core (no interlocked operations on the hot path) and read by <see cref="NetMetrics"/>
/// observers. 64-bit reads and writes of aligned longs do not tear on 64-bit platforms, so a reader
/// sees a recent value, which is all a metrics exporter needs.
/// </summary>
public sealed class NetCounters
{
    // Slots per enum, from the enums themselves: a new member gets its own slots (the values are
    // 0..n-1, checked by a test).
    internal static readonly int LayerCount = Enum.GetValues<NetLayer>().Length;
    internal static readonly int ReasonCount = Enum.GetValues<DropReason>().Length;
    internal static readonly int StageCount = Enum.GetValues<DropStage>().Length;

    // The per-layer counts in the object itself, not in arrays: each count is one load of the counters' reference and two
    // adds, where arrays cost a load of the array and its null check more per counter (six counts per echoed packet).
    private LayerSlots _rx;
    private LayerSlots _tx;
    internal readonly long[] Drops = new long[StageCount * ReasonCount];

    internal long FramesReceivedField;
    internal long FramesDeliveredField;
    internal long FramesConsumedField;
    internal long FramesBufferedField;
    internal long FramesDroppedField;
    internal long ArpConflictsField;

    /// <summary>Frames handed to the interface.</summary>
    public long FramesReceived => FramesReceivedField;
    /// <summary>Frames that delivered data to an endpoint.</summary>
    public long FramesDelivered => FramesDeliveredField;
    /// <summary>Frames the stack handled itself (ARP, echo requests, ICMP errors).</summary>
    public long FramesConsumed => FramesConsumedField;
    /// <summary>Fragments kept for reassembly.</summary>
    public long FramesBuffered => FramesBufferedField;
    /// <summary>Frames dropped on receive (each counted under one reason).</summary>
    public long FramesDropped => FramesDroppedField;

    /// <summary>ARP packets claiming one of our addresses from another MAC (RFC 5227 §2.4).</summary>
    public long ArpConflicts => ArpConflictsField;

    /// <summary>Packets received at <paramref name="layer"/>.</summary>
    public long ReceivedPackets(NetLayer layer) => Checked(ref _rx, layer).Packets;
    /// <summary>Bytes received at <paramref name="layer"/>.</summary>
    public long ReceivedBytes(NetLayer layer) => Checked(ref _rx, layer).Bytes;
    /// <summary>Packets sent at <paramref name="layer"/>.</summary>
    public long SentPackets(NetLayer layer) => Checked(ref _tx, layer).Packets;
    /// <summary>Bytes sent at <paramref name="layer"/>.</summary>
    public long SentBytes(NetLayer layer) => Checked(ref _tx, layer).Bytes;

    /// <summary>Packets dropped for <paramref name="reason"/> at <paramref name="stage"/>.</summary>
    public long DropCount(DropReason reason, DropStage stage = DropStage.Receive) =>
        Drops[(int)stage * ReasonCount + (int)reason];

    /// <summary>All drops of one stage, over every reason.</summary>
    public long TotalDrops(DropStage stage)
    {
        long sum = 0;
        for (int r = 0; r < ReasonCount; r++)
        {
            sum += Drops[(int)stage * ReasonCount + r];
        }
        return sum;
    }

    internal void CountDrop(DropReason reason, DropStage stage) => Drops[(int)stage * ReasonCount + (int)reason]++;

    // The per-layer counts run six times per echoed packet. The slots are sized for NetLayer's values (0..n-1, checked
    // by a test) and the layer is always a named member, so the index is in range by construction: the slot is reached
    // without a range check.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CountRx(NetLayer layer, int bytes)
    {
        ref var slot = ref Slot(ref _rx, layer);
        slot.Packets++;
        slot.Bytes += bytes;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CountTx(NetLayer layer, int bytes)
    {
        ref var slot = ref Slot(ref _tx, layer);
        slot.Packets++;
        slot.Bytes += bytes;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref LayerTotals Slot(ref LayerSlots slots, NetLayer layer)
    {
        Debug.Assert((uint)layer < (uint)LayerCount);
        return ref Unsafe.Add(ref Unsafe.As<LayerSlots, LayerTotals>(ref slots), (int)layer);
    }

    private static ref LayerTotals Checked(ref LayerSlots slots, NetLayer layer)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)layer, (uint)LayerCount, nameof(layer));
        return ref Slot(ref slots, layer);
    }

    /// <summary>Packets and bytes of one layer.</summary>
    internal struct LayerTotals
    {
        public long Packets;
        public long Bytes;
    }

    /// <summary>One <see cref="LayerTotals"/> per <see cref="NetLayer"/> value (at most <see cref="MaxLayers"/>, checked by a test).</summary>
    [InlineArray(MaxLayers)]
    internal struct LayerSlots
    {
        private LayerTotals _first;
    }

    /// <summary>Room for the <see cref="NetLayer"/> values in <see cref="LayerSlots"/>.</summary>
    internal const int MaxLayers = 8;
}
