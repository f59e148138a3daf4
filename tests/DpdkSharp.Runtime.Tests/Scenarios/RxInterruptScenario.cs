using System.Diagnostics;
using DpdkSharp.Interop;
using DpdkSharp.Runtime.Polling;
using DpdkSharp.Runtime.Tests.Infrastructure;

namespace DpdkSharp.Runtime.Tests.Scenarios;

/// <summary>
/// RX interrupts on net_tap (issue #11): a port configured with RxInterrupts, its kernel side moved into a network
/// namespace made for the test (IPv6 off there, so the kernel sends nothing unasked; a static neighbour for the DPDK
/// side, so a ping is one ICMP frame and no ARP with its retries). A loop thread polls the queue
/// and reports to RxWaitSet.Idle; the checks: an idle Interrupt-mode loop uses under 1% of a CPU over a second
/// (its thread's CPU time), Wake() from another thread ends its sleep at once, a frame sent from the kernel side
/// (one ping) wakes it within a bounded time and is received, and an Adaptive loop
/// polls N times before it sleeps and is woken the same way. Prints one line per check; exit 0 when all pass.
/// </summary>
public static class RxInterruptScenario
{
    private const string KernelAddress = "10.199.2.2", DpdkAddress = "10.199.2.1", DpdkSideMac = "02:00:00:00:c1:01";

    public static int Run(string[] args)
    {
        var iface = args[0];
        var netns = args[1];
        using var eal = Eal.Initialize(new EalOptions
        {
            Lcores = "0",
            UseHugepages = false,
            InMemory = true,
            NoTelemetry = true,
            LogLevel = DpdkLogLevel.Error,
            VirtualDevices = [$"net_tap0,iface={iface}"],
        });
        using var pool = Mempool.CreatePacketPool("rxintr_pool", 2047, 0);
        var port = Port.FindByName("net_tap0");
        var namespaceMade = false;
        var failures = 0;
        try
        {
            port.Configure(new PortConfig { RxPool = pool, RxDescriptors = 512, TxDescriptors = 512, RxInterrupts = true });
            port.Start();
            Ip("netns", "add", netns);
            namespaceMade = true;
            Ip("link", "set", iface, "netns", netns);
            Run("ip", "netns", "exec", netns, "sysctl", "-q", "-w", $"net.ipv6.conf.{iface}.disable_ipv6=1");
            Ip("-n", netns, "addr", "add", $"{KernelAddress}/24", "dev", iface);
            Ip("-n", netns, "link", "set", iface, "up");
            Ip("-n", netns, "neigh", "add", DpdkAddress, "lladdr", DpdkSideMac, "dev", iface, "nud", "permanent");
            var rx = port.GetRxQueue(0);
            Drain(rx, TimeSpan.FromMilliseconds(300));
            WarmUp(rx);

            failures += Check(IdleCpu(rx));
            failures += Check(WakeFromAnotherThread(rx));
            failures += Check(SignalFollowsTheLoop(rx, netns));
            using (var waits = new RxWaitSet(rx, new RxWaitOptions { Mode = RxMode.Interrupt }))
            {
                failures += Check(FrameWakes(rx, waits, netns, "Interrupt"));
            }

            using (var waits = new RxWaitSet(rx, new RxWaitOptions { Mode = RxMode.Adaptive, EmptyPollsBeforeSleep = 64, BurstToResumePolling = 4 }))
            {
                failures += Check(FrameWakes(rx, waits, netns, "Adaptive"));
            }

            Drain(rx, TimeSpan.FromMilliseconds(100));
            // Last: net_tap cannot start again once its interface is in another namespace (its link-up ioctl looks
            // the name up in ours: ENODEV), so the port stays stopped from here.
            using (var waits = new RxWaitSet(rx, new RxWaitOptions { Mode = RxMode.Interrupt }))
            {
                failures += Check(SleepsWhileStopped(port, rx, waits));
            }
        }
        finally
        {
            port.Stop();
            port.Close(); // closes the TAP: the kernel removes the interface, wherever it is; frees the queue's mbufs
            if (namespaceMade)
            {
                Ip("netns", "del", netns);
            }
        }
        var inUse = pool.InUseCount;
        Console.WriteLine(inUse == 0 ? "OK every mbuf back in the pool" : $"FAIL {inUse} mbuf(s) still in use");
        failures += inUse == 0 ? 0 : 1;
        return failures == 0 ? 0 : 1;
    }

    /// <summary>
    /// One sleep ended by Wake() and one by its timeout, on a loop thread, so that the measured runs do not include
    /// the first calls' JIT and import binding.
    /// </summary>
    private static void WarmUp(RxQueue rx)
    {
        using var waits = new RxWaitSet(rx, new RxWaitOptions { Mode = RxMode.Interrupt });
        waits.Wake();
        RunLoop(() =>
        {
            var burst = new MbufBurst(stackalloc nint[32]);
            for (var i = 0; i < 8; i++)
            {
                rx.Receive(ref burst);
                burst.FreeAll();
                waits.Idle(0, TimeSpan.FromMilliseconds(1));
            }
        });
    }

    /// <summary>An Interrupt-mode loop with nothing to receive, for one second: its thread's CPU time.</summary>
    private static (bool, string) IdleCpu(RxQueue rx)
    {
        using var waits = new RxWaitSet(rx, new RxWaitOptions { Mode = RxMode.Interrupt });
        TimeSpan cpu = default, wall = default;
        int polls = 0, sleeps = 0, received = 0;
        RunLoop(() =>
        {
            var burst = new MbufBurst(stackalloc nint[32]);
            var cpu0 = ThreadCpu.Now;
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed < TimeSpan.FromSeconds(1))
            {
                var n = rx.Receive(ref burst);
                received += n;
                burst.FreeAll();
                polls++;
                // A 250 ms cap stands for a loop's timers. Each sleep, even a bare epoll_wait in C, is charged 50 to
                // 250 us of CPU on this busy VM (measured): the cap, not the wait set, sets the idle cost.
                if (waits.Idle(n, TimeSpan.FromMilliseconds(250)) != RxWakeReasons.None)
                {
                    sleeps++;
                }
            }
            cpu = ThreadCpu.Now - cpu0;
            wall = sw.Elapsed;
        });
        var share = cpu / wall;
        return (share < 0.01, $"idle Interrupt loop: {cpu.TotalMilliseconds:F2} ms CPU in {wall.TotalMilliseconds:F0} ms ({share:P3}), {polls} polls, {sleeps} sleeps, {received} frames");
    }

    /// <summary>A loop asleep (30 s timeout) is woken by Wake() from this thread; latency from the call to its return.</summary>
    private static (bool, string) WakeFromAnotherThread(RxQueue rx)
    {
        using var waits = new RxWaitSet(rx, new RxWaitOptions { Mode = RxMode.Interrupt });
        long wokeAt = 0;
        var reason = RxWakeReasons.None;
        var loop = StartLoop(() =>
        {
            var burst = new MbufBurst(stackalloc nint[32]);
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(20))
            {
                var n = rx.Receive(ref burst);
                burst.FreeAll();
                reason = waits.Idle(n, TimeSpan.FromSeconds(30));
                if ((reason & RxWakeReasons.Woken) != 0)
                {
                    wokeAt = Stopwatch.GetTimestamp();
                    return;
                }
            }
        });
        Thread.Sleep(300); // the loop armed, polled and went to sleep
        var wakeAt = Stopwatch.GetTimestamp();
        waits.Wake();
        var joined = loop.Join(TimeSpan.FromSeconds(25));
        var latency = Stopwatch.GetElapsedTime(wakeAt, wokeAt);
        return (joined && wokeAt != 0 && latency < TimeSpan.FromMilliseconds(100),
            $"Wake() from another thread: loop woke ({reason}) {latency.TotalMilliseconds:F2} ms after the call");
    }

    /// <summary>
    /// net_tap's packet signal goes to the thread that sleeps on the queue while a wait set is in use (not to the main
    /// thread, whose wake-up every packet would otherwise wait for), and back to the process when the set is disposed,
    /// and the same for a route made with RxQueueSignalRoute. Then a frame from the kernel still reaches a loop on a new
    /// thread: a signal aimed at the ended loop thread would be dropped, and the driver would never see another packet.
    /// </summary>
    private static (bool, string) SignalFollowsTheLoop(RxQueue rx, string netns)
    {
        var fd = Dpdk.rte_eth_dev_rx_intr_ctl_q_get_fd(rx.Port.Id, (ushort)rx.Index);
        int loopTid = 0;
        var routedToLoop = false;
        using (var waits = new RxWaitSet(rx, new RxWaitOptions { Mode = RxMode.Interrupt }))
        {
            RunLoop(() =>
            {
                loopTid = QueueSignals.CurrentThreadId();
                var burst = new MbufBurst(stackalloc nint[32]);
                for (var i = 0; i < 3; i++)
                {
                    rx.Receive(ref burst);
                    burst.FreeAll();
                    waits.Idle(0, TimeSpan.FromMilliseconds(1));
                }
                routedToLoop = QueueSignals.IsRoutedTo(fd, loopTid) && waits.SignalThreadOf(0) == loopTid;
            });
        }
        var givenBack = loopTid != 0 && !QueueSignals.IsRoutedTo(fd, loopTid);

        var thisTid = QueueSignals.CurrentThreadId();
        bool routed;
        using (var route = RxQueueSignalRoute.ToCurrentThread(rx))
        {
            routed = route is not null && QueueSignals.IsRoutedTo(fd, thisTid);
        }
        var routeGivenBack = !QueueSignals.IsRoutedTo(fd, thisTid);

        var pings = 0;
        var loop = StartLoop(() =>
        {
            var burst = new MbufBurst(stackalloc nint[32]);
            var deadline = Stopwatch.StartNew();
            while (pings == 0 && deadline.Elapsed < TimeSpan.FromSeconds(5))
            {
                rx.Receive(ref burst);
                foreach (var m in burst)
                {
                    var data = m.Data;
                    if (data.Length >= 34 && data[12] == 0x08 && data[13] == 0x00 && data[23] == 1 /* ICMP */)
                    {
                        pings++;
                    }
                }
                burst.FreeAll();
                Thread.Sleep(1);
            }
        });
        Run("ip", "netns", "exec", netns, "sh", "-c", $"ping -c 1 -W 1 {DpdkAddress} >/dev/null || true");
        var joined = loop.Join(TimeSpan.FromSeconds(10));
        return (fd > 0 && routedToLoop && givenBack && routed && routeGivenBack && joined && pings > 0,
            $"signal follows the loop: fd {fd} to the loop thread {routedToLoop}, given back {givenBack}; " +
            $"RxQueueSignalRoute to this thread {routed}, given back {routeGivenBack}; {pings} ICMP frame(s) received on a new thread after");
    }

    /// <summary>A wait set made before a stop: while the port is stopped its sleeps end by timeout (the queue has no interrupt then) instead of failing.</summary>
    private static (bool, string) SleepsWhileStopped(Port port, RxQueue rx, RxWaitSet waits)
    {
        port.Stop();
        var reasons = new List<RxWakeReasons>();
        var burst = new MbufBurst(stackalloc nint[32]);
        for (var i = 0; i < 4; i++)
        {
            var n = rx.Receive(ref burst);
            burst.FreeAll();
            reasons.Add(waits.Idle(n, TimeSpan.FromMilliseconds(50)));
        }
        var ok = reasons.Count(r => r == RxWakeReasons.Timeout) == 2;
        return (ok, $"stopped port: sleeps ended by timeout ({string.Join(", ", reasons)})");
    }

    /// <summary>A loop asleep is woken by a frame from the kernel side (one ICMP echo request) and receives it.</summary>
    private static (bool, string) FrameWakes(RxQueue rx, RxWaitSet waits, string netns, string name)
    {
        var options = waits.Options;
        long wokeAt = 0;
        int pollsBeforeFirstSleep = -1, polls = 0, pings = 0;
        var reasons = RxWakeReasons.None;
        var asleep = new ManualResetEventSlim();
        var loop = StartLoop(() =>
        {
            var burst = new MbufBurst(stackalloc nint[32]);
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(20))
            {
                var n = rx.Receive(ref burst);
                polls++;
                foreach (var m in burst)
                {
                    var data = m.Data;
                    if (data.Length >= 34 && data[12] == 0x08 && data[13] == 0x00 && data[23] == 1 /* ICMP */)
                    {
                        pings++;
                    }
                }
                burst.FreeAll();
                if (pings > 0)
                {
                    return;
                }

                if (pollsBeforeFirstSleep < 0 && n == 0 && polls > 1)
                {
                    asleep.Set(); // approximately: the next Idle may sleep
                }

                var reason = waits.Idle(n, TimeSpan.FromSeconds(30));
                if (reason != RxWakeReasons.None && pollsBeforeFirstSleep < 0)
                {
                    pollsBeforeFirstSleep = polls;
                }

                if ((reason & RxWakeReasons.Packets) != 0 && wokeAt == 0)
                {
                    wokeAt = Stopwatch.GetTimestamp();
                    reasons = reason;
                }
            }
        });
        asleep.Wait(TimeSpan.FromSeconds(5));
        Thread.Sleep(300);
        var sentAt = Stopwatch.GetTimestamp();
        using var ping = Process.Start(new ProcessStartInfo("ip", ["netns", "exec", netns, "ping", "-c", "1", "-W", "1", DpdkAddress])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var joined = loop.Join(TimeSpan.FromSeconds(25));
        ping.WaitForExit(5000);
        var latency = Stopwatch.GetElapsedTime(sentAt, wokeAt);
        var expectedPolls = options.Mode == RxMode.Adaptive ? options.EmptyPollsBeforeSleep + 1 : 2; // N empty polls, then one after arming
        return (joined && pings > 0 && wokeAt != 0 && latency < TimeSpan.FromSeconds(3) && pollsBeforeFirstSleep == expectedPolls,
            $"{name}: frame from the kernel woke the loop ({reasons}) {latency.TotalMilliseconds:F1} ms after starting ping, " +
            $"{pings} ICMP frame(s) received; first sleep after {pollsBeforeFirstSleep} polls (expected {expectedPolls})");
    }

    private static void RunLoop(Action body)
    {
        var t = StartLoop(body);
        if (!t.Join(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException("loop thread did not finish");
        }
    }

    private static Thread StartLoop(Action body)
    {
        Exception? error = null;
        var t = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                error = e;
                Console.WriteLine($"FAIL loop thread: {e}");
            }
        }) { IsBackground = true };
        t.Start();
        return t;
    }

    private static int Check((bool Ok, string Line) result)
    {
        Console.WriteLine((result.Ok ? "OK " : "FAIL ") + result.Line);
        return result.Ok ? 0 : 1;
    }

    private static void Drain(RxQueue rx, TimeSpan time)
    {
        var burst = new MbufBurst(stackalloc nint[32]);
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < time)
        {
            rx.Receive(ref burst);
            burst.FreeAll();
            Thread.Sleep(1);
        }
    }

    private static void Ip(params string[] args) => Run("ip", args);

    private static void Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var p = Process.Start(start)!;
        var err = p.StandardError.ReadToEnd();
        if (!p.WaitForExit(10_000) || p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {err}");
        }
    }
}
