using System.Diagnostics;
using DpdkSharp.Runtime.Tests.Infrastructure;

namespace DpdkSharp.Runtime.Tests;

/// <summary>RX interrupts on net_tap against the Linux kernel, in a child process with its own EAL (RxInterruptScenario).</summary>
public sealed class RxInterruptTests
{
    [Fact]
    public void A_sleeping_loop_is_woken_by_a_kernel_frame_and_by_Wake_and_idles_under_one_percent_CPU()
    {
        var suffix = Environment.ProcessId % 100000;
        var iface = $"dsrxi{suffix}";
        var netns = $"dpdksharp-rxi-{suffix}";
        var result = ChildProcess.RunScenario("rx-interrupts", iface, netns);
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.DoesNotContain("FAIL", result.Output);
        Assert.Contains("OK idle Interrupt loop", result.Output);
        Assert.Contains("OK Wake()", result.Output);
        Assert.Contains("OK signal follows the loop", result.Output);
        Assert.Contains("OK Interrupt: frame from the kernel", result.Output);
        Assert.Contains("OK Adaptive: frame from the kernel", result.Output);
        Assert.Contains("OK stopped port", result.Output);

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
