using System.Diagnostics.Metrics;

namespace DpdkSharp.Stack.Interface;

/// <summary>
/// Publishes one interface's <see cref="NetCounters"/> through <see cref="System.Diagnostics.Metrics"/>
/// under the meter <c>DpdkSharp.Net</c>. All instruments are observable: nothing is recorded on
/// the packet path, the exporter reads the fields when it collects.
/// </summary>
public sealed class NetMetrics : IDisposable
{
    /// <summary>The meter every DpdkSharp network instrument is published under.</summary>
    public const string MeterName = "DpdkSharp.Net";

    private readonly Meter _meter;
    private volatile bool _disposed;
    private readonly NetCounters _counters;
    private readonly KeyValuePair<string, object?>[][] _layerTags;
    private readonly KeyValuePair<string, object?>[][] _dropTags;
    private readonly KeyValuePair<string, object?>[] _interfaceTag;

    /// <summary>Publishes <paramref name="counters"/> tagged with <paramref name="interfaceName"/>, on a meter from <paramref name="meterFactory"/> or one of its own.</summary>
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

        _meter.CreateObservableCounter("dpdksharp.net.rx.packets", () => PerLayer(_counters.ReceivedPackets), "{packet}", "Packets received, per layer");
        _meter.CreateObservableCounter("dpdksharp.net.rx.bytes", () => PerLayer(_counters.ReceivedBytes), "By", "Bytes received, per layer");
        _meter.CreateObservableCounter("dpdksharp.net.tx.packets", () => PerLayer(_counters.SentPackets), "{packet}", "Packets sent, per layer");
        _meter.CreateObservableCounter("dpdksharp.net.tx.bytes", () => PerLayer(_counters.SentBytes), "By", "Bytes sent, per layer");
        _meter.CreateObservableCounter("dpdksharp.net.drops", Drops, "{packet}", "Packets dropped, by stage and reason");
        _meter.CreateObservableCounter<long>("dpdksharp.net.rx.frames",
            () => _disposed ? [] : [new Measurement<long>(_counters.FramesReceivedField, _interfaceTag)], "{frame}", "Frames handed to the interface");
    }

    /// <summary>
    /// Adds TCP's instruments: connections now, opens, failures, resets, segments, retransmissions,
    /// RTO firings, recoveries, zero windows, SYN cookies, challenge ACKs, connections reset (all
    /// observable), and two histograms recorded once per measured round trip (not per segment): the raw
    /// RTT samples (<c>tcp.rtt</c>) and the smoothed RTT after each sample (<c>tcp.srtt</c>, RFC 6298 §2),
    /// what the retransmission timer is computed from.
    /// </summary>
    /// <remarks>
    /// <c>tcp.resets</c> counts RST segments; <c>tcp.connections_reset</c> counts connections that ended by a
    /// RST, once each: <c>received</c> (the peer reset them) and <c>sent</c> (this side aborted them).
    /// </remarks>
    internal Action<double, double> AddTcp(TcpCounters tcp)
    {
        _meter.CreateObservableUpDownCounter("dpdksharp.net.tcp.connections", () => Observe(tcp.Connections), "{connection}", "TCP connections that exist now (TIME-WAIT included)");
        _meter.CreateObservableCounter("dpdksharp.net.tcp.opens", () => Observe((tcp.ActiveOpens, "active"), (tcp.PassiveOpens, "passive")), "{connection}", "TCP connections opened, by direction");
        _meter.CreateObservableCounter("dpdksharp.net.tcp.failed_connects", () => Observe(tcp.FailedConnects), "{connection}", "Active opens refused or timed out");
        _meter.CreateObservableCounter("dpdksharp.net.tcp.resets", () => Observe((tcp.ResetsReceived, "received"), (tcp.ResetsSent, "sent")), "{segment}", "RST segments, by direction");
        _meter.CreateObservableCounter("dpdksharp.net.tcp.segments", () => Observe((tcp.SegmentsReceived, "received"), (tcp.SegmentsSent, "sent")), "{segment}", "TCP segments, by direction");
        _meter.CreateObservableCounter("dpdksharp.net.tcp.retransmits", () => Observe(tcp.RetransmittedSegments), "{segment}", "Segments sent again");
        _meter.CreateObservableCounter("dpdksharp.net.tcp.rto", () => Observe(tcp.RetransmissionTimeouts), "{event}", "Retransmission timeouts");
        _meter.CreateObservableCounter("dpdksharp.net.tcp.recoveries", () => Observe((tcp.FastRecoveries, "fast"), (tcp.SackRecoveries, "sack")), "{event}", "Loss recoveries, by kind");
        _meter.CreateObservableCounter("dpdksharp.net.tcp.zero_windows", () => Observe(tcp.ZeroWindowEvents), "{event}", "Times a peer closed its window");
        _meter.CreateObservableCounter("dpdksharp.net.tcp.syn_cookies", () => Observe((tcp.SynCookiesSent, "sent"), (tcp.SynCookiesAccepted, "accepted")), "{segment}", "SYN cookies sent and accepted");
        _meter.CreateObservableCounter("dpdksharp.net.tcp.challenge_acks", () => Observe((tcp.ChallengeAcks, "sent"), (tcp.ChallengeAcksThrottled, "throttled")), "{segment}", "Challenge ACKs (RFC 5961)");
        _meter.CreateObservableCounter("dpdksharp.net.tcp.connections_reset", () => Observe((tcp.ConnectionsResetReceived, "received"), (tcp.ConnectionsResetSent, "sent")),
            "{connection}", "Connections ended by a RST: reset by the peer (received) or aborted by this side (sent)");
        var rtt = _meter.CreateHistogram<double>("dpdksharp.net.tcp.rtt", "ms", "Round-trip time samples");
        var srtt = _meter.CreateHistogram<double>("dpdksharp.net.tcp.srtt", "ms", "Smoothed round-trip time (RFC 6298), after each sample");
        var tag = _interfaceTag[0];
        return (sample, smoothed) =>
        {
            rtt.Record(sample, tag);
            srtt.Record(smoothed, tag);
        };
    }

    private Measurement<long>[] Observe(long value) => _disposed ? [] : [new Measurement<long>(value, _interfaceTag)];

    private Measurement<long>[] Observe((long Value, string Kind) first, (long Value, string Kind) second) => _disposed ? [] :
    [
        new Measurement<long>(first.Value, _interfaceTag[0], new("kind", first.Kind)),
        new Measurement<long>(second.Value, _interfaceTag[0], new("kind", second.Kind)),
    ];

    /// <summary>The meter the instruments are on.</summary>
    public Meter Meter => _meter;

    private Measurement<long>[] PerLayer(Func<NetLayer, long> value)
    {
        if (_disposed)
        {
            return [];
        }
        var result = new Measurement<long>[NetCounters.LayerCount];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = new Measurement<long>(value((NetLayer)i), _layerTags[i]);
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
