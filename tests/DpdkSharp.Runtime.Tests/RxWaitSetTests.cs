using System.Diagnostics;
using DpdkSharp.Runtime.Polling;
using DpdkSharp.Runtime.Tests.Infrastructure;

namespace DpdkSharp.Runtime.Tests;

/// <summary>
/// RxWaitSet on ports without RX interrupts (net_ring): the errors that say so, Poll mode, Wake from another thread,
/// and no allocation on Idle/Wake. Sleeping on real RX interrupts is tested on net_tap (RxInterruptTests).
/// </summary>
public sealed class RxWaitSetTests(DpdkFixture fixture) : DpdkTest(fixture)
{
    [Fact]
    public void A_net_ring_port_configured_for_RX_interrupts_refuses_to_start_with_a_clear_error()
    {
        using var ring = Ring.Create("rxintr_r", 256, RingFlags.SingleProducer | RingFlags.SingleConsumer);
        var port = Port.FromRings("rxintr_ring", ring, ring);
        try
        {
            port.Configure(new PortConfig { RxPool = Pool, RxDescriptors = 128, TxDescriptors = 128, RxInterrupts = true });
            Assert.True(port.RxInterrupts);
            var e = Assert.Throws<NotSupportedException>(port.Start);
            Assert.Contains("net_ring", e.Message);
            Assert.Contains("RxInterrupts", e.Message);
            Assert.Contains("queue 0", e.Message);

            // Left stopped; configured without interrupts it starts and Poll mode works on it.
            port.Configure(new PortConfig { RxPool = Pool, RxDescriptors = 128, TxDescriptors = 128 });
            Assert.False(port.RxInterrupts);
            port.Start();
            using var waits = new RxWaitSet(port.GetRxQueue(0), new RxWaitOptions { Mode = RxMode.Poll });
            Assert.Equal(RxWakeReasons.None, waits.Idle(0, TimeSpan.FromSeconds(10)));
        }
        finally
        {
            port.Stop();
            port.Close();
        }
    }

    [Theory]
    [InlineData(RxMode.Interrupt)]
    [InlineData(RxMode.Adaptive)]
    public void Sleeping_modes_on_a_port_not_configured_for_RX_interrupts_are_refused(RxMode mode)
    {
        var rx = Fixture.Ring0Port.GetRxQueue(0);
        var e = Assert.Throws<InvalidOperationException>(() => new RxWaitSet(rx, new RxWaitOptions { Mode = mode }));
        Assert.Contains("PortConfig.RxInterrupts", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RxWaitSet(rx, new RxWaitOptions { Mode = RxMode.Poll, EmptyPollsBeforeSleep = 0 }));
    }

    [Fact]
    public void Poll_mode_never_sleeps_in_Idle_and_Wait_ends_at_its_timeout()
    {
        using var waits = new RxWaitSet(Fixture.Ring0Port.GetRxQueue(0), new RxWaitOptions { Mode = RxMode.Poll });
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < 100_000; i++)
        {
            Assert.Equal(RxWakeReasons.None, waits.Idle(0, TimeSpan.FromSeconds(10)));
        }

        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"100k empty Idle calls took {sw.Elapsed}");

        sw.Restart();
        Assert.Equal(RxWakeReasons.Timeout, waits.Wait(TimeSpan.FromMilliseconds(50)));
        Assert.True(sw.Elapsed >= TimeSpan.FromMilliseconds(45), $"woke after {sw.Elapsed}");
    }

    [Fact]
    public void Wake_from_another_thread_ends_a_sleep_at_once_and_a_wake_before_the_sleep_is_not_lost()
    {
        using var waits = new RxWaitSet([], new RxWaitOptions { Mode = RxMode.Poll });

        // Before: several wake-ups end the next sleep once, immediately.
        waits.Wake();
        waits.Wake();
        var sw = Stopwatch.StartNew();
        Assert.Equal(RxWakeReasons.Woken, waits.Wait(TimeSpan.FromSeconds(10)));
        Assert.Equal(RxWakeReasons.Timeout, waits.Wait(TimeSpan.FromMilliseconds(20)));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2), $"{sw.Elapsed}");

        // During: another thread wakes the sleeper; measured from the Wake call to the sleeper's return.
        long wokeAt = 0;
        var sleeper = new Thread(() =>
        {
            var reason = waits.Wait(TimeSpan.FromSeconds(30));
            wokeAt = Stopwatch.GetTimestamp();
            Assert.Equal(RxWakeReasons.Woken, reason);
        });
        sleeper.Start();
        Thread.Sleep(200); // asleep by now
        var wakeAt = Stopwatch.GetTimestamp();
        waits.Wake();
        Assert.True(sleeper.Join(TimeSpan.FromSeconds(10)), "the sleeper did not wake");
        var latency = Stopwatch.GetElapsedTime(wakeAt, wokeAt);
        Assert.True(latency < TimeSpan.FromMilliseconds(200), $"woke {latency.TotalMilliseconds:F1} ms after Wake");
    }

    [Fact]
    public void Idle_and_Wake_allocate_nothing_and_Wake_after_Dispose_does_nothing()
    {
        var waits = new RxWaitSet(Fixture.Ring0Port.GetRxQueue(0), new RxWaitOptions { Mode = RxMode.Poll });
        long allocated = 0;
        for (var round = 0; round < 3; round++) // the first rounds JIT, resolve the imports and tier up
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++)
            {
                waits.Idle(i % 3, TimeSpan.Zero);
                waits.Wake();
            }
            var woken = waits.Wait(TimeSpan.Zero);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(RxWakeReasons.Woken, woken); // outside the measurement: Assert allocates
            Thread.Sleep(100);
        }
        Assert.Equal(0, allocated);

        waits.Dispose();
        waits.Wake(); // a command racing with shutdown: no exception
        Assert.Throws<ObjectDisposedException>(() => waits.Wait(TimeSpan.Zero));
    }
}
