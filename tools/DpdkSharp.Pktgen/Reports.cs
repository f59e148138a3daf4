using System.Globalization;
using System.Text;
using System.Text.Json;
using HdrHistogram;

namespace DpdkSharp.Pktgen;

/// <summary>Counters summed over the workers (or a difference of two such sums).</summary>
public struct Totals
{
    /// <summary>Frames transmitted.</summary>
    public long TxPackets;
    /// <summary>Bytes transmitted (with FCS).</summary>
    public long TxBytes;
    /// <summary>Frames received.</summary>
    public long RxPackets;
    /// <summary>Bytes received (with FCS).</summary>
    public long RxBytes;
    /// <summary>Bad payloads.</summary>
    public long Bad;
    /// <summary>Duplicates.</summary>
    public long Duplicates;
    /// <summary>Reordered frames.</summary>
    public long Reordered;
    /// <summary>Frames older than the sequence window.</summary>
    public long TooOld;
    /// <summary>Packets the rate schedule skipped (sender behind) or a reflector dropped.</summary>
    public long TxSkipped;
    /// <summary>Bytes the workers allocated in their loops after warm-up.</summary>
    public long AllocatedBytes;
    /// <summary>ARP requests a reflector answered.</summary>
    public long ArpAnswered;
    /// <summary>ARP frames a reflector dropped (not a request for its address).</summary>
    public long ArpIgnored;

    /// <summary>Received frames that were ours and new: what loss is counted against.</summary>
    public readonly long RxUnique => RxPackets - Bad - Duplicates;

    /// <summary>Transmitted but not received (sendrecv; meaningful once the run has drained).</summary>
    public readonly long Lost => Math.Max(0, TxPackets - RxUnique);

    internal void Add(ref WorkerCounters c)
    {
        TxPackets += Volatile.Read(ref c.TxPackets);
        TxBytes += Volatile.Read(ref c.TxBytes);
        RxPackets += Volatile.Read(ref c.RxPackets);
        RxBytes += Volatile.Read(ref c.RxBytes);
        Bad += Volatile.Read(ref c.Bad);
        Duplicates += Volatile.Read(ref c.Duplicates);
        Reordered += Volatile.Read(ref c.Reordered);
        TooOld += Volatile.Read(ref c.TooOld);
        TxSkipped += Volatile.Read(ref c.TxSkipped);
        AllocatedBytes += Volatile.Read(ref c.AllocatedBytes);
        ArpAnswered += Volatile.Read(ref c.ArpAnswered);
        ArpIgnored += Volatile.Read(ref c.ArpIgnored);
    }

    internal readonly Totals Minus(Totals before) => new()
    {
        TxPackets = TxPackets - before.TxPackets,
        TxBytes = TxBytes - before.TxBytes,
        RxPackets = RxPackets - before.RxPackets,
        RxBytes = RxBytes - before.RxBytes,
        Bad = Bad - before.Bad,
        Duplicates = Duplicates - before.Duplicates,
        Reordered = Reordered - before.Reordered,
        TooOld = TooOld - before.TooOld,
        TxSkipped = TxSkipped - before.TxSkipped,
        AllocatedBytes = AllocatedBytes - before.AllocatedBytes,
        ArpAnswered = ArpAnswered - before.ArpAnswered,
        ArpIgnored = ArpIgnored - before.ArpIgnored,
    };
}

/// <summary>Latency percentiles in nanoseconds.</summary>
public sealed record LatencySummary(long Count, long P50, long P90, long P99, long P999, long Max)
{
    /// <summary>The percentiles of <paramref name="histogram"/> (all 0 when it is empty).</summary>
    public static LatencySummary From(HistogramBase histogram) => histogram.TotalCount == 0
        ? new LatencySummary(0, 0, 0, 0, 0, 0)
        : new LatencySummary(histogram.TotalCount, histogram.GetValueAtPercentile(50), histogram.GetValueAtPercentile(90),
            histogram.GetValueAtPercentile(99), histogram.GetValueAtPercentile(99.9), histogram.GetMaxValue());
}

/// <summary>One interval: what changed (<see cref="Delta"/>) and the totals so far.</summary>
public sealed record IntervalReport(double Elapsed, double Seconds, Totals Delta, Totals Totals, long[] RxPerQueue,
    LatencySummary Latency, LatencySummary OverallLatency, PktgenMode Mode)
{
    /// <summary>Transmit rate of the interval.</summary>
    public double TxPps => Seconds > 0 ? Delta.TxPackets / Seconds : 0;

    /// <summary>Receive rate of the interval.</summary>
    public double RxPps => Seconds > 0 ? Delta.RxPackets / Seconds : 0;

    /// <summary>One JSON object on one line.</summary>
    public string ToJson(string kind = "interval")
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("type", kind);
            json.WriteString("mode", Mode.ToString().ToLowerInvariant());
            json.WriteNumber("elapsed_s", Math.Round(Elapsed, 3));
            json.WriteNumber("interval_s", Math.Round(Seconds, 3));
            json.WriteNumber("tx_pps", Math.Round(TxPps, 1));
            json.WriteNumber("rx_pps", Math.Round(RxPps, 1));
            json.WriteNumber("tx_bps", Math.Round(Seconds > 0 ? Delta.TxBytes * 8 / Seconds : 0));
            json.WriteNumber("rx_bps", Math.Round(Seconds > 0 ? Delta.RxBytes * 8 / Seconds : 0));
            WriteCounters(json, "interval", Delta);
            WriteCounters(json, "total", Totals);
            json.WriteStartArray("rx_per_queue");
            foreach (var q in RxPerQueue)
            {
                json.WriteNumberValue(q);
            }

            json.WriteEndArray();
            WriteLatency(json, "latency_ns", Latency);
            WriteLatency(json, "latency_ns_overall", OverallLatency);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The plain console line.</summary>
    public string ToConsoleLine()
    {
        var c = CultureInfo.InvariantCulture;
        var line = new StringBuilder();
        line.Append(c, $"{Elapsed,7:F1}s  tx {TxPps / 1e6,8:F3} Mpps {(Seconds > 0 ? Delta.TxBytes * 8 / Seconds / 1e9 : 0),7:F3} Gbps");
        line.Append(c, $"  rx {RxPps / 1e6,8:F3} Mpps");
        if (Mode is PktgenMode.SendRecv or PktgenMode.Rx)
        {
            line.Append(c, $"  lost {(Mode == PktgenMode.SendRecv ? Totals.Lost : 0)} dup {Totals.Duplicates} reord {Totals.Reordered} old {Totals.TooOld} bad {Totals.Bad}");
        }

        if (Latency.Count > 0)
        {
            line.Append(c, $"  lat us p50 {Latency.P50 / 1e3:F1} p90 {Latency.P90 / 1e3:F1} p99 {Latency.P99 / 1e3:F1} p99.9 {Latency.P999 / 1e3:F1} max {Latency.Max / 1e3:F1}");
        }

        if (RxPerQueue.Length > 1)
        {
            line.Append("  rxq [").Append(string.Join(' ', RxPerQueue)).Append(']');
        }

        return line.ToString();
    }

    private static void WriteCounters(Utf8JsonWriter json, string name, Totals t) => WriteObject(json, name,
        ("tx_packets", t.TxPackets), ("tx_bytes", t.TxBytes), ("rx_packets", t.RxPackets), ("rx_bytes", t.RxBytes), ("lost", t.Lost),
        ("duplicates", t.Duplicates), ("reordered", t.Reordered), ("too_old", t.TooOld), ("bad", t.Bad), ("tx_skipped", t.TxSkipped),
        ("allocated_bytes", t.AllocatedBytes), ("arp_answered", t.ArpAnswered), ("arp_ignored", t.ArpIgnored));

    private static void WriteLatency(Utf8JsonWriter json, string name, LatencySummary l) => WriteObject(json, name,
        ("count", l.Count), ("p50", l.P50), ("p90", l.P90), ("p99", l.P99), ("p99_9", l.P999), ("max", l.Max));

    private static void WriteObject(Utf8JsonWriter json, string name, params ReadOnlySpan<(string Name, long Value)> fields)
    {
        json.WriteStartObject(name);
        foreach (var (field, value) in fields)
        {
            json.WriteNumber(field, value);
        }

        json.WriteEndObject();
    }
}
