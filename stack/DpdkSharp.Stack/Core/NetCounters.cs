using System.Diagnostics.Metrics;

namespace DpdkSharp.Stack;

/// <summary>Why a packet was dropped. Every drop in the stack is counted under exactly one reason.</summary>
public enum DropReason
{
    /// <summary>Too short, bad length fields, bad version/IHL, bad options, inconsistent fragment.</summary>
    Malformed,
    /// <summary>IPv4 header, ICMP or UDP checksum mismatch (or the device flagged it bad).</summary>
    BadChecksum,
    /// <summary>IPv4 TTL of zero (RFC 791 §3.2, "Time to Live").</summary>
    TtlExpired,
    /// <summary>No route (or no usable next hop) to the destination.</summary>
    NoRoute,
    /// <summary>UDP datagram for a port with no endpoint, or an ICMP error matching no endpoint.</summary>
    NoSocket,
    /// <summary>Layer 2 or 3 destination is not one of ours (or a VLAN we are not on).</summary>
    NotForUs,
    /// <summary>The endpoint's bounded receive queue (bytes or datagrams) is full.</summary>
    ReceiveBufferFull,
    /// <summary>A packet waiting for address resolution did not fit in (or was pushed out of) the ARP queue.</summary>
    ArpQueueFull,
    /// <summary>A packet waiting for address resolution was released because resolution failed.</summary>
    ArpTimeout,
    /// <summary>A fragment was refused or a partial datagram abandoned because of reassembly limits.</summary>
    ReassemblyLimit,
    /// <summary>A partial datagram expired before all its fragments arrived.</summary>
    ReassemblyTimeout,
    /// <summary>A fragment that carried only bytes already received (RFC 815 holes: first data wins).</summary>
    DuplicateFragment,
    /// <summary>An EtherType, IP protocol, ARP hardware/protocol type or ICMP type we do not handle.</summary>
    UnsupportedProtocol,
    /// <summary>A source address that must never appear as a source (RFC 1122 §3.2.1.3).</summary>
    InvalidAddress,
    /// <summary>Datagram larger than the MTU with Don't Fragment set.</summary>
    FragmentationNeeded,
    /// <summary>The buffer pool had no buffer for an outgoing frame.</summary>
    NoBuffer,
    /// <summary>The device (transmit sink) refused the frame.</summary>
    TransmitQueueFull,
    /// <summary>An ICMP error was not sent because of the error rate limit (RFC 1812 §4.3.2.8).</summary>
    IcmpRateLimited,
}

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
    Ethernet,
    Arp,
    Ipv4,
    Icmp,
    Udp,
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
    internal const int LayerCount = (int)NetLayer.Udp + 1;
    internal const int ReasonCount = (int)DropReason.IcmpRateLimited + 1;
    internal const int StageCount = (int)DropStage.Transmit + 1;

    internal readonly long[] RxPackets = new long[LayerCount];
    internal readonly long[] RxBytes = new long[LayerCount];
    internal readonly long[] TxPackets = new long[LayerCount];
    internal readonly long[] TxBytes = new long[LayerCount];
    internal readonly long[] Drops = new long[StageCount * ReasonCount];

    internal long FramesReceivedField;
    internal long FramesDeliveredField;
    internal long FramesConsumedField;
    internal long FramesBufferedField;
    internal long FramesDroppedField;
    internal long ArpConflictsField;

    public long FramesReceived => FramesReceivedField;
    public long FramesDelivered => FramesDeliveredField;
    public long FramesConsumed => FramesConsumedField;
    public long FramesBuffered => FramesBufferedField;
    public long FramesDropped => FramesDroppedField;

    /// <summary>ARP packets claiming one of our addresses from another MAC (RFC 5227 §2.4).</summary>
    public long ArpConflicts => ArpConflictsField;

    public long ReceivedPackets(NetLayer layer) => RxPackets[(int)layer];
    public long ReceivedBytes(NetLayer layer) => RxBytes[(int)layer];
    public long SentPackets(NetLayer layer) => TxPackets[(int)layer];
    public long SentBytes(NetLayer layer) => TxBytes[(int)layer];

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

    internal void CountRx(NetLayer layer, int bytes)
    {
        RxPackets[(int)layer]++;
        RxBytes[(int)layer] += bytes;
    }

    internal void CountTx(NetLayer layer, int bytes)
    {
        TxPackets[(int)layer]++;
        TxBytes[(int)layer] += bytes;
    }
}

/// <summary>
/// Publishes one interface's <see cref="NetCounters"/> through <see cref="System.Diagnostics.Metrics"/>
/// under the meter <c>DpdkSharp.Net</c>. All instruments are observable: nothing is recorded on
/// the packet path, the exporter reads the fields when it collects.
/// </summary>
public sealed class NetMetrics : IDisposable
{
    public const string MeterName = "DpdkSharp.Net";

    private readonly Meter _meter;
    private volatile bool _disposed;
    private readonly NetCounters _counters;
    private readonly KeyValuePair<string, object?>[][] _layerTags;
    private readonly KeyValuePair<string, object?>[][] _dropTags;
    private readonly KeyValuePair<string, object?>[] _interfaceTag;

    public NetMetrics(NetCounters counters, string interfaceName, IMeterFactory? meterFactory = null)
    {
        _counters = counters;
        _meter = meterFactory?.Create(new MeterOptions(MeterName)) ?? new Meter(MeterName);
        var iface = new KeyValuePair<string, object?>("interface", interfaceName);
        _interfaceTag = [iface];
        _layerTags = new KeyValuePair<string, object?>[NetCounters.LayerCount][];
        for (int l = 0; l < NetCounters.LayerCount; l++)
        {
            _layerTags[l] = [iface, new("layer", ((NetLayer)l).ToString().ToLowerInvariant())];
        }
        _dropTags = new KeyValuePair<string, object?>[NetCounters.StageCount * NetCounters.ReasonCount][];
        for (int s = 0; s < NetCounters.StageCount; s++)
        {
            for (int r = 0; r < NetCounters.ReasonCount; r++)
            {
                _dropTags[s * NetCounters.ReasonCount + r] =
                    [iface, new("stage", ((DropStage)s).ToString().ToLowerInvariant()), new("reason", ((DropReason)r).ToString())];
            }
        }

        _meter.CreateObservableCounter("dpdksharp.net.rx.packets", () => PerLayer(_counters.RxPackets), "{packet}", "Packets received, per layer");
        _meter.CreateObservableCounter("dpdksharp.net.rx.bytes", () => PerLayer(_counters.RxBytes), "By", "Bytes received, per layer");
        _meter.CreateObservableCounter("dpdksharp.net.tx.packets", () => PerLayer(_counters.TxPackets), "{packet}", "Packets sent, per layer");
        _meter.CreateObservableCounter("dpdksharp.net.tx.bytes", () => PerLayer(_counters.TxBytes), "By", "Bytes sent, per layer");
        _meter.CreateObservableCounter("dpdksharp.net.drops", Drops, "{packet}", "Packets dropped, by stage and reason");
        _meter.CreateObservableCounter<long>("dpdksharp.net.rx.frames",
            () => _disposed ? [] : [new Measurement<long>(_counters.FramesReceivedField, _interfaceTag)], "{frame}", "Frames handed to the interface");
    }

    public Meter Meter => _meter;

    private Measurement<long>[] PerLayer(long[] values)
    {
        if (_disposed)
        {
            return [];
        }
        var result = new Measurement<long>[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = new Measurement<long>(values[i], _layerTags[i]);
        }
        return result;
    }

    private IEnumerable<Measurement<long>> Drops()
    {
        if (_disposed)
        {
            return [];
        }
        var result = new List<Measurement<long>>();
        for (int i = 0; i < _counters.Drops.Length; i++)
        {
            // Zero series are left out: most reasons never happen and exporters pay per series.
            if (_counters.Drops[i] != 0)
            {
                result.Add(new Measurement<long>(_counters.Drops[i], _dropTags[i]));
            }
        }
        return result;
    }

    /// <summary>
    /// Stops publishing. A meter from an <see cref="IMeterFactory"/> is shared and outlives this
    /// object (its own Dispose does nothing), so the callbacks themselves go quiet.
    /// </summary>
    public void Dispose()
    {
        _disposed = true;
        _meter.Dispose();
    }
}
