using System.Diagnostics.Metrics;

namespace DpdkSharp.Pktgen;

/// <summary>
/// The run's counters under the meter <c>DpdkSharp.Pktgen</c> (dotnet-counters, OpenTelemetry): observable
/// instruments read from the last merged report, so the packet path never sees the metrics.
/// </summary>
public sealed class PktgenMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "DpdkSharp.Pktgen";

    private readonly Meter _meter = new(MeterName);
    private IntervalReport? _last;

    /// <summary>Creates the instruments.</summary>
    public PktgenMetrics()
    {
        Counter("pktgen.tx.packets", "{packet}", t => t.TxPackets, "Frames transmitted");
        Counter("pktgen.tx.bytes", "By", t => t.TxBytes, "Bytes transmitted, with FCS");
        Counter("pktgen.rx.packets", "{packet}", t => t.RxPackets, "Frames received");
        Counter("pktgen.rx.bytes", "By", t => t.RxBytes, "Bytes received, with FCS");
        Counter("pktgen.lost", "{packet}", t => t.Lost, "Frames sent and not received");
        Counter("pktgen.duplicates", "{packet}", t => t.Duplicates, "Duplicate frames");
        Counter("pktgen.reordered", "{packet}", t => t.Reordered, "Reordered frames");
        Counter("pktgen.bad", "{packet}", t => t.Bad, "Frames with a bad payload");
        Rate("pktgen.tx.rate", r => r.TxPps, "Frames transmitted per second over the last interval");
        Rate("pktgen.rx.rate", r => r.RxPps, "Frames received per second over the last interval");
        _meter.CreateObservableGauge("pktgen.latency", () =>
        {
            var l = Volatile.Read(ref _last)?.Latency;
            return l is null || l.Count == 0
                ? []
                : new[]
                {
                    new Measurement<long>(l.P50, new KeyValuePair<string, object?>("quantile", "0.5")),
                    new Measurement<long>(l.P90, new KeyValuePair<string, object?>("quantile", "0.9")),
                    new Measurement<long>(l.P99, new KeyValuePair<string, object?>("quantile", "0.99")),
                    new Measurement<long>(l.P999, new KeyValuePair<string, object?>("quantile", "0.999")),
                    new Measurement<long>(l.Max, new KeyValuePair<string, object?>("quantile", "1")),
                };
        }, "ns", "Latency over the last interval, by quantile");
        _meter.CreateObservableGauge("pktgen.rx.queue.packets", () =>
            (Volatile.Read(ref _last)?.RxPerQueue ?? []).Select((n, q) => new Measurement<long>(n, new KeyValuePair<string, object?>("queue", q))),
            "{packet}", "Frames received per queue (RSS distribution)");
    }

    /// <summary>Publishes a merged report (the reader thread, once per interval).</summary>
    public void Update(IntervalReport report) => Volatile.Write(ref _last, report);

    private void Counter(string name, string unit, Func<Totals, long> read, string description) =>
        _meter.CreateObservableCounter(name, () => Volatile.Read(ref _last) is { } r ? read(r.Totals) : 0L, unit, description);

    private void Rate(string name, Func<IntervalReport, double> read, string description) =>
        _meter.CreateObservableGauge(name, () => Volatile.Read(ref _last) is { } r ? read(r) : 0.0, "{packet}/s", description);

    /// <inheritdoc/>
    public void Dispose() => _meter.Dispose();
}
