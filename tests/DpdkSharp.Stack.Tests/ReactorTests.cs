namespace DpdkSharp.Stack.Tests;

/// <summary>The reactor's thread set-up, on a device that receives nothing (no DPDK needed).</summary>
public class ReactorTests
{
    /// <summary>A device with nothing to receive; what the core sends is captured and returned.</summary>
    private sealed class QuietDevice : IReactorDevice
    {
        private readonly ArrayPacketBufferPool _pool = new(64);
        public QuietDevice() => Sink = new CaptureSink(_pool);
        public IPacketBufferPool Pool => _pool;
        public IFrameSink Sink { get; }
        public int ReceiveBurst<TReceiver>(ref TReceiver receiver, Instant now) where TReceiver : struct, IFrameReceiver => 0;
        public void Flush()
        {
        }
    }

    private static Reactor Make(int? cpu)
    {
        var device = new QuietDevice();
        var core = new NetworkInterfaceCore(Net.Options(), device.Pool, device.Sink);
        return new Reactor(core, device, new ReactorOptions { ThreadName = "reactor-test", Cpu = cpu });
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")] // pinning is Linux's sched_setaffinity
    public async Task A_reactor_pinned_to_a_cpu_runs_there()
    {
        // The highest CPU this process may use (a container's cpuset need not start at 0 or be dense).
        long affinity = (long)System.Diagnostics.Process.GetCurrentProcess().ProcessorAffinity;
        int cpu = 63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)affinity);
        using var reactor = Make(cpu);
        reactor.Start();

        var status = await reactor.InvokeAsync(_ => File.ReadAllText("/proc/thread-self/status"));

        var allowed = status.Split('\n').Single(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal));
        Assert.Equal(cpu.ToString(System.Globalization.CultureInfo.InvariantCulture), allowed.Split('\t', 2)[1].Trim());
    }

    [Fact]
    public void A_cpu_the_machine_does_not_have_fails_Start_with_the_reason()
    {
        using var reactor = Make(1000);

        var e = Assert.Throws<InvalidOperationException>(reactor.Start);

        Assert.Contains("sched_setaffinity(CPU 1000) failed", e.Message);
        Assert.Null(reactor.Fault);
    }

    [Fact]
    public void A_negative_short_sleep_window_or_a_short_sleep_over_a_millisecond_is_refused()
    {
        var device = new QuietDevice();
        var core = new NetworkInterfaceCore(Net.Options(), device.Pool, device.Sink);

        Assert.Throws<ArgumentOutOfRangeException>(() => new Reactor(core, device, new ReactorOptions { ShortSleepWindow = TimeSpan.FromTicks(-1) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Reactor(core, device, new ReactorOptions { ShortSleep = TimeSpan.FromMilliseconds(2) }));
        core.Dispose();
    }

    [Fact]
    public async Task A_reactor_with_short_sleeps_and_one_without_both_run_commands()
    {
        foreach (var window in new[] { TimeSpan.Zero, TimeSpan.FromMilliseconds(2), TimeSpan.FromDays(365) })
        {
            var device = new QuietDevice();
            var core = new NetworkInterfaceCore(Net.Options(), device.Pool, device.Sink);
            using var reactor = new Reactor(core, device, new ReactorOptions { ThreadName = "reactor-test", ShortSleepWindow = window });
            reactor.Start();

            for (int i = 0; i < 20; i++)
            {
                Assert.Equal(i, await reactor.InvokeAsync(_ => i).WaitAsync(TimeSpan.FromSeconds(10)));
                await Task.Delay(i % 4); // commands inside and outside the window
            }
        }
    }
}
