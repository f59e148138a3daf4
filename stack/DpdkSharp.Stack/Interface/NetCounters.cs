using System.Runtime.CompilerServices;

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
    /// <summary>IGMP messages (group membership, RFC 2236).</summary>
    Igmp,
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
    // adds, where arrays cost a load of the array and its null check more per counter (eight counts per echoed packet).
    private long _rxEthernetPackets, _rxEthernetBytes, _txEthernetPackets, _txEthernetBytes;
    private long _rxArpPackets, _rxArpBytes, _txArpPackets, _txArpBytes;
    private long _rxIpv4Packets, _rxIpv4Bytes, _txIpv4Packets, _txIpv4Bytes;
    private long _rxIcmpPackets, _rxIcmpBytes, _txIcmpPackets, _txIcmpBytes;
    private long _rxUdpPackets, _rxUdpBytes, _txUdpPackets, _txUdpBytes;
    private long _rxTcpPackets, _rxTcpBytes, _txTcpPackets, _txTcpBytes;
    private long _rxIgmpPackets, _rxIgmpBytes, _txIgmpPackets, _txIgmpBytes;
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
    public long ReceivedPackets(NetLayer layer) => Totals(layer, sent: false).Packets;
    /// <summary>Bytes received at <paramref name="layer"/>.</summary>
    public long ReceivedBytes(NetLayer layer) => Totals(layer, sent: false).Bytes;
    /// <summary>Packets sent at <paramref name="layer"/>.</summary>
    public long SentPackets(NetLayer layer) => Totals(layer, sent: true).Packets;
    /// <summary>Bytes sent at <paramref name="layer"/>.</summary>
    public long SentBytes(NetLayer layer) => Totals(layer, sent: true).Bytes;

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

    // The per-layer counts run eight times per echoed packet, each with a layer the caller names: the switch folds to that
    // layer's two fields of the object, so a count is two read-modify-writes at fixed offsets from the counters'
    // reference. (Slots of a struct field, indexed or named, made the JIT form each slot's address in a register first.)
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CountRx(NetLayer layer, int bytes)
    {
        switch (layer)
        {
            case NetLayer.Ethernet: _rxEthernetPackets++; _rxEthernetBytes += bytes; break;
            case NetLayer.Arp: _rxArpPackets++; _rxArpBytes += bytes; break;
            case NetLayer.Ipv4: _rxIpv4Packets++; _rxIpv4Bytes += bytes; break;
            case NetLayer.Icmp: _rxIcmpPackets++; _rxIcmpBytes += bytes; break;
            case NetLayer.Udp: _rxUdpPackets++; _rxUdpBytes += bytes; break;
            case NetLayer.Tcp: _rxTcpPackets++; _rxTcpBytes += bytes; break;
            case NetLayer.Igmp: _rxIgmpPackets++; _rxIgmpBytes += bytes; break;
            default: throw new ArgumentOutOfRangeException(nameof(layer), layer, null);
        }
    }

    // The same switch as CountRx's over the other direction's fields, not one switch over both: a helper that takes the
    // two fields by reference (or a ref chosen between them) made the JIT form each field's address in a register again.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CountTx(NetLayer layer, int bytes)
    {
        switch (layer)
        {
            case NetLayer.Ethernet: _txEthernetPackets++; _txEthernetBytes += bytes; break;
            case NetLayer.Arp: _txArpPackets++; _txArpBytes += bytes; break;
            case NetLayer.Ipv4: _txIpv4Packets++; _txIpv4Bytes += bytes; break;
            case NetLayer.Icmp: _txIcmpPackets++; _txIcmpBytes += bytes; break;
            case NetLayer.Udp: _txUdpPackets++; _txUdpBytes += bytes; break;
            case NetLayer.Tcp: _txTcpPackets++; _txTcpBytes += bytes; break;
            case NetLayer.Igmp: _txIgmpPackets++; _txIgmpBytes += bytes; break;
            default: throw new ArgumentOutOfRangeException(nameof(layer), layer, null);
        }
    }

    /// <summary>The packets and bytes of <paramref name="layer"/>, received (<paramref name="sent"/> false) or sent.</summary>
    private (long Packets, long Bytes) Totals(NetLayer layer, bool sent) => (layer, sent) switch
    {
        (NetLayer.Ethernet, false) => (_rxEthernetPackets, _rxEthernetBytes),
        (NetLayer.Ethernet, true) => (_txEthernetPackets, _txEthernetBytes),
        (NetLayer.Arp, false) => (_rxArpPackets, _rxArpBytes),
        (NetLayer.Arp, true) => (_txArpPackets, _txArpBytes),
        (NetLayer.Ipv4, false) => (_rxIpv4Packets, _rxIpv4Bytes),
        (NetLayer.Ipv4, true) => (_txIpv4Packets, _txIpv4Bytes),
        (NetLayer.Icmp, false) => (_rxIcmpPackets, _rxIcmpBytes),
        (NetLayer.Icmp, true) => (_txIcmpPackets, _txIcmpBytes),
        (NetLayer.Udp, false) => (_rxUdpPackets, _rxUdpBytes),
        (NetLayer.Udp, true) => (_txUdpPackets, _txUdpBytes),
        (NetLayer.Tcp, false) => (_rxTcpPackets, _rxTcpBytes),
        (NetLayer.Tcp, true) => (_txTcpPackets, _txTcpBytes),
        (NetLayer.Igmp, false) => (_rxIgmpPackets, _rxIgmpBytes),
        (NetLayer.Igmp, true) => (_txIgmpPackets, _txIgmpBytes),
        _ => throw new ArgumentOutOfRangeException(nameof(layer), layer, null),
    };

    /// <summary>The <see cref="NetLayer"/> values that have fields here (checked by a test against the enum).</summary>
    internal const int SlottedLayers = 7;
}
