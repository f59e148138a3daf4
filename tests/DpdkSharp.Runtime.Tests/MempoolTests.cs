using DpdkSharp.Runtime.Tests.Infrastructure;

namespace DpdkSharp.Runtime.Tests;

public sealed class MempoolTests(DpdkFixture fixture) : DpdkTest(fixture)
{
    [Theory]
    [InlineData(1023, 513)]  // above RTE_MEMPOOL_CACHE_MAX_SIZE
    [InlineData(100, 68)]    // flush threshold 68 * 3 / 2 = 102 above the count (DPDK's own rule)
    [InlineData(100, -1)]
    public void Cache_sizes_DPDK_would_refuse_are_rejected_with_the_limit(int count, int cache)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Mempool.CreatePacketPool("bad_cache", count, cache));
        Assert.Equal("cacheSize", e.ParamName);
    }

    [Fact]
    public void Names_counts_and_private_sizes_are_validated()
    {
        Assert.Throws<ArgumentException>(() => Mempool.CreatePacketPool(new string('x', 40), 63));
        Assert.Throws<ArgumentOutOfRangeException>(() => Mempool.CreatePacketPool("zero", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Mempool.CreatePacketPool("priv", 63, privateSize: 3));
    }

    [Fact]
    public void A_duplicate_name_is_a_DpdkException_with_errno()
    {
        using var pool = Mempool.CreatePacketPool("dup_pool", 63, 0);
        var e = Assert.Throws<DpdkException>(() => Mempool.CreatePacketPool("dup_pool", 63, 0));
        Assert.Equal("rte_pktmbuf_pool_create", e.Function);
        Assert.Equal(17 /* EEXIST */, e.ErrorCode);
        Assert.Contains("dup_pool", e.Message);
    }

    [Fact]
    public void Counts_follow_alloc_and_free()
    {
        using var pool = Mempool.CreatePacketPool("count_pool", 127, 0);
        Assert.Equal(127, pool.Capacity);
        Assert.Equal(127, pool.AvailableCount);
        var m = pool.Alloc();
        Assert.Equal(1, pool.InUseCount);
        Assert.Equal(126, pool.AvailableCount);
        Assert.Equal(Interop.Dpdk.RTE_MBUF_DEFAULT_BUF_SIZE, pool.DataRoomSize);
        m.Free();
        Assert.Equal(0, pool.InUseCount);
    }

    [Fact]
    public void Bulk_alloc_fills_the_burst_all_or_nothing_and_exhaustion_is_reported_cleanly()
    {
        using var pool = Mempool.CreatePacketPool("bulk_pool", 63, 0);
        Span<nint> slots = stackalloc nint[64];
        var burst = new MbufBurst(slots);
        Assert.True(pool.AllocBulk(ref burst, 60));
        Assert.Equal(60, burst.Count);
        Assert.Equal(60, pool.InUseCount);

        Assert.False(pool.AllocBulk(ref burst, 4)); // only 3 left: none taken
        Assert.Equal(60, burst.Count);
        Assert.True(pool.TryAlloc(out var a));
        Assert.True(pool.TryAlloc(out var b));
        Assert.True(pool.TryAlloc(out var c));
        Assert.False(pool.TryAlloc(out var none));
        Assert.True(none.IsNull);
        var e = Assert.Throws<DpdkException>(() => { pool.Alloc(); });
        Assert.Equal(105, e.ErrorCode);
        Assert.Contains("exhausted", e.Message);

        Assert.True(burst.TryAdd(a));
        Assert.True(burst.TryAdd(b));
        Assert.True(burst.TryAdd(c));
        Assert.Equal(63, burst.Count);
        burst.FreeAll();
        Assert.Equal(0, burst.Count);
        Assert.Equal(0, pool.InUseCount);
    }

    [Fact]
    public unsafe void Raw_bulk_alloc_takes_all_or_nothing_and_leaves_the_fields_as_their_last_user_set_them()
    {
        using var pool = Mempool.CreatePacketPool("raw_pool", 63, 0);
        Span<nint> slots = stackalloc nint[64];
        var burst = new MbufBurst(slots);
        Assert.True(pool.AllocBulk(ref burst, 63));
        foreach (var m in burst)
        {
            m.Pointer->data_off = 7; // what a reset puts back: the raw alloc must not
            m.Pointer->ol_flags = 1;
        }

        burst.FreeAll();
        Assert.True(pool.AllocBulkRaw(ref burst, 60));
        Assert.Equal(60, burst.Count);
        Assert.Equal(60, pool.InUseCount);
        Assert.False(pool.AllocBulkRaw(ref burst, 4)); // only 3 left: none taken
        Assert.Equal(60, burst.Count);
        foreach (var m in burst)
        {
            Assert.Equal(7, m.Headroom);
            Assert.Equal(1UL, m.Pointer->ol_flags);
            Assert.Equal(1, m.Pointer->nb_segs); // what every mbuf in its pool has
            Assert.True(m.Pointer->next == null);
        }

        burst.FreeAll();
        Assert.Equal(0, pool.InUseCount);
        Assert.True(pool.AllocBulk(ref burst, 63)); // the reset puts the headroom back
        Assert.Equal(Mempool.Headroom, burst[0].Headroom);
        burst.FreeAll();
    }

    [Fact]
    public void Dispose_with_mbufs_out_keeps_the_pool_until_they_are_back_and_does_not_throw()
    {
        var pool = Mempool.CreatePacketPool("dispose_pool", 63, 0);
        var m = pool.Alloc();
        pool.Dispose();
        Assert.Equal(1, pool.InUseCount); // still there: the mbuf stays valid
        Assert.False(pool.TryDispose(out var inUse));
        Assert.Equal(1, inUse);
        m.Free();
        pool.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pool.AvailableCount);
    }

    [Fact]
    public void A_pool_disposed_with_mbufs_out_while_an_exception_unwinds_leaves_that_exception_alone()
    {
        var pool = Mempool.CreatePacketPool("unwind_pool", 63, 0);
        var m = pool.Alloc();
        var e = Assert.Throws<TimeoutException>(void () =>
        {
            using (pool)
            {
                throw new TimeoutException("the user's own error");
            }
        });
        Assert.Equal("the user's own error", e.Message);
        m.Free();
        Assert.True(pool.TryDispose(out _));
    }

    [Fact]
    public void A_burst_over_more_slots_than_free_space_is_refused()
    {
        Span<nint> slots = stackalloc nint[4];
        var burst = new MbufBurst(slots);
        try
        {
            Pool.AllocBulk(ref burst, 5);
            Assert.Fail("expected ArgumentOutOfRangeException");
        }
        catch (ArgumentOutOfRangeException)
        {
        }
        Assert.Equal(0, burst.Count);
    }
}
