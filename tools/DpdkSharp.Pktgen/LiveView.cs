using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace DpdkSharp.Pktgen;

/// <summary>
/// A table redrawn in place once per interval (Spectre.Console's live display): rates, the interval's and the
/// run's counts, latency percentiles and the rx distribution over queues. The live display runs on a thread of its
/// own, which the reader thread hands the newest report to, so a slow terminal never delays the stats merge.
/// </summary>
internal sealed class LiveView : IRunOutput
{
    private readonly IAnsiConsole _console;
    private readonly TextWriter _stdout;
    private readonly List<string> _lines = [];
    private readonly AutoResetEvent _changed = new(false);
    private readonly Thread _thread;
    private IntervalReport? _latest;
    private volatile bool _done;

    /// <summary>A live view writing to <paramref name="stdout"/> (ANSI and colours as the terminal supports them).</summary>
    public LiveView(TextWriter stdout)
    {
        _stdout = stdout;
        _console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
            Out = new AnsiConsoleOutput(stdout),
        });
        _thread = new Thread(Draw) { IsBackground = true, Name = "pktgen live view" };
    }

    public void Started(string description)
    {
        lock (_lines)
        {
            _lines.Add(description);
        }

        _thread.Start();
    }

    public void Note(string type, string text, params (string Name, string Value)[] fields)
    {
        lock (_lines)
        {
            _lines.Add(text);
        }

        _changed.Set();
    }

    public void Interval(IntervalReport report)
    {
        Volatile.Write(ref _latest, report);
        _changed.Set();
    }

    public void Finished(IntervalReport final)
    {
        Interval(final);
        Stop();
        _stdout.WriteLine(RunOutputs.Summary(final)); // one line to copy, not wrapped to the terminal's width
    }

    public void Dispose()
    {
        Stop();
        _changed.Dispose();
    }

    private void Stop()
    {
        if (_thread.IsAlive)
        {
            _done = true;
            _changed.Set();
            _thread.Join();
        }
    }

    private void Draw() =>
        _console.Live(Render()).AutoClear(false).Overflow(VerticalOverflow.Ellipsis).Start(context =>
        {
            while (true)
            {
                _changed.WaitOne();
                // Read before drawing: Finished publishes the last report before it sets _done, so when this is true
                // the drawing below shows the last report (a signal that came while drawing may have been merged).
                var done = _done;
                context.UpdateTarget(Render());
                context.Refresh();
                if (done)
                {
                    return; // the last report is drawn: it stays on the screen
                }
            }
        });

    /// <summary>What the screen shows for the newest report.</summary>
    internal IRenderable Render()
    {
        var rows = new List<IRenderable>();
        lock (_lines)
        {
            rows.AddRange(_lines.Select(line => new Markup(Markup.Escape(line))));
        }

        if (Volatile.Read(ref _latest) is { } report)
        {
            rows.Add(Table(report));
        }

        return new Rows(rows);
    }

    /// <summary>The report as a table: the interval's figures beside the run's.</summary>
    internal static Table Table(IntervalReport r)
    {
        var c = CultureInfo.InvariantCulture;
        var table = new Table().Border(TableBorder.Rounded)
            .Title(string.Create(c, $"{r.Mode.ToString().ToLowerInvariant()} {r.Elapsed:F1} s"))
            .AddColumn("").AddColumn(new TableColumn("interval").RightAligned()).AddColumn(new TableColumn("total").RightAligned());
        table.AddRow("tx", string.Create(c, $"{r.TxPps / 1e6:F3} Mpps {Gbps(r.Delta.TxBytes, r.Seconds):F3} Gbps"), Count(r.Totals.TxPackets));
        table.AddRow("rx", string.Create(c, $"{r.RxPps / 1e6:F3} Mpps {Gbps(r.Delta.RxBytes, r.Seconds):F3} Gbps"), Count(r.Totals.RxPackets));
        if (r.Mode is PktgenMode.SendRecv or PktgenMode.Rx)
        {
            Counter(table, "lost", r.Mode == PktgenMode.SendRecv ? r.Delta.Lost : 0, r.Mode == PktgenMode.SendRecv ? r.Totals.Lost : 0);
            Counter(table, "duplicates", r.Delta.Duplicates, r.Totals.Duplicates);
            Counter(table, "reordered", r.Delta.Reordered, r.Totals.Reordered);
            Counter(table, "too old", r.Delta.TooOld, r.Totals.TooOld);
            Counter(table, "bad", r.Delta.Bad, r.Totals.Bad);
        }

        Counter(table, "skipped", r.Delta.TxSkipped, r.Totals.TxSkipped);
        if (r.OverallLatency.Count > 0)
        {
            table.AddRow("latency µs p50/p90/p99", Latency(r.Latency.P50, r.Latency.P90, r.Latency.P99),
                Latency(r.OverallLatency.P50, r.OverallLatency.P90, r.OverallLatency.P99));
            table.AddRow("latency µs p99.9/max", Latency(r.Latency.P999, r.Latency.Max), Latency(r.OverallLatency.P999, r.OverallLatency.Max));
        }

        if (r.RxPerQueue.Length > 1)
        {
            table.AddRow("rx per queue", "", string.Join(' ', r.RxPerQueue.Select(Count)));
        }

        return table;
    }

    // Anything that should stay 0 turns red when it is not.
    private static void Counter(Table table, string name, long interval, long total) =>
        table.AddRow(new Text(name), new Markup(total == 0 ? Count(interval) : $"[red]{Count(interval)}[/]"),
            new Markup(total == 0 ? Count(total) : $"[red]{Count(total)}[/]"));

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static double Gbps(long bytes, double seconds) => seconds > 0 ? bytes * 8 / seconds / 1e9 : 0;

    private static string Latency(params long[] nanoseconds) =>
        string.Join(" / ", nanoseconds.Select(ns => (ns / 1e3).ToString("F1", CultureInfo.InvariantCulture)));
}
