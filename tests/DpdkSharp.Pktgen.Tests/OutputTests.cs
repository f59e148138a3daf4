using System.Xml.Linq;

namespace DpdkSharp.Pktgen.Tests;

/// <summary>The outputs besides JSON lines, fed reports directly: CSV rows, the live table and the SVG plot.</summary>
public sealed class OutputTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    // Three intervals of a sendrecv run: 1000 pps out, some loss in the second, latency in the first and last.
    private static IntervalReport[] Run()
    {
        var reports = new List<IntervalReport>();
        var total = default(Totals);
        for (var i = 1; i <= 3; i++)
        {
            var delta = new Totals { TxPackets = 1000, TxBytes = 64_000, RxPackets = i == 2 ? 990 : 1000, RxBytes = 64_000, Duplicates = i == 3 ? 2 : 0 };
            total = new Totals
            {
                TxPackets = total.TxPackets + delta.TxPackets, TxBytes = total.TxBytes + delta.TxBytes,
                RxPackets = total.RxPackets + delta.RxPackets, RxBytes = total.RxBytes + delta.RxBytes, Duplicates = total.Duplicates + delta.Duplicates,
            };
            var latency = i == 2 ? new LatencySummary(0, 0, 0, 0, 0, 0) : new LatencySummary(1000, 2000 * i, 3000, 5000, 9000, 100_000 * i);
            reports.Add(new IntervalReport(i, 1, delta, total, [600, 400], latency, latency, PktgenMode.SendRecv));
        }

        return [.. reports];
    }

    [Fact]
    public void Csv_output_writes_the_header_once_a_row_per_interval_and_a_summary_row_of_the_totals()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var reports = Run();
        using (var csv = new CsvReport(stdout, stderr))
        {
            csv.Started("header for people");
            csv.Note("arp", "ARP: a note for people");
            csv.Interval(reports[0]);
            csv.Interval(reports[1]);
            csv.Finished(reports[2]);
        }

        var lines = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(CsvReport.Header, lines[0]);
        Assert.Equal(1, lines.Count(l => l == CsvReport.Header));
        Assert.Equal(5, lines.Length); // header, 3 intervals, summary
        var columns = lines[0].Split(',');
        var rows = lines[1..].Select(l => columns.Zip(l.Split(',')).ToDictionary(p => p.First, p => p.Second)).ToArray();
        Assert.All(rows, r => Assert.Equal(columns.Length, r.Count));
        Assert.Equal(["interval", "interval", "interval", "summary"], rows.Select(r => r["type"]));
        Assert.Equal("1000.0", rows[0]["tx_pps"]);
        Assert.Equal("512000", rows[0]["tx_bps"]);
        Assert.Equal("10", rows[1]["lost"]); // the interval's own loss
        Assert.Equal("0", rows[1]["latency_count"]);
        Assert.Equal("3000", rows[3]["tx_packets"]); // the summary row counts the whole run
        Assert.Equal("12", rows[3]["lost"]); // 3000 sent, 2990 received of which 2 duplicates
        Assert.Equal("2", rows[3]["duplicates"]);
        Assert.Equal("300000", rows[3]["latency_max_ns"]);
        Assert.Contains("ARP: a note for people", stderr.ToString());
        Assert.DoesNotContain("header for people", stdout.ToString());
    }

    [Fact]
    public void The_live_view_draws_a_table_of_the_interval_and_the_run_then_the_summary()
    {
        var stdout = new StringWriter();
        var reports = Run();
        using (var live = new LiveView(stdout))
        {
            live.Started("port 0 net_ring0: sendrecv");
            live.Note("arp", "ARP: 198.18.0.2 is at 02:00:00:00:00:02");
            live.Interval(reports[0]);
            live.Interval(reports[1]);
            live.Finished(reports[2]);
        }

        var text = stdout.ToString();
        Assert.Contains("port 0 net_ring0: sendrecv", text);
        Assert.Contains("ARP: 198.18.0.2 is at 02:00:00:00:00:02", text);
        Assert.Contains("0.001 Mpps", text);
        Assert.Contains("3,000", text); // the run's tx total
        Assert.Contains("duplicates", text);
        Assert.Contains("600 400", text); // rx per queue
        Assert.EndsWith(RunOutputs.Summary(reports[2]), text.TrimEnd());

        var table = new StringWriter();
        Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(table) })
            .Write(LiveView.Table(reports[2]));
        Assert.Matches(@"latency µs p50/p90/p99\s*│\s*6\.0 / 3\.0 / 5\.0", table.ToString());
    }

    [Fact]
    public void The_plot_is_an_svg_with_every_series_and_a_point_per_interval_that_has_one()
    {
        var path = Path.Combine(Path.GetTempPath(), $"pktgen-plot-{Guid.NewGuid():N}.svg");
        try
        {
            var plot = new SvgPlot();
            foreach (var r in Run())
            {
                plot.Add(r);
            }

            plot.Write(path, "a test run");
            var svg = XDocument.Load(path).Root!;
            Assert.Equal(Svg + "svg", svg.Name);
            var series = svg.Descendants(Svg + "polyline").ToDictionary(p => (string)p.Attribute("data-series")!, p => (string)p.Attribute("points")!);
            Assert.Equal(SvgPlot.SeriesNames.Order(), series.Keys.Order());
            Assert.Equal(3, series["tx_pps"].Split(' ').Length);
            Assert.Equal(3, series["duplicates"].Split(' ').Length);
            Assert.Equal(2, series["latency_p99_us"].Split(' ').Length); // the interval without samples is left out
            Assert.All(series.Values.SelectMany(p => p.Split(' ')), point =>
            {
                var xy = point.Split(',').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
                Assert.True(xy.Length == 2 && xy.All(double.IsFinite) && xy[0] >= 0 && xy[1] >= 0, point);
            });
            Assert.Contains(svg.Descendants(Svg + "text"), t => t.Value == "a test run");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_plot_file_that_is_not_svg_and_a_prometheus_url_without_a_port_are_refused_before_the_run()
    {
        Assert.Contains(".svg", Assert.Throws<ArgumentException>(() => SvgPlot.CheckPath("run.png")).Message);
        Assert.Contains("http://127.0.0.1:9464/", Assert.Throws<ArgumentException>(() => PrometheusEndpoint.CheckUrl("http://127.0.0.1/")).Message);
        Assert.Equal(9464, PrometheusEndpoint.CheckUrl("http://127.0.0.1:9464/").Port);
    }
}
