using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using DpdkSharp.Runtime.Polling;
using DpdkSharp.Stack.Dpdk.Tests.Infrastructure;

namespace DpdkSharp.Stack.Dpdk.Tests.Scenarios;

/// <summary>The reactor sleeping on the TAP queue's RX interrupt: idle it burns no CPU, yet packets and commands wake it at once.</summary>
public static partial class IdleScenarios
{
    public static int Interrupt(string iface, string netns)
    {
        using var h = new TapHarness(iface, netns, rxWait: new RxWaitOptions { Mode = RxMode.Interrupt });
        var failures = 0;
        var reactor = h.Stack.Reactor;

        // Resolve each other first (ARP), then leave the link quiet and measure the reactor thread's CPU.
        h.InNamespace("ping", "-c", "1", "-W", "2", TapHarness.StackAddress);
        Thread.Sleep(200);
        var tid = ReactorThreadId(reactor);
        long before = CpuTicks(tid);
        var wall = Stopwatch.StartNew();
        Thread.Sleep(2000);
        long used = CpuTicks(tid) - before;
        double percent = 100.0 * used * 10 / wall.ElapsedMilliseconds; // USER_HZ is 100: a tick is 10 ms
        Console.WriteLine($"IDLE cpu: {used} ticks in {wall.ElapsedMilliseconds} ms ({percent:0.00}%)");
        failures += percent < 1.0 ? 0 : 1;

        // A command from this thread ends a sleep (the eventfd in the epoll set), not the 1 s safety bound.
        var command = Stopwatch.StartNew();
        using (var probe = new UdpSocket(reactor))
        {
            probe.Bind(new IPEndPoint(IPAddress.Any, 4000));
        }
        command.Stop();
        Console.WriteLine($"COMMAND round trip while idle: {command.Elapsed.TotalMilliseconds:0.000} ms");
        failures += command.Elapsed < TimeSpan.FromMilliseconds(500) ? 0 : 1;

        // Packets wake it: pings spaced out so that every one finds the reactor asleep.
        var r = h.InNamespace("ping", "-c", "50", "-i", "0.05", "-q", "-W", "1", TapHarness.StackAddress);
        var m = PingSummary().Match(r.Output);
        var rtt = PingRtt().Match(r.Output);
        int sent = m.Success ? int.Parse(m.Groups[1].Value) : 0, received = m.Success ? int.Parse(m.Groups[2].Value) : 0;
        Console.WriteLine($"PING asleep 50: sent {sent}, received {received}, lost {sent - received}; rtt min/avg/max {(rtt.Success ? rtt.Groups[1].Value : "?")} ms");
        failures += sent == 50 && received == 50 ? 0 : 1;
        return h.TearDown() && failures == 0 ? 0 : 1;
    }

    /// <summary>The kernel thread id of the reactor's thread, found by its name (comm keeps 15 characters).</summary>
    private static string ReactorThreadId(Reactor reactor)
    {
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            var comm = File.ReadAllText(Path.Combine(task, "comm")).Trim();
            if (comm.StartsWith("reactor-", StringComparison.Ordinal) || comm.StartsWith(".NET reactor", StringComparison.Ordinal))
            {
                return Path.GetFileName(task);
            }
        }
        throw new InvalidOperationException($"no reactor thread in /proc/self/task (reactor iterations {reactor.Iterations})");
    }

    /// <summary>utime + stime of a thread, in clock ticks (proc(5): fields 14 and 15 of stat, after the parenthesised name).</summary>
    private static long CpuTicks(string tid)
    {
        var stat = File.ReadAllText($"/proc/self/task/{tid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11]) + long.Parse(fields[12]);
    }

    [GeneratedRegex(@"(\d+) packets transmitted, (\d+) received")]
    private static partial Regex PingSummary();

    [GeneratedRegex(@"rtt min/avg/max/mdev = ([\d.]+/[\d.]+/[\d.]+)")]
    private static partial Regex PingRtt();
}
