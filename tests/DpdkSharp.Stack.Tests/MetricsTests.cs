using System.Diagnostics.Metrics;

namespace DpdkSharp.Stack.Tests;

public class MetricsTests
{
    [Fact]
    public void Counters_are_published_under_the_DpdkSharp_Net_meter()
    {
        var pool = new ArrayPacketBufferPool(16);
        using var core = new NetworkInterfaceCore(Net.Options(o => o with { Name = "metrics-test", PublishMetrics = true }), pool, new CaptureSink(pool));
        core.Receive(Build.UdpFromPeer(1, 9, [1]), At(0));          // no socket
        core.Receive(new byte[5], At(0));                          // malformed

        var seen = new List<(string Instrument, long Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == NetMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var dict = new Dictionary<string, object?>();
            foreach (var t in tags)
            {
                dict[t.Key] = t.Value;
            }
            if (Equals(dict.GetValueOrDefault("interface"), "metrics-test"))
            {
                seen.Add((instrument.Name, value, dict));
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.Contains(seen, m => m.Instrument == "dpdksharp.net.drops" && m.Value == 1 && Equals(m.Tags["reason"], "NoSocket") && Equals(m.Tags["stage"], "receive"));
        Assert.Contains(seen, m => m.Instrument == "dpdksharp.net.drops" && m.Value == 1 && Equals(m.Tags["reason"], "Malformed"));
        Assert.Contains(seen, m => m.Instrument == "dpdksharp.net.rx.packets" && m.Value == 1 && Equals(m.Tags["layer"], "udp"));
        Assert.Contains(seen, m => m.Instrument == "dpdksharp.net.rx.frames" && m.Value == 2);
        Assert.Contains(seen, m => m.Instrument == "dpdksharp.net.tx.packets" && m.Value == 1 && Equals(m.Tags["layer"], "icmp"));
    }

    [Fact]
    public void TCP_publishes_its_segments_opens_and_round_trip_times()
    {
        using var pair = new SimulatedPair(new Impairments { Delay = TimeSpan.FromMilliseconds(1) }, new Impairments { Delay = TimeSpan.FromMilliseconds(1) },
            change: o => o with { Name = "tcp-metrics-" + o.Name, PublishMetrics = true });
        var longs = new List<(string Instrument, long Value, string? Kind)>();
        var rtts = new List<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == NetMetrics.MeterName && instrument.Name.StartsWith("dpdksharp.net.tcp", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? iface = null, kind = null;
            foreach (var t in tags)
            {
                iface = t.Key == "interface" ? (string?)t.Value : iface;
                kind = t.Key == "kind" ? (string?)t.Value : kind;
            }
            if (iface == "tcp-metrics-a")
            {
                longs.Add((instrument.Name, value, kind));
            }
        });
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            foreach (var t in tags)
            {
                if (t.Key == "interface" && Equals(t.Value, "tcp-metrics-a"))
                {
                    rtts.Add(value);
                }
            }
        });
        listener.Start();

        var transfer = new Tcp.TcpTransfer(pair, 100_000, 100_000, seed: 5);
        Assert.True(transfer.Run(TimeSpan.FromSeconds(10)));
        listener.RecordObservableInstruments();

        Assert.Contains(longs, m => m.Instrument == "dpdksharp.net.tcp.opens" && m.Kind == "active" && m.Value == 1);
        Assert.Contains(longs, m => m.Instrument == "dpdksharp.net.tcp.segments" && m.Kind == "sent" && m.Value == pair.A.TcpCounters.SegmentsSent && m.Value > 0);
        Assert.NotEmpty(rtts);
        Assert.All(rtts, ms => Assert.InRange(ms, 1.9, 50)); // 1 ms each way on the simulated wire
    }

    [Fact]
    public void A_disposed_interface_reports_nothing_even_on_a_shared_meter()
    {
        using var factory = new SharedMeterFactory();
        var pool = new ArrayPacketBufferPool(16);
        var core = new NetworkInterfaceCore(Net.Options(o => o with { Name = "gone", PublishMetrics = true, MeterFactory = factory }), pool, new CaptureSink(pool));
        core.Receive(new byte[5], At(0));
        Assert.NotEmpty(Collect(factory, "gone"));

        core.Dispose(); // the factory's meter lives on: the callbacks must go quiet themselves

        Assert.Empty(Collect(factory, "gone"));
    }

    private static List<string> Collect(SharedMeterFactory factory, string interfaceName)
    {
        var seen = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, factory.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
        {
            foreach (var t in tags)
            {
                if (t.Key == "interface" && Equals(t.Value, interfaceName))
                {
                    seen.Add(instrument.Name);
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }

    /// <summary>Like the hosting factory: one cached meter per name, whose Dispose does nothing until the factory goes.</summary>
    private sealed class SharedMeterFactory : IMeterFactory
    {
        private readonly FactoryMeter _meter = new(NetMetrics.MeterName);

        public Meter Meter => _meter;

        public Meter Create(MeterOptions options) => _meter;

        public void Dispose()
        {
            _meter.Release = true;
            _meter.Dispose();
        }

        private sealed class FactoryMeter(string name) : Meter(name)
        {
            public bool Release;

            protected override void Dispose(bool disposing)
            {
                if (Release)
                {
                    base.Dispose(disposing);
                }
            }
        }
    }
}
