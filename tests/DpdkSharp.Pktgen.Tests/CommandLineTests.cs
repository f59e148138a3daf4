using System.Diagnostics;
using System.Text.Json;

namespace DpdkSharp.Pktgen.Tests;

/// <summary>The tool as users run it: a process with EAL arguments, --, then the tool's options.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public void The_tool_runs_tx_on_net_null_from_eal_arguments_and_options_and_prints_json_lines_and_a_capture()
    {
        var capture = Path.Combine(Path.GetTempPath(), $"pktgen-cli-{Guid.NewGuid():N}.pcapng");
        try
        {
            var (exit, stdout, stderr) = Run(["-l", "0", "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry", "-m", "256", "--log-level", "4",
                "--file-prefix", $"pktgen-cli-{Environment.ProcessId}", "--vdev", "net_null0",
                "--", "tx", "--rate-pps", "5000", "--duration", "2", "--interval", "0.5", "--sizes", "imix", "--src-ports", "2000-2003",
                "--json", "--capture", capture]);
            Assert.True(exit == 0, stdout + stderr);
            var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.True(lines.Count >= 3, stdout);
            var summary = lines[^1];
            Assert.Equal("summary", summary.GetProperty("type").GetString());
            Assert.Equal("tx", summary.GetProperty("mode").GetString());
            var sent = summary.GetProperty("total").GetProperty("tx_packets").GetInt64();
            Assert.InRange(sent, 8000, 11000); // 2 s at 5000 pps, plus start and stop
            Assert.Equal(sent, PcapngFile.Read(capture).Packets.Count);
        }
        finally
        {
            File.Delete(capture);
        }
    }

    [Fact]
    public void Bad_tool_options_fail_with_a_message_before_the_eal_starts()
    {
        var (exit, _, stderr) = Run(["--", "sendrecv", "--sizes", "32"]);
        Assert.Equal(1, exit);
        Assert.Contains("Frame sizes", stderr);
    }

    internal static (int Exit, string Stdout, string Stderr) Run(string[] args) => Start(args).Finish();

    /// <summary>Starts the tool as users run it (root needed: it starts the EAL); <see cref="ToolProcess.Finish"/> waits for it.</summary>
    internal static ToolProcess Start(string[] args)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException("The pktgen tests need root (DPDK maps memory and creates devices). Run them as root.");
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(typeof(PktgenSession).Assembly.Location);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start)!;
        return new ToolProcess(process, process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
    }
}

/// <summary>A running dpdksharp-pktgen with its output being read.</summary>
internal sealed record ToolProcess(Process Process, Task<string> Stdout, Task<string> Stderr)
{
    /// <summary>Waits (2 minutes at most, then kills it) and returns the exit code and output.</summary>
    public (int Exit, string Stdout, string Stderr) Finish()
    {
        using (Process)
        {
            if (!Process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                Process.Kill(entireProcessTree: true);
                throw new TimeoutException("dpdksharp-pktgen did not finish in 2 minutes");
            }

            return (Process.ExitCode, Stdout.Result, Stderr.Result);
        }
    }
}
