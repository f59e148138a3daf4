using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DpdkSharp.Pktgen;

/// <summary>How the tool writes its progress to standard output.</summary>
public enum OutputFormat
{
    /// <summary>One plain line per interval (the default when standard output is not a terminal).</summary>
    Text,
    /// <summary>One JSON object per line: intervals, notes, the summary.</summary>
    Json,
    /// <summary>CSV: a header once, then one row per interval and a summary row (notes go to standard error).</summary>
    Csv,
    /// <summary>A table redrawn in place (Spectre.Console; the default when standard output is a terminal).</summary>
    Live,
}

/// <summary>Where a run's header, notes, intervals and summary go: one implementation per <see cref="OutputFormat"/>.</summary>
internal interface IRunOutput : IDisposable
{
    /// <summary>The run's description, once, before the first interval.</summary>
    void Started(string description);

    /// <summary>Something that happened besides the counters (an ARP resolution, where the capture went).</summary>
    void Note(string type, string text, params (string Name, string Value)[] fields);

    /// <summary>One interval's report (the reader thread).</summary>
    void Interval(IntervalReport report);

    /// <summary>The run's last report, whose totals are the run's.</summary>
    void Finished(IntervalReport final);
}

/// <summary>Makes the output a format asks for.</summary>
internal static class RunOutputs
{
    /// <summary>
    /// The format to use: the one asked for, else <see cref="OutputFormat.Live"/> when the tool writes to the
    /// process's standard output and that is a terminal, else <see cref="OutputFormat.Text"/>.
    /// </summary>
    public static OutputFormat Choose(OutputFormat? asked, TextWriter stdout) =>
        asked ?? (ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected ? OutputFormat.Live : OutputFormat.Text);

    public static IRunOutput Create(OutputFormat format, TextWriter stdout, TextWriter stderr) => format switch
    {
        OutputFormat.Json => new JsonLinesOutput(stdout),
        OutputFormat.Csv => new CsvReport(stdout, stderr),
        OutputFormat.Live => new LiveView(stdout),
        _ => new TextOutput(stdout),
    };

    /// <summary>The run's totals and overall latency on one line.</summary>
    public static string Summary(IntervalReport r) =>
        string.Create(CultureInfo.InvariantCulture,
            $"total: tx {r.Totals.TxPackets} rx {r.Totals.RxPackets} lost {(r.Mode == PktgenMode.SendRecv ? r.Totals.Lost : 0)} " +
            $"dup {r.Totals.Duplicates} reord {r.Totals.Reordered} bad {r.Totals.Bad} skipped {r.Totals.TxSkipped} " +
            $"allocated {r.Totals.AllocatedBytes} B; latency ns p50 {r.OverallLatency.P50} p90 {r.OverallLatency.P90} " +
            $"p99 {r.OverallLatency.P99} p99.9 {r.OverallLatency.P999} max {r.OverallLatency.Max} ({r.OverallLatency.Count} samples)");
}

/// <summary>Plain lines: <see cref="IntervalReport.ToConsoleLine"/> per interval, then the summary.</summary>
internal sealed class TextOutput(TextWriter stdout) : IRunOutput
{
    public void Started(string description) => stdout.WriteLine(description);

    public void Note(string type, string text, params (string Name, string Value)[] fields) => stdout.WriteLine(text);

    public void Interval(IntervalReport report) => stdout.WriteLine(report.ToConsoleLine());

    public void Finished(IntervalReport final)
    {
        stdout.WriteLine(final.ToConsoleLine());
        stdout.WriteLine(RunOutputs.Summary(final));
    }

    public void Dispose()
    {
    }
}

/// <summary>JSON lines: <see cref="IntervalReport.ToJson"/> per interval, notes as objects of their type, then the summary.</summary>
internal sealed class JsonLinesOutput(TextWriter stdout) : IRunOutput
{
    // A machine reads this: the description is for people and says nothing the summary does not.
    public void Started(string description)
    {
    }

    public void Note(string type, string text, params (string Name, string Value)[] fields)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("type", type);
            foreach (var (name, value) in fields)
            {
                json.WriteString(name, value);
            }

            json.WriteEndObject();
        }

        stdout.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }

    public void Interval(IntervalReport report) => stdout.WriteLine(report.ToJson());

    public void Finished(IntervalReport final)
    {
        stdout.WriteLine(final.ToJson());
        stdout.WriteLine(final.ToJson("summary"));
    }

    public void Dispose()
    {
    }
}
