using DpdkSharp.Runtime.Tests.Infrastructure;

namespace DpdkSharp.Runtime.Tests;

public sealed class RingTests(DpdkFixture fixture) : DpdkTest(fixture)
{
    [Fact]
    public void Counts_must_be_powers_of_two_unless_exact_size_is_asked()
    {
        var e = Assert.Throws<ArgumentException>(() => Ring.Create("ring_bad", 1000));
        Assert.Contains("power of two", e.Message);
        using var exact = Ring.Create("ring_exact", 1000, RingFlags.ExactSize);
        Assert.Equal(1000, exact.Capacity);
        using var pow2 = Ring.Create("ring_pow2", 1024, RingFlags.SingleProducer | RingFlags.SingleConsumer);
        Assert.Equal(1023, pow2.Capacity);
        var dup = Assert.Throws<DpdkException>(() => Ring.Create("ring_pow2", 1024));
        Assert.Equal(17, dup.ErrorCode);
    }

    [Fact]
    public void Burst_moves_what_fits_and_bulk_all_or_nothing()
    {
        using var ring = Ring.Create("ring_ops", 8); // holds 7
        nint[] values = [1, 2, 3, 4, 5];
        Assert.True(ring.EnqueueBulk(values));
        Assert.False(ring.EnqueueBulk(values)); // 2 free: none taken
        Assert.Equal(5, ring.Count);
        Assert.Equal(2, ring.EnqueueBurst(values));
        Assert.Equal(0, ring.FreeCount);

        var out6 = new nint[6];
        Assert.True(ring.DequeueBulk(out6));
        Assert.Equal([1, 2, 3, 4, 5, 1], out6);
        Assert.False(ring.DequeueBulk(new nint[2]));
        var rest = new nint[4];
        Assert.Equal(1, ring.DequeueBurst(rest));
        Assert.Equal(2, rest[0]);
    }

    [Fact]
    public void Mbuf_bursts_move_ownership_through_a_ring()
    {
        using var ring = Ring.Create("ring_mbufs", 16);
        var burst = new MbufBurst(stackalloc nint[32]);
        Assert.True(Pool.AllocBulk(ref burst, 20));
        Assert.Equal(15, ring.Enqueue(ref burst));
        Assert.Equal(5, burst.Count); // what did not fit stays ours
        Assert.Equal(15, ring.Dequeue(ref burst));
        Assert.Equal(20, burst.Count);
        burst.FreeAll();
    }

    [Fact]
    public void Multi_producer_multi_consumer_across_two_lcores_loses_and_duplicates_nothing()
    {
        const int perProducer = 200_000;
        using var ring = Ring.Create("ring_mpmc", 1024);
        var worker = Lcore.Workers[0].Id;
        var workerSeen = new List<nint>(perProducer * 2);
        var mainSeen = new List<nint>(perProducer * 2);
        var consumed = 0L;

        // Both sides enqueue their own range and dequeue whatever comes, until everything was consumed.
        void Run(nint first, List<nint> seen)
        {
            Span<nint> batch = stackalloc nint[8];
            Span<nint> got = stackalloc nint[8];
            var next = first;
            var end = first + perProducer;
            while (Interlocked.Read(ref consumed) < 2 * perProducer)
            {
                if (next < end)
                {
                    var n = (int)Math.Min(8, end - next);
                    for (var i = 0; i < n; i++)
                    {
                        batch[i] = next + i;
                    }

                    next += ring.EnqueueBurst(batch[..n]);
                }
                var d = ring.DequeueBurst(got);
                for (var i = 0; i < d; i++)
                {
                    seen.Add(got[i]);
                }

                Interlocked.Add(ref consumed, d);
            }
        }

        var launch = Lcore.Launch(worker, () => Run(1, workerSeen));
        Run(1 + perProducer, mainSeen);
        launch.Wait();

        var all = workerSeen.Concat(mainSeen).ToList();
        Assert.Equal(2 * perProducer, all.Count);
        Assert.Equal(2 * perProducer, all.Distinct().Count());
        Assert.Equal(1, all.Min());
        Assert.Equal(2 * perProducer, all.Max());
        Assert.Equal(0, ring.Count);
    }
}

public sealed class LcoreTests(DpdkFixture fixture) : DpdkTest(fixture)
{
    [Fact]
    public void Lcores_are_enumerated_with_their_socket_and_the_main_one()
    {
        Assert.Equal(2, Lcore.Count);
        Assert.Equal([0, 1], Lcore.All.Select(l => l.Id));
        Assert.True(Lcore.All[0].IsMain);
        Assert.Equal(0, Lcore.MainId);
        Assert.Equal([1], Lcore.Workers.Select(l => l.Id));
        Assert.All(Lcore.All, l => Assert.True(l.SocketId >= 0));
    }

    [Fact]
    public void Managed_code_runs_on_a_worker_lcore_and_returns_its_result()
    {
        var launch = Lcore.Launch(1, () => Lcore.CurrentId * 100 + 7);
        Assert.Equal(107, launch.Wait());
        Assert.Throws<InvalidOperationException>(() => launch.Wait());
    }

    [Fact]
    public void An_exception_on_the_worker_surfaces_at_the_wait()
    {
        var launch = Lcore.Launch(1, () => throw new FormatException("boom on the worker"));
        var e = Assert.Throws<LcoreException>(() => launch.Wait());
        Assert.Equal(1, e.LcoreId);
        Assert.IsType<FormatException>(e.InnerException);
        Assert.Contains("boom on the worker", e.Message);
        // The lcore is usable again.
        Assert.Equal(1, Lcore.Launch(1, () => 1).Wait());
    }

    [Fact]
    public void Launching_on_the_main_or_an_unknown_lcore_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Lcore.Launch(0, () => 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Lcore.Launch(5, () => 0));
    }
}
