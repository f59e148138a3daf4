using System.Diagnostics;
using DpdkSharp.Runtime.Tests.Infrastructure;

namespace DpdkSharp.Runtime.Tests;

/// <summary>DPDK against the real Linux kernel through net_tap, in a child process with its own EAL.</summary>
public sealed class TapTests
{
    [Fact]
    public void An_ARP_request_from_DPDK_gets_the_kernels_reply_and_everything_is_removed_afterwards()
    {
        var suffix = Environment.ProcessId % 100000;
        var iface = $"dstapt{suffix}";
        var netns = $"dpdksharp-test-{suffix}";
        var result = ChildProcess.RunScenario("tap-arp", iface, netns);
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("ARP reply from", result.Output);

        Assert.DoesNotContain(netns, Run("ip", "netns", "list"));
        Assert.DoesNotContain(iface, Run("ip", "-o", "link", "show"));
    }

    private static string Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var p = Process.Start(start)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return output;
    }
}
