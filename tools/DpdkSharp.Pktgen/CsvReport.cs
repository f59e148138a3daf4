using System.Globalization;

namespace DpdkSharp.Pktgen;

/// <summary>
/// CSV on standard output: the header once, a row per interval (rates, the interval's counts and latency) and a
/// last row of type <c>summary</c> with the run's totals and overall latency, so a spreadsheet or pandas reads the
/// whole run. Notes go to standard error: the table stays a table.
/// </summary>
internal sealed class CsvReport(TextWriter stdout, TextWriter stderr) : IRunOutput
{
    /// <summary>The header row.</summary>
    public const string Header =
        "type,elapsed_s,interval_s,tx_pps,rx_pps,tx_bps,rx_bps,tx_packets,rx_packets,lost,duplicates,reordered,too_old,bad,tx_skipped," +
        "latency_count,latency_p50_ns,latency_p90_ns,latency_p99_ns,latency_p999_ns,latency_max_ns";

    private bool _headerWritten;

    public void Started(string description) => WriteHeaderOnce();

    public void Note(string type, string text, params (string Name, string Value)[] fields) => stderr.WriteLine(text);

    public void Interval(IntervalReport report) => WriteRow(report, "interval", report.Delta, report.Latency);

    public void Finished(IntervalReport final)
    {
        WriteRow(final, "interval", final.Delta, final.Latency);
        WriteRow(final, "summary", final.Totals, final.OverallLatency);
    }

    /// <summary>One row: an interval's counts with its latency, or the run's totals with the overall latency.</summary>
    public static string Row(IntervalReport r, string type, Totals counts, LatencySummary latency)
    {
        // Loss is only meaningful where frames come back (sendrecv); the rates are the interval's in both row types.
        var lost = r.Mode == PktgenMode.SendRecv ? counts.Lost : 0;
        return string.Create(CultureInfo.InvariantCulture,
            $"{type},{r.Elapsed:F3},{r.Seconds:F3},{r.TxPps:F1},{r.RxPps:F1},{Bps(r.Delta.TxBytes, r.Seconds):F0},{Bps(r.Delta.RxBytes, r.Seconds):F0}," +
            $"{counts.TxPackets},{counts.RxPackets},{lost},{counts.Duplicates},{counts.Reordered},{counts.TooOld},{counts.Bad},{counts.TxSkipped}," +
            $"{latency.Count},{latency.P50},{latency.P90},{latency.P99},{latency.P999},{latency.Max}");
    }

    private static double Bps(long bytes, double seconds) => seconds > 0 ? bytes * 8 / seconds : 0;

    private void WriteRow(IntervalReport r, string type, Totals counts, LatencySummary latency)
    {
        WriteHeaderOnce();
        stdout.WriteLine(Row(r, type, counts, latency));
    }

    private void WriteHeaderOnce()
    {
        if (!_headerWritten)
        {
            stdout.WriteLine(Header);
            _headerWritten = true;
        }
    }

    public void Dispose() => stdout.Flush();
}
