using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DpdkSharp.Interop;
using DpdkSharp.Runtime.Tests.Infrastructure;

namespace DpdkSharp.Runtime.Tests;

/// <summary>
/// RxQueue.Receive / TxQueue.Transmit call the driver's burst function from C# (EthFastPath, mirroring DPDK's inline
/// rte_eth_rx_burst / rte_eth_tx_burst) and go through the shim only when callbacks are installed. These tests
/// check that both paths deliver the same packets, that a callback makes the queue take the shim path and runs,
/// and that removing it brings the direct path back. Which path ran is counted in Debug builds (the default for
/// dotnet test); in Release only the predicate the fast path tests is checked.
/// </summary>
public sealed unsafe class FastPathTests(DpdkFixture fixture) : DpdkTest(fixture)
{
    private const int Count = 32, Length = 96;

    /// <summary>Every burst takes the shim (a DPDK release EthFastPath was not checked against, or the forced fallback).</summary>
    private static bool ShimOnly => !EthFastPath.DirectPathVerified;

    [Fact]
    public void Direct_and_shim_paths_deliver_the_same_packets()
    {
        var port = Fixture.Ring0Port;
        var rx = port.GetRxQueue(0);
        var tx = port.GetTxQueue(0);
        Assert.Equal(ShimOnly, rx.HasCallbacks);
        Assert.Equal(ShimOnly, tx.HasCallbacks);
        var burst = new MbufBurst(stackalloc nint[Count]);

        // Direct transmit, shim receive.
        var (direct, shim) = Counters();
        Fill(ref burst, seed: 0);
        Assert.Equal(Count, tx.Transmit(ref burst));
        Assert.Equal(Count, ShimReceive(port.Id, ref burst));
        AssertFrames(ref burst, seed: 0);
        AssertPaths(direct + 1, shim);

        // Shim transmit, direct receive.
        (direct, shim) = Counters();
        Fill(ref burst, seed: 100);
        Assert.Equal(Count, ShimTransmit(port.Id, ref burst));
        Assert.True(burst.IsEmpty);
        Assert.Equal(Count, rx.Receive(ref burst));
        AssertFrames(ref burst, seed: 100);
        AssertPaths(direct + 1, shim);

        // Direct both ways, in a partly filled burst (the driver writes after what the burst holds).
        (direct, shim) = Counters();
        Fill(ref burst, seed: 200, count: Count / 2);
        Assert.Equal(Count / 2, tx.Transmit(ref burst));
        Fill(ref burst, seed: 300, count: Count / 2);
        Assert.Equal(Count / 2, rx.Receive(ref burst));
        AssertFrames(ref burst, seed: 300, count: Count / 2);
        for (var i = 0; i < Count / 2; i++)
        {
            Assert.Equal(Frames.Udp(Length, 200 + i), burst[Count / 2 + i].Data.ToArray());
        }

        burst.FreeAll();
        AssertPaths(direct + 2, shim);
    }

    [Fact]
    public void An_rx_callback_makes_receive_take_the_shim_path_and_it_runs()
    {
        var port = Fixture.Ring1Port;
        var rx = port.GetRxQueue(0);
        var tx = port.GetTxQueue(0);
        var seen = (long*)NativeMemory.AllocZeroed(sizeof(long));
        try
        {
            var callback = Dpdk.rte_eth_add_rx_callback(port.Id, 0, &CountRx, seen);
            Assert.True(callback != null, "rte_eth_add_rx_callback failed");
            Assert.True(rx.HasCallbacks);
            Assert.Equal(ShimOnly, tx.HasCallbacks);

            var burst = new MbufBurst(stackalloc nint[Count]);
            var (direct, shim) = Counters();
            Fill(ref burst, seed: 7);
            Assert.Equal(Count, tx.Transmit(ref burst)); // no TX callback: direct
            Assert.Equal(Count, rx.Receive(ref burst)); // through the shim, which ran the callback
            Assert.Equal(Count, *seen);
            AssertFrames(ref burst, seed: 7);
            AssertPaths(direct + 1, shim + 1);

            Assert.Equal(0, Dpdk.rte_eth_remove_rx_callback(port.Id, 0, callback));
            Dpdk.rte_free(callback); // no other thread can be inside it: this one polls the queue
            Assert.Equal(ShimOnly, rx.HasCallbacks);

            (direct, shim) = Counters();
            Fill(ref burst, seed: 8);
            Assert.Equal(Count, tx.Transmit(ref burst));
            Assert.Equal(Count, rx.Receive(ref burst));
            Assert.Equal(Count, *seen); // not called any more
            AssertFrames(ref burst, seed: 8);
            AssertPaths(direct + 2, shim);
        }
        finally
        {
            NativeMemory.Free(seen);
        }
    }

    [Fact]
    public void A_tx_callback_makes_transmit_take_the_shim_path_and_what_it_returns_is_what_the_driver_gets()
    {
        var port = Fixture.Ring1Port;
        var rx = port.GetRxQueue(0);
        var tx = port.GetTxQueue(0);
        var seen = (long*)NativeMemory.AllocZeroed(sizeof(long));
        try
        {
            // The callback sees every packet and hands the driver all but the last (which it frees), as a filter would.
            var callback = Dpdk.rte_eth_add_tx_callback(port.Id, 0, &DropLastTx, seen);
            Assert.True(callback != null, "rte_eth_add_tx_callback failed");
            Assert.True(tx.HasCallbacks);

            var burst = new MbufBurst(stackalloc nint[Count]);
            var (direct, shim) = Counters();
            Fill(ref burst, seed: 40);
            // rte_eth_tx_burst reports what the driver took: Count - 1. The last slot's mbuf was freed by the
            // callback, so it must not be freed again: forget it.
            Assert.Equal(Count - 1, tx.Transmit(ref burst));
            Assert.Equal(1, burst.Count);
            burst.RemoveFirst(1);
            Assert.Equal(Count, *seen);
            Assert.Equal(Count - 1, rx.Receive(ref burst));
            AssertFrames(ref burst, seed: 40, count: Count - 1);
            AssertPaths(direct + 1, shim + 1);

            Assert.Equal(0, Dpdk.rte_eth_remove_tx_callback(port.Id, 0, callback));
            Dpdk.rte_free(callback);
            Assert.Equal(ShimOnly, tx.HasCallbacks);
        }
        finally
        {
            NativeMemory.Free(seen);
        }
    }

    [Fact]
    public void A_queue_handle_survives_stop_and_start()
    {
        var port = Fixture.Ring0Port;
        var rx = port.GetRxQueue(0);
        var tx = port.GetTxQueue(0);
        var burst = new MbufBurst(stackalloc nint[Count]);

        port.Stop(); // rte_eth_fp_ops[port] now holds DPDK's dummies, which the handles' caches pick up: bursts return 0
        try
        {
            Fill(ref burst, seed: 1);
            Assert.Equal(0, tx.Transmit(ref burst));
            Assert.Equal(Count, burst.Count); // still the caller's
            burst.FreeAll();
            Assert.Equal(0, rx.Receive(ref burst));
        }
        finally
        {
            port.Start();
        }

        Fill(ref burst, seed: 2);
        Assert.Equal(Count, tx.Transmit(ref burst));
        Assert.Equal(Count, rx.Receive(ref burst));
        AssertFrames(ref burst, seed: 2);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ushort CountRx(ushort port, ushort queue, rte_mbuf** packets, ushort received, ushort max, void* seen)
    {
        *(long*)seen += received;
        return received;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ushort DropLastTx(ushort port, ushort queue, rte_mbuf** packets, ushort count, void* seen)
    {
        *(long*)seen += count;
        if (count == 0)
        {
            return 0;
        }

        Dpdk.rte_pktmbuf_free(packets[count - 1]);
        return (ushort)(count - 1);
    }

    private void Fill(ref MbufBurst burst, int seed, int count = Count)
    {
        var start = burst.Count;
        Assert.True(Pool.AllocBulk(ref burst, count));
        for (var i = start; i < burst.Count; i++)
        {
            Assert.True(burst[i].Append(Length, out var frame));
            Frames.WriteUdp(frame, seed + i - start);
        }
    }

    /// <summary>Checks the first <paramref name="count"/> frames and frees the whole burst.</summary>
    private static void AssertFrames(ref MbufBurst burst, int seed, int count = Count)
    {
        try
        {
            Assert.True(burst.Count >= count);
            for (var i = 0; i < count; i++)
            {
                Assert.Equal(Frames.Udp(Length, seed + i), burst[i].Data.ToArray());
            }
        }
        finally
        {
            if (count == burst.Count)
            {
                burst.FreeAll();
            }
        }
    }

    private static int ShimReceive(ushort port, ref MbufBurst burst)
    {
        int received;
        fixed (nint* slots = &burst.FreeSlots)
        {
            received = Dpdk.rte_eth_rx_burst(port, 0, (rte_mbuf**)slots, (ushort)burst.FreeSpace);
        }

        burst.Grow(received);
        return received;
    }

    private static int ShimTransmit(ushort port, ref MbufBurst burst)
    {
        int sent;
        fixed (nint* slots = &burst.FirstSlot)
        {
            sent = Dpdk.rte_eth_tx_burst(port, 0, (rte_mbuf**)slots, (ushort)burst.Count);
        }

        burst.RemoveFirst(sent);
        return sent;
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
