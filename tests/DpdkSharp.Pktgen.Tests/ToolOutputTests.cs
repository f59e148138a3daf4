using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace DpdkSharp.Pktgen.Tests;

/// <summary>The tool's outputs from a real run: sendrecv on a net_ring0 (its one ring is both its rx and tx: a loopback).</summary>
public sealed partial class ToolOutputTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_run_serves_rates_loss_and_latency_to_a_prometheus_scrape_prints_csv_rows_and_plots_an_svg()
    {
        var plot = Path.Combine(Path.GetTempPath(), $"pktgen-plot-{Guid.NewGuid():N}.svg");
        var port = FreeTcpPort();
        try
        {
            var scrape = Task.Run(() => ScrapeUntilMeasured($"http://127.0.0.1:{port}/metrics", TimeSpan.FromSeconds(60)));
            var (exit, stdout, stderr) = CommandLineTests.Run(["-l", "0", "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry", "-m", "256",
                "--log-level", "4", "--file-prefix", $"pktgen-out-{Environment.ProcessId}", "--vdev", "net_ring0",
                "--", "sendrecv", "--rate-pps", "20000", "--duration", "4", "--interval", "0.5", "--src-ports", "3000-3003",
                "--format", "csv", "--plot", plot, "--prometheus", $"http://127.0.0.1:{port}/"]);
            output.WriteLine(stdout);
            output.WriteLine(stderr);
            Assert.True(exit == 0, stdout + stderr);

            // A scrape while the run went on: the rates and latency quantiles above 0, loss there (0 on a loopback).
            var samples = await scrape;
            Assert.True(samples.Count > 0, "no scrape succeeded while the tool ran");
            foreach (var (name, value) in samples)
            {
                output.WriteLine($"{name} {value}");
            }

            Assert.Contains(samples, s => s.Name.StartsWith("pktgen_tx_rate", StringComparison.Ordinal) && s.Value > 0);
            Assert.Contains(samples, s => s.Name.StartsWith("pktgen_rx_rate", StringComparison.Ordinal) && s.Value > 0);
            Assert.Contains(samples, s => s.Name.StartsWith("pktgen_tx_packets", StringComparison.Ordinal) && s.Value > 0);
            Assert.Contains(samples, s => s.Name.StartsWith("pktgen_latency", StringComparison.Ordinal) && s.Name.Contains("quantile=\"0.99\"") && s.Value > 0);
            Assert.Contains(samples, s => s.Name.StartsWith("pktgen_lost", StringComparison.Ordinal));

            // CSV: the header once, then rows of as many fields; the summary row last with the run's totals.
            var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Equal(CsvReport.Header, lines[0]);
            Assert.True(lines.Length >= 8, stdout);
            Assert.All(lines, l => Assert.Equal(CsvReport.Header.Count(c => c == ','), l.Count(c => c == ',')));
            var summary = lines[^1].Split(',');
            Assert.Equal("summary", summary[0]);
            var sent = long.Parse(summary[7], CultureInfo.InvariantCulture);
            Assert.InRange(sent, 60_000, 100_000); // 4 s at 20000 pps
            Assert.Equal(summary[7], summary[8]); // a loopback returns every frame
            Assert.Equal("0", summary[9]);

            var polylines = XDocument.Load(plot).Descendants(XName.Get("polyline", "http://www.w3.org/2000/svg"))
                .ToDictionary(p => (string)p.Attribute("data-series")!, p => ((string)p.Attribute("points")!).Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
            Assert.Equal(lines.Length - 2, polylines["tx_pps"]); // a point per interval row
            Assert.True(polylines["latency_p99_us"] > 0);
            Assert.Contains($"plotted {polylines["tx_pps"]} intervals to {plot}", stderr);
        }
        finally
        {
            File.Delete(plot);
        }
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // Scrapes until a scrape shows every rate and the latency above 0 (or the time is up): the tool starts its
    // listener after the EAL, and the first interval takes a moment.
    private static async Task<List<(string Name, double Value)>> ScrapeUntilMeasured(string url, TimeSpan limit)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        var last = new List<(string Name, double Value)>();
        while (clock.Elapsed < limit)
        {
            try
            {
                var text = await http.GetStringAsync(url);
                var samples = Sample().Matches(text)
                    .Select(m => (Name: m.Groups["name"].Value, Value: double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture))).ToList();
                if (samples.Count > 0)
                {
                    last = samples;
                }

                bool Positive(string prefix) => samples.Any(s => s.Name.StartsWith(prefix, StringComparison.Ordinal) && s.Value > 0);
                if (Positive("pktgen_tx_rate") && Positive("pktgen_rx_rate") && Positive("pktgen_latency"))
                {
                    return samples;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet (or any more).
            }

            await Task.Delay(200);
        }

        return last;
    }

    // A sample line of the exposition format: name{labels} value [timestamp].
    [GeneratedRegex(@"^(?<name>pktgen_[A-Za-z0-9_]*(\{[^}]*\})?) (?<value>[-+0-9.eE]+)", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
