using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;

namespace DpdkSharp.Stack.Tests;

/// <summary>
/// Every TCP instrument under <c>DpdkSharp.Net</c> the issue names: each publishes the counter it stands
/// for, under its kind; connections reset count connections (not RST segments); the smoothed RTT has its own histogram.
/// </summary>
public class TcpMetricsTests
{
    private const string Interface = "tcp-metrics-all";

    /// <summary>Observable measurements of the interface: (instrument, kind or reason, value).</summary>
    private static List<(string Instrument, string? Kind, long Value)> Observe(string interfaceName)
    {
        var seen = new List<(string, string?, long)>();
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
            string? iface = null, kind = null;
            foreach (var t in tags)
            {
                iface = t.Key == "interface" ? (string?)t.Value : iface;
                kind = t.Key is "kind" or "reason" ? (string?)t.Value : kind;
            }
            if (iface == interfaceName)
            {
                seen.Add((instrument.Name, kind, value));
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }

    [Fact]
    public void Every_TCP_counter_is_published_under_its_instrument_and_kind()
    {
        var pool = new ArrayPacketBufferPool(16);
        using var core = new NetworkInterfaceCore(Net.Options(o => o with { Name = Interface, PublishMetrics = true }), pool, new CaptureSink(pool));
        var tcp = core.TcpCounters;
        // Distinct values, so a counter published under another's name shows.
        tcp.ActiveOpensField = 11;
        tcp.PassiveOpensField = 12;
        tcp.FailedConnectsField = 13;
        tcp.ResetsReceivedField = 14;
        tcp.ResetsSentField = 15;
        tcp.ConnectionsResetReceivedField = 16;
        tcp.ConnectionsResetSentField = 17;
        tcp.SegmentsReceivedField = 18;
        tcp.SegmentsSentField = 19;
        tcp.RetransmittedSegmentsField = 20;
        tcp.RetransmissionTimeoutsField = 21;
        tcp.FastRecoveriesField = 22;
        tcp.SackRecoveriesField = 23;
        tcp.ZeroWindowEventsField = 24;
        tcp.SynCookiesSentField = 25;
        tcp.SynCookiesAcceptedField = 26;
        tcp.ChallengeAcksField = 27;
        tcp.ChallengeAcksThrottledField = 28;
        tcp.ConnectionsField = 29;
        foreach (var (reason, count) in new[] { (DropReason.ListenQueueFull, 3), (DropReason.OutOfWindow, 4), (DropReason.ReceiveBufferFull, 5) })
        {
            for (int i = 0; i < count; i++)
            {
                core.Counters.CountDrop(reason, DropStage.Receive);
            }
        }

        var seen = Observe(Interface);

        (string, string?, long)[] expected =
        [
            ("dpdksharp.net.tcp.opens", "active", 11), ("dpdksharp.net.tcp.opens", "passive", 12),
            ("dpdksharp.net.tcp.failed_connects", null, 13),
            ("dpdksharp.net.tcp.resets", "received", 14), ("dpdksharp.net.tcp.resets", "sent", 15),
            ("dpdksharp.net.tcp.connections_reset", "received", 16), ("dpdksharp.net.tcp.connections_reset", "sent", 17),
            ("dpdksharp.net.tcp.segments", "received", 18), ("dpdksharp.net.tcp.segments", "sent", 19),
            ("dpdksharp.net.tcp.retransmits", null, 20),
            ("dpdksharp.net.tcp.rto", null, 21),
            ("dpdksharp.net.tcp.recoveries", "fast", 22), ("dpdksharp.net.tcp.recoveries", "sack", 23),
            ("dpdksharp.net.tcp.zero_windows", null, 24),
            ("dpdksharp.net.tcp.syn_cookies", "sent", 25), ("dpdksharp.net.tcp.syn_cookies", "accepted", 26),
            ("dpdksharp.net.tcp.challenge_acks", "sent", 27), ("dpdksharp.net.tcp.challenge_acks", "throttled", 28),
            ("dpdksharp.net.tcp.connections", null, 29),
            ("dpdksharp.net.drops", "ListenQueueFull", 3), ("dpdksharp.net.drops", "OutOfWindow", 4), ("dpdksharp.net.drops", "ReceiveBufferFull", 5),
        ];
        foreach (var measurement in expected)
        {
            Assert.Contains(measurement, seen);
        }
    }

    [Fact]
    public async Task A_reset_connection_counts_once_on_each_side_and_the_smoothed_RTT_is_a_histogram_of_its_own()
    {
        using var pair = new ReactorPair(buffers: 1024, change: o => o with { Name = "tcp-metrics-reset-" + (o.Address == Net.UsIp ? "us" : "peer"), PublishMetrics = true });
        var samples = new List<double>();
        var smoothed = new List<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == NetMetrics.MeterName && instrument.Name is "dpdksharp.net.tcp.rtt" or "dpdksharp.net.tcp.srtt")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            foreach (var t in tags)
            {
                if (t.Key == "interface" && Equals(t.Value, "tcp-metrics-reset-peer"))
                {
                    lock (samples)
                    {
                        (instrument.Name == "dpdksharp.net.tcp.rtt" ? samples : smoothed).Add(value);
                    }
                }
            }
        });
        listener.Start();

        using var server = new TcpSocketListener(pair.Us, 7300);
        server.Start();
        var accepting = server.AcceptTcpClientAsync().AsTask();
        var client = new TcpConnection(pair.Peer);
        await client.ConnectAsync(new IPEndPoint(ReactorPair.UsAddress, 7300)).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        using var accepted = await accepting.WaitAsync(TimeSpan.FromSeconds(20));
        var data = new byte[200_000];
        await client.SendAsync(data).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        await accepted.GetStream().ReadExactlyAsync(new byte[data.Length]).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        client.Linger = TimeSpan.Zero;
        client.Dispose(); // RST
        var error = await Assert.ThrowsAsync<SocketException>(() => accepted.ReceiveAsync(new byte[1]).AsTask().WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);

        Assert.Contains(("dpdksharp.net.tcp.connections_reset", "sent", 1L), Observe("tcp-metrics-reset-peer"));
        Assert.Contains(("dpdksharp.net.tcp.connections_reset", "received", 1L), Observe("tcp-metrics-reset-us"));
        Assert.Contains(("dpdksharp.net.tcp.connections_reset", "received", 0L), Observe("tcp-metrics-reset-peer"));
        lock (samples)
        {
            Assert.NotEmpty(samples);
            Assert.Equal(samples.Count, smoothed.Count); // one smoothed value per measurement
            Assert.Equal(samples[0], smoothed[0]);       // RFC 6298 §2.2: the first sample is SRTT
            double srtt = samples[0];
            for (int i = 1; i < samples.Count; i++)
            {
                srtt += (samples[i] - srtt) / 8;          // RFC 6298 §2.3, alpha = 1/8
                Assert.Equal(srtt, smoothed[i], 0.01);
            }
        }
    }
}
