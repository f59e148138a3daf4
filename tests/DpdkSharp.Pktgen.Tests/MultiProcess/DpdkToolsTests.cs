using System.Text.Json;
using System.Text.RegularExpressions;
using DpdkSharp.Runtime;
using DpdkSharp.Wire;
using Xunit.Abstractions;

namespace DpdkSharp.Pktgen.Tests.MultiProcess;

/// <summary>
/// DPDK's own tools (Debian's dpdk-dev) attached as secondary processes to a running DpdkSharp app, dpdksharp-pktgen
/// in tx mode on net_null started with <c>--multi-process</c> on hugepages the test reserves and mounts:
/// dpdk-dumpcap captures its frames, dpdk-proc-info and dpdk-telemetry.py read its port's counters, which agree
/// with the app's own.
/// </summary>
public sealed class DpdkToolsTests(ITestOutputHelper output)
{
    private const int CapturedFrames = 100;
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(90);
    private static readonly MacAddress SourceMac = MacAddress.Parse("02:00:00:00:00:01");

    [Fact]
    public void Dumpcap_proc_info_and_telemetry_attach_to_a_running_pktgen_primary_and_agree_with_its_counters()
    {
        var prefix = $"dpdksharp-mp-{Environment.ProcessId}-{Guid.NewGuid():N}"[..32];
        var capture = Path.Combine(Path.GetTempPath(), $"{prefix}.pcapng");
        try
        {
            using var hugepages = new Hugepages(256);
            // Two lcores: the worker runs on an EAL worker lcore (a thread of the tool's own would be refused, see below).
            using (var primary = PktgenPrimary.Start(["-l", "0-1", "--huge-dir", hugepages.MountPoint, "--file-prefix", prefix,
                "--log-level", "4", "--vdev", "net_null0",
                "--", "tx", "--multi-process", "--rate-pps", "2000", "--duration", "300", "--interval", "0.5", "--json",
                "--src-mac", SourceMac.ToString(), "--mbufs", "4095"]))
            {
                primary.WaitForReport(0, TimeSpan.FromMinutes(2));

                var dumpcap = ToolProcess.Check("dpdk-dumpcap", [$"--file-prefix={prefix}", "-i", "net_null0", "-p", "-c",
                    CapturedFrames.ToString(System.Globalization.CultureInfo.InvariantCulture), "-w", capture], ToolTimeout);
                output.WriteLine("dpdk-dumpcap: " + dumpcap);
                CheckCapture(PcapngFile.Read(capture));

                var before = PktgenPrimary.TxPackets(primary.WaitForReport(primary.ReportCount - 1, TimeSpan.Zero));
                var procInfo = ToolProcess.Check("dpdk-proc-info", ["--file-prefix", prefix, "--no-pci", "--log-level", "4", "--", "--stats"], ToolTimeout);
                var telemetry = ToolProcess.Check("dpdk-telemetry.py", ["-f", prefix], ToolTimeout, stdin: "/ethdev/list\n/ethdev/stats,0\n");
                var after = PktgenPrimary.TxPackets(primary.WaitForReport(primary.ReportCount, TimeSpan.FromSeconds(30)));
                output.WriteLine($"dpdk-proc-info: {procInfo}\ndpdk-telemetry.py: {telemetry}\napp's tx before {before}, after {after}");

                var procInfoTx = long.Parse(Regex.Match(procInfo.Stdout, @"TX-packets:\s+(\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                Assert.InRange(procInfoTx, Math.Max(before, 1), after);

                var replies = telemetry.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(line => JsonDocument.Parse(line).RootElement).ToList();
                Assert.Equal(2, replies.Count);
                Assert.Equal([0], replies[0].GetProperty("/ethdev/list").EnumerateArray().Select(port => port.GetInt32()));
                var telemetryTx = replies[1].GetProperty("/ethdev/stats").GetProperty("opackets").GetInt64();
                Assert.InRange(telemetryTx, procInfoTx, after);

                var (exit, summary, stderr) = primary.Interrupt(TimeSpan.FromMinutes(1));
                Assert.True(exit == 0, stderr);
                Assert.Equal("summary", summary.GetProperty("type").GetString());
                Assert.True(PktgenPrimary.TxPackets(summary) >= after, summary.ToString());
                Assert.DoesNotContain("still in use", stderr); // every mbuf back in the app's pool
            }
        }
        finally
        {
            File.Delete(capture);
            DeleteRuntimeDirectory(prefix);
        }
    }

    [Fact]
    public void A_multi_process_primary_asked_for_with_no_huge_is_refused_with_what_to_do()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException("The pktgen tests need root (DPDK maps memory and creates devices). Run them as root.");
        }

        var result = ToolProcess.Run("dotnet", ["exec", typeof(PktgenSession).Assembly.Location, "-l", "0", "--no-huge",
            "--file-prefix", $"dpdksharp-mp-refused-{Environment.ProcessId}", "--vdev", "net_null0", "--", "tx", "--multi-process", "--duration", "1"],
            ToolTimeout);
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("MultiProcess cannot work with the EAL argument '--no-huge'", result.Stderr);
        Assert.Contains("mount -t hugetlbfs", result.Stderr);
    }

    [Fact]
    public void A_multi_process_primary_with_a_worker_on_a_thread_of_its_own_fails_with_why_instead_of_locking_secondaries_out()
    {
        var prefix = $"dpdksharp-mp-{Environment.ProcessId}-{Guid.NewGuid():N}"[..32];
        try
        {
            using var hugepages = new Hugepages(128);
            // One lcore: the worker would need rte_thread_register, which turns multi-process off for good.
            var result = ToolProcess.Run("dotnet", ["exec", typeof(PktgenSession).Assembly.Location, "-l", "0", "--huge-dir", hugepages.MountPoint,
                "--file-prefix", prefix, "--log-level", "4", "--vdev", "net_null0", "--", "tx", "--multi-process", "--duration", "5",
                "--mbufs", "4095"], ToolTimeout);
            Assert.True(result.ExitCode == 1, result.ToString());
            Assert.Contains("cannot make a thread of its own an lcore", result.Stderr);
            Assert.Contains("EAL worker lcore", result.Stderr);
        }
        finally
        {
            DeleteRuntimeDirectory(prefix);
        }
    }

    // The primary leaves its runtime files (config, telemetry socket) behind; the prefix is the test's own.
    private static void DeleteRuntimeDirectory(string prefix)
    {
        var runtimeDirectory = Path.Combine("/var/run/dpdk", prefix);
        if (Directory.Exists(runtimeDirectory))
        {
            Directory.Delete(runtimeDirectory, recursive: true);
        }
    }

    // The frames dumpcap wrote are the ones pktgen made, going out of net_null0, with nanosecond timestamps.
    private void CheckCapture(PcapngFile file)
    {
        output.WriteLine($"capture: interfaces {string.Join(", ", file.Interfaces)}, {file.Packets.Count} packets");
        Assert.Equal(PcapngFile.SectionHeader, file.BlockTypes[0]);
        Assert.InRange(file.Packets.Count, CapturedFrames, CapturedFrames + 64); // dumpcap stops after the burst that reaches -c
        var settings = new PktgenSettings();
        var templates = new FrameTemplates([64], SourceMac, settings.DestinationMac, settings.SourceIp, settings.DestinationIp,
            settings.DestinationPort, settings.Seed);
        foreach (var packet in file.Packets)
        {
            Assert.Equal("dpdk:0", file.Interfaces[(int)packet.InterfaceId].Name); // 22.11's dumpcap names interfaces by port id
            Assert.Equal(9, file.Interfaces[(int)packet.InterfaceId].TimestampResolution);
            Assert.Equal((uint)PcapngDirection.Outbound, packet.Flags & 3);
            Assert.True(PacketFormat.TryRead(packet.Data, templates, out _, out _, out _), "a captured frame is not one pktgen made");
        }
    }
}
