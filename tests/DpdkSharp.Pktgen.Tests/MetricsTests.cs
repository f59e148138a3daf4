using System.Diagnostics.Metrics;

namespace DpdkSharp.Pktgen.Tests;

/// <summary>The merged stats as System.Diagnostics.Metrics instruments, as dotnet-counters and OpenTelemetry read them.</summary>
public sealed class MetricsTests
{
    [Fact]
    public void The_meter_publishes_the_last_merged_totals_latency_quantiles_and_rx_per_queue()
    {
        using var metrics = new PktgenMetrics();
        var totals = new Totals { TxPackets = 1000, RxPackets = 998, Duplicates = 3, Reordered = 2, Bad = 1 };
        metrics.Update(new IntervalReport(1, 1, totals, totals, [600, 398], new LatencySummary(998, 1000, 2000, 5000, 9000, 12000),
            new LatencySummary(998, 1000, 2000, 5000, 9000, 12000), PktgenMode.SendRecv));

        var seen = new Dictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == PktgenMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var tag = tags.Length > 0 ? $"{tags[0].Key}={tags[0].Value}" : "";
            seen[$"{instrument.Name}{(tag.Length > 0 ? "[" + tag + "]" : "")}"] = value;
        });
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.Equal(1000, seen["pktgen.tx.packets"]);
        Assert.Equal(998, seen["pktgen.rx.packets"]);
        Assert.Equal(6, seen["pktgen.lost"]); // 1000 - (998 - 1 bad - 3 duplicates)
        Assert.Equal(3, seen["pktgen.duplicates"]);
        Assert.Equal(2, seen["pktgen.reordered"]);
        Assert.Equal(1, seen["pktgen.bad"]);
        Assert.Equal(5000, seen["pktgen.latency[quantile=0.99]"]);
        Assert.Equal(12000, seen["pktgen.latency[quantile=1]"]);
        Assert.Equal(398, seen["pktgen.rx.queue.packets[queue=1]"]);
    }
}
