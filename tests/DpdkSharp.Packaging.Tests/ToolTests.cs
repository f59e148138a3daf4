using DpdkSharp.Packaging.Tests.Infrastructure;

namespace DpdkSharp.Packaging.Tests;

/// <summary>The tools install from the feed the way their readmes say and run: dpdksharp-gen with libclang, dpdksharp-pktgen with DPDK.</summary>
[Collection(PackedFeedCollection.Name)]
public sealed class ToolTests(PackedFeed feed)
{
    [Fact]
    public void The_dpdksharp_gen_tool_installs_from_the_feed_prints_its_help_and_binds_a_real_header()
    {
        var work = feed.NewFolder("tool");
        var tools = Path.Combine(work, "tools");
        var install = Tool.Check("dotnet", ["tool", "install", "--tool-path", tools, "--add-source", feed.Feed, "dpdksharp-gen"],
            TimeSpan.FromMinutes(3), work, feed.Environment);
        Assert.Contains(feed.Version, install.Output);
        Assert.Contains("dpdksharp-gen", Tool.Check("dotnet", ["tool", "list", "--tool-path", tools], TimeSpan.FromMinutes(1), work).Output);

        var gen = Path.Combine(tools, "dpdksharp-gen");
        var help = Tool.Check(gen, ["--help"], TimeSpan.FromMinutes(1), work);
        Assert.Contains("--output", help.Output);
        Assert.Contains("--header", help.Output);

        // zlib's header (eng/setup.sh installs zlib1g-dev): parsed by the libclang the tool loads.
        var output = Path.Combine(work, "zlib");
        var run = Tool.Check(gen, ["--header", "zlib.h", "--clang-arg", "-I/usr/include", "--output", output,
            "--namespace", "Zlib.Interop", "--class", "Z", "--library", "z"], TimeSpan.FromMinutes(1), work);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(output, "cs"), "*.cs"));
        Assert.Contains("deflate", string.Concat(Directory.GetFiles(Path.Combine(output, "cs"), "*.cs").Select(File.ReadAllText)));
        Assert.True(File.Exists(Path.Combine(output, "native", "layout_check.c")), run.All);
    }

    [Fact]
    public void The_dpdksharp_pktgen_tool_installs_from_the_feed_and_generates_at_a_rate_on_net_null()
    {
        var work = feed.NewFolder("pktgen");
        var tools = Path.Combine(work, "tools");
        Tool.Check("dotnet", ["tool", "install", "--tool-path", tools, "--add-source", feed.Feed, "dpdksharp-pktgen"],
            TimeSpan.FromMinutes(3), work, feed.Environment);
        var pktgen = Path.Combine(tools, "dpdksharp-pktgen");
        Assert.Contains("--rate-pps", Tool.Check(pktgen, ["--", "--help"], TimeSpan.FromMinutes(1), work).Output);

        // The native shim travels inside the tool package: the EAL starts and frames go out at the rate asked.
        var run = Tool.Check(pktgen, ["-l", "0", "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry", "-m", "256", "--vdev", "net_null0",
            "--", "tx", "--rate-pps", "1000", "--duration", "2", "--json"], TimeSpan.FromMinutes(1), work);
        using var summary = System.Text.Json.JsonDocument.Parse(run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
        Assert.Equal("summary", summary.RootElement.GetProperty("type").GetString());
        Assert.InRange(summary.RootElement.GetProperty("total").GetProperty("tx_packets").GetInt64(), 1900, 2300); // 2 s at 1000 pps, and the stop

        // The managed dependencies travel in the tool package too: Spectre.Console (the live view) and OpenTelemetry's
        // Prometheus exporter load and run, and the plot is written.
        var plot = Path.Combine(work, "run.svg");
        using (var free = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            free.Start();
            var port = ((System.Net.IPEndPoint)free.LocalEndpoint).Port;
            free.Stop();
            var live = Tool.Check(pktgen, ["-l", "0", "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry", "-m", "256", "--vdev", "net_null0",
                "--", "tx", "--rate-pps", "1000", "--duration", "2", "--format", "live", "--plot", plot, "--prometheus", $"http://127.0.0.1:{port}/"],
                TimeSpan.FromMinutes(1), work);
            Assert.Contains("total: tx ", live.Output);
            Assert.Contains("Mpps", live.Output);
        }

        Assert.Equal("svg", System.Xml.Linq.XDocument.Load(plot).Root!.Name.LocalName);
    }
}
