using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DpdkSharp.Interop;
using DpdkSharp.Runtime.Tests.Infrastructure;

namespace DpdkSharp.Runtime.Tests;

/// <summary>
/// Queue handles cache the driver's burst function and queue pointer (BurstSlot) and the port's lifecycle methods
/// mark those caches stale (PortEpochs, issue #15). These tests take handles, change the port under them (stop,
/// reconfigure, restart, reset, close, raw API plus InvalidateQueueHandles) and check that the same handles then
/// deliver the right packets through the right path, or fail with a clear error when their queue is gone.
/// </summary>
public sealed unsafe class QueueLifecycleTests(DpdkFixture fixture) : DpdkTest(fixture)
{
    private const int Count = 32, Length = 80;

    [Fact]
    public void Handles_taken_before_a_stop_reconfigure_and_restart_of_a_net_ring_port_keep_working()
    {
        var port = Fixture.Ring0Port;
        var rx = port.GetRxQueue(0);
        var tx = port.GetTxQueue(0);
        var burst = new MbufBurst(stackalloc nint[Count]);
        RoundTrip(rx, tx, ref burst, seed: 1); // caches filled

        port.Stop();
        try
        {
            // Stopped: DPDK's dummies, through the refreshed cache: nothing taken, nothing received.
            Fill(ref burst, seed: 2);
            Assert.Equal(0, tx.Transmit(ref burst));
            Assert.Equal(Count, burst.Count);
            burst.FreeAll();
            Assert.Equal(0, rx.Receive(ref burst));
            // Reconfigured with other descriptor counts: the queues are set up again (net_ring makes new queue structs).
            port.Configure(new PortConfig { RxPool = Pool, RxDescriptors = 256, TxDescriptors = 256 });
        }
        finally
        {
            port.Start();
        }

        var (direct, shim) = Counters();
        RoundTrip(rx, tx, ref burst, seed: 3);
        AssertPaths(direct + 2, shim); // the cache was refilled: both bursts direct again
        // A copy of the old handle shares the slot: already fresh, also direct.
        var copy = rx;
        Fill(ref burst, seed: 4);
        Assert.Equal(Count, tx.Transmit(ref burst));
        Assert.Equal(Count, copy.Receive(ref burst));
        AssertFrames(ref burst, seed: 4);
        AssertPaths(direct + 4, shim);

        port.Stop();
        port.Configure(new PortConfig { RxPool = Pool, RxDescriptors = 512, TxDescriptors = 512 }); // as the fixture made it
        port.Start();
        RoundTrip(rx, tx, ref burst, seed: 5);
    }

    [Fact]
    public void Handles_of_a_net_null_port_survive_a_restart_and_a_failed_reset()
    {
        var port = Port.FindByName(DpdkFixture.Null0);
        var rx = port.GetRxQueue(0);
        var tx = port.GetTxQueue(0);
        var burst = new MbufBurst(stackalloc nint[Count]);
        ReceiveAndSendBack(rx, tx, ref burst);

        port.Stop();
        Assert.Equal(0, rx.Receive(ref burst));
        port.Start();
        ReceiveAndSendBack(rx, tx, ref burst);

        // net_null cannot reset: DPDK's error, and the handles (marked stale by the attempt) still work.
        var e = Assert.Throws<DpdkException>(port.Reset);
        Assert.Equal(95, e.ErrorCode); // ENOTSUP
        ReceiveAndSendBack(rx, tx, ref burst);
    }

    [Fact]
    public void A_handle_whose_queue_a_reconfiguration_removed_throws_instead_of_reading_past_the_queue_array()
    {
        var port = Port.FindByName(DpdkFixture.Null0);
        port.Stop();
        try
        {
            port.Configure(new PortConfig { RxQueues = 2, TxQueues = 2, RxPool = Pool });
            port.Start();
            var rx1 = port.GetRxQueue(1);
            var tx1 = port.GetTxQueue(1);
            var burst = new MbufBurst(stackalloc nint[Count]);
            ReceiveAndSendBack(rx1, tx1, ref burst);

            port.Stop();
            port.Configure(new PortConfig { RxQueues = 1, TxQueues = 1, RxPool = Pool });
            port.Start();
            var e = Assert.Throws<InvalidOperationException>(() =>
            {
                var b = new MbufBurst(stackalloc nint[Count]);
                rx1.Receive(ref b);
            });
            Assert.Contains("no longer exists", e.Message);
            Assert.Throws<InvalidOperationException>(() =>
            {
                var b = new MbufBurst(stackalloc nint[1]);
                b.TryAdd(Pool.Alloc());
                try
                {
                    tx1.Transmit(ref b);
                }
                finally
                {
                    b.FreeAll();
                }
            });
        }
        finally
        {
            port.Stop();
            port.Configure(new PortConfig { RxQueues = 1, TxQueues = 1, RxDescriptors = 512, TxDescriptors = 512, RxPool = Pool });
            port.Start();
        }
    }

    [Fact]
    public void A_handle_of_a_closed_port_throws()
    {
        using var ring = Ring.Create("lifecycle_r", 256, RingFlags.SingleProducer | RingFlags.SingleConsumer);
        var port = Port.FromRings("lifecycle_ring", ring, ring);
        var closed = false;
        try
        {
            port.Configure(new PortConfig { RxPool = Pool, RxDescriptors = 128, TxDescriptors = 128 });
            port.Start();
            var rx = port.GetRxQueue(0);
            var tx = port.GetTxQueue(0);
            var burst = new MbufBurst(stackalloc nint[Count]);
            RoundTrip(rx, tx, ref burst, seed: 9);
            port.Stop();
            port.Close();
            closed = true;
            var e = Assert.Throws<InvalidOperationException>(() =>
            {
                var b = new MbufBurst(stackalloc nint[Count]);
                rx.Receive(ref b);
            });
            Assert.Contains("closed", e.Message);
        }
        finally
        {
            if (!closed)
            {
                port.Stop();
                port.Close();
            }
        }
    }

    [Fact]
    public void After_a_restart_through_the_raw_API_InvalidateQueueHandles_makes_handles_read_the_new_pointers()
    {
        var port = Fixture.Ring1Port;
        var rx = port.GetRxQueue(0);
        var tx = port.GetTxQueue(0);
        var burst = new MbufBurst(stackalloc nint[Count]);
        RoundTrip(rx, tx, ref burst, seed: 20);

        Assert.Equal(0, Dpdk.rte_eth_dev_stop(port.Id));
        Assert.Equal(0, Dpdk.rte_eth_dev_start(port.Id));
        port.InvalidateQueueHandles();
        var (direct, shim) = Counters();
        RoundTrip(rx, tx, ref burst, seed: 21);
        AssertPaths(direct + 2, shim);
    }

    [Fact]
    public void Callbacks_added_after_the_cache_was_filled_and_across_a_restart_still_go_through_the_shim()
    {
        var port = Fixture.Ring1Port;
        var rx = port.GetRxQueue(0);
        var tx = port.GetTxQueue(0);
        var burst = new MbufBurst(stackalloc nint[Count]);
        RoundTrip(rx, tx, ref burst, seed: 30); // cache filled, direct

        var seen = (long*)NativeMemory.AllocZeroed(sizeof(long));
        try
        {
            var callback = Dpdk.rte_eth_add_rx_callback(port.Id, 0, &CountRx, seen);
            Assert.True(callback != null, "rte_eth_add_rx_callback failed");
            var (direct, shim) = Counters();
            RoundTrip(rx, tx, ref burst, seed: 31);
            Assert.Equal(Count, *seen);
            AssertPaths(direct + 1, shim + 1); // tx direct, rx through the shim, which ran the callback

            port.Stop();
            port.Start(); // callbacks live in the device, not in fp_ops: they are still there after a restart
            (direct, shim) = Counters();
            RoundTrip(rx, tx, ref burst, seed: 32);
            Assert.Equal(2 * Count, *seen);
            AssertPaths(direct + 1, shim + 1);

            Assert.Equal(0, Dpdk.rte_eth_remove_rx_callback(port.Id, 0, callback));
            Dpdk.rte_free(callback); // this thread is the only one polling the queue
            (direct, shim) = Counters();
            RoundTrip(rx, tx, ref burst, seed: 33);
            Assert.Equal(2 * Count, *seen);
            AssertPaths(direct + 2, shim);
        }
        finally
        {
            NativeMemory.Free(seen);
        }
    }

    [Fact]
    public void The_fast_path_is_guarded_by_the_bound_DPDK_release()
    {
        // Compile-time constants of the bindings (their version macros), checked against the version stamp's text.
        var parts = BindingsVersion.Generated.Split('.');
        var release = int.Parse(parts[0]) * 100 + int.Parse(parts[1]);
        Assert.Equal(EthFastPath.BoundRelease, release);
        var verified = new[] { 2211, 2411, 2511 }.Contains(release); // the releases whose rte_ethdev.h was read against EthFastPath
#if DPDKSHARP_FORCE_SHIM
        verified = false; // the fallback forced at build time, to test it on the installed release
#endif
        Assert.Equal(EthFastPath.DirectPathVerified, verified);
        // And this build's queues take the path the guard says (no callbacks installed on net_ring0).
        var rx = Fixture.Ring0Port.GetRxQueue(0);
        Assert.Equal(!verified, rx.HasCallbacks);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ushort CountRx(ushort port, ushort queue, rte_mbuf** packets, ushort received, ushort max, void* seen)
    {
        *(long*)seen += received;
        return received;
    }

    private void RoundTrip(RxQueue rx, TxQueue tx, ref MbufBurst burst, int seed)
    {
        Fill(ref burst, seed);
        Assert.Equal(Count, tx.Transmit(ref burst));
        Assert.True(burst.IsEmpty);
        Assert.Equal(Count, rx.Receive(ref burst));
        AssertFrames(ref burst, seed);
    }

    /// <summary>net_null makes packets on receive and frees what it is given on transmit.</summary>
    private static void ReceiveAndSendBack(RxQueue rx, TxQueue tx, ref MbufBurst burst)
    {
        Assert.Equal(Count, rx.Receive(ref burst));
        Assert.Equal(Count, tx.Transmit(ref burst));
        Assert.True(burst.IsEmpty);
    }

    private void Fill(ref MbufBurst burst, int seed)
    {
        Assert.True(Pool.AllocBulk(ref burst, Count));
        for (var i = 0; i < burst.Count; i++)
        {
            Assert.True(burst[i].Append(Length, out var frame));
            Frames.WriteUdp(frame, seed + i);
        }
    }

    private static void AssertFrames(ref MbufBurst burst, int seed)
    {
        try
        {
            Assert.Equal(Count, burst.Count);
            for (var i = 0; i < Count; i++)
            {
                Assert.Equal(Frames.Udp(Length, seed + i), burst[i].Data.ToArray());
            }
        }
        finally
        {
            burst.FreeAll();
        }
    }

    private static (long Direct, long Shim) Counters() =>
        (EthFastPath.PathCounters.DirectCount, EthFastPath.PathCounters.ShimCount);

    private static void AssertPaths(long direct, long shim)
    {
        if (!EthFastPath.PathCounters.Enabled)
        {
            return; // Release build: not counted
        }

        Assert.Equal((direct, shim), Counters());
    }
}
