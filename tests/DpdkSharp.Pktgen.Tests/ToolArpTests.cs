using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;

namespace DpdkSharp.Pktgen.Tests;

/// <summary>The tool resolving its destination's MAC by ARP: from the Linux kernel on net_tap, and nobody answering.</summary>
public sealed class ToolArpTests(ITestOutputHelper output)
{
    [Fact]
    public void Tx_to_a_dst_ip_without_dst_mac_learns_the_kernels_mac_by_arp_on_net_tap_in_a_namespace()
    {
        var iface = $"pkarp{Environment.ProcessId % 100000}";
        var netns = $"pktgen-arp-{Environment.ProcessId}";
        Ip("netns", "add", netns);
        try
        {
            var start = CommandLineTests.Start(["-l", "0", "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry", "-m", "256", "--log-level", "4",
                "--file-prefix", $"pktgen-arp-{Environment.ProcessId}", "--vdev", $"net_tap0,iface={iface}",
                "--", "tx", "--dst-ip", "10.198.0.2", "--src-ip", "10.198.0.1", "--src-mac", "02:00:00:00:01:01", "--rate-pps", "1000",
                "--duration", "1", "--format", "json", "--arp-attempts", "120", "--arp-wait-ms", "250"]);
            // The kernel end of the tap is up once the tool has started the port (the PMD sets it up by name, so it must
            // still be here then); moved into the namespace with an address, the kernel answers the requests the tool
            // keeps sending (120 x 250 ms bounds the wait).
            var clock = Stopwatch.StartNew();
            while (RunIp(["-o", "link", "show", iface]) is not (0, var link) || !(link.Contains(",UP", StringComparison.Ordinal) || link.Contains("<UP", StringComparison.Ordinal)))
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(60) || start.Process.HasExited)
                {
                    Assert.Fail("the tool brought no tap interface up: " + start.Finish().Stderr);
                }

                Thread.Sleep(20);
            }

            Ip("link", "set", iface, "netns", netns);
            Ip("-n", netns, "addr", "add", "10.198.0.2/24", "dev", iface);
            Ip("-n", netns, "link", "set", iface, "up");
            var kernelMac = IpOutput("-n", netns, "-br", "link", "show", iface).Split(' ', StringSplitOptions.RemoveEmptyEntries)[2];

            var (exit, stdout, stderr) = start.Finish();
            output.WriteLine(stdout);
            output.WriteLine(stderr);
            Assert.True(exit == 0, stdout + stderr);
            var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList(); // DPDK's log goes to stderr
            var arp = Assert.Single(lines, l => l.GetProperty("type").GetString() == "arp");
            Assert.Equal("10.198.0.2", arp.GetProperty("ip").GetString());
            Assert.Equal(kernelMac, arp.GetProperty("mac").GetString(), ignoreCase: true);
            Assert.True(lines[^1].GetProperty("total").GetProperty("tx_packets").GetInt64() > 500, stdout);
            Assert.DoesNotContain("mbufs still in use", stderr);
        }
        finally
        {
            TryIp("netns", "del", netns); // the tap went with the tool's process
        }
    }

    [Fact]
    public void A_dst_ip_nobody_answers_fails_after_the_arp_attempts_with_a_message_naming_it_and_every_mbuf_back()
    {
        var (exit, stdout, stderr) = CommandLineTests.Run(["-l", "0", "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry", "-m", "256",
            "--log-level", "4", "--file-prefix", $"pktgen-noarp-{Environment.ProcessId}", "--vdev", "net_null0",
            "--", "sendrecv", "--dst-ip", "198.18.7.7", "--arp-attempts", "3", "--arp-wait-ms", "100", "--duration", "1"]);
        output.WriteLine(stdout);
        output.WriteLine(stderr);
        Assert.Equal(1, exit);
        Assert.Contains("No ARP answer for 198.18.7.7", stderr);
        Assert.Contains("after 3 request(s) 100 ms apart", stderr);
        Assert.Contains("--dst-mac", stderr);
        Assert.DoesNotContain("mbufs still in use", stderr);
    }

    private static void Ip(params string[] args)
    {
        if (!TryIp(args))
        {
            throw new InvalidOperationException($"ip {string.Join(' ', args)} failed");
        }
    }

    private static bool TryIp(params string[] args) => RunIp(args).Exit == 0;

    private static string IpOutput(params string[] args)
    {
        var (exit, text) = RunIp(args);
        return exit == 0 ? text : throw new InvalidOperationException($"ip {string.Join(' ', args)} failed: {text}");
    }

    private static (int Exit, string Output) RunIp(string[] args)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr);
    }
}
