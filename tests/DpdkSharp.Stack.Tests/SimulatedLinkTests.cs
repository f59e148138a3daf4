using System.Buffers.Binary;

namespace DpdkSharp.Stack.Tests;

/// <summary>
/// <see cref="SimulatedLink"/> and <see cref="NetworkSimulation"/>: impairments measured on raw frames
/// in virtual time, then on two interface cores exchanging UDP and ICMP through them.
/// </summary>
public class SimulatedLinkTests
{
    private const int FrameLength = 64;

    /// <summary>One delivered frame: when it arrived, which side sent it, and its bytes.</summary>
    private sealed record Arrival(long At, int FromSide, byte[] Frame)
    {
        public int Sequence => BinaryPrimitives.ReadInt32BigEndian(Frame.AsSpan(14));
    }

    /// <summary>A receiver that records every frame with the time it arrived.</summary>
    private sealed class Recorder(int fromSide, List<Arrival> log) : IFrameReceiver
    {
        public RxDisposition Receive(ReadOnlySpan<byte> frame, Instant now, RxChecksumStatus checksum = RxChecksumStatus.Unknown)
        {
            log.Add(new Arrival(now.Nanoseconds, fromSide, frame.ToArray()));
            return RxDisposition.Consumed;
        }

        public RxDisposition Receive(PacketBuffer buffer, int length, Instant now, RxChecksumStatus checksum, out bool kept)
        {
            throw new InvalidOperationException("The tests' links use two pools: frames are never lent.");
        }
    }

    /// <summary>A link between two recorders, raw frames sent by hand.</summary>
    private sealed class Bench : IDisposable
    {
        public readonly ArrayPacketBufferPool PoolA = new(4096), PoolB = new(4096);
        public readonly SimulatedLink Link;
        public readonly List<Arrival> Log = [];

        public Bench(Impairments? fromA, Impairments? fromB = null)
        {
            Link = new SimulatedLink(PoolA, PoolB, fromA, fromB);
            Link.Attach(new Recorder(1, Log), new Recorder(0, Log));
        }

        /// <summary>Sends a frame carrying <paramref name="sequence"/> from A (or B) at the link's current time.</summary>
        public bool Send(int sequence, int length = FrameLength, bool fromB = false)
        {
            var pool = fromB ? PoolB : PoolA;
            Assert.True(pool.TryRent(out var buffer));
            var span = pool.GetSpan(buffer)[..length];
            span.Clear();
            BinaryPrimitives.WriteInt32BigEndian(span[14..], sequence);
            return (fromB ? Link.SinkB : Link.SinkA).Transmit(buffer, length, default);
        }

        public void Dispose()
        {
            Link.Dispose();
            Assert.Equal(0, Link.Pending);
            Assert.Equal(0, PoolA.Outstanding);
            Assert.Equal(0, PoolB.Outstanding);
        }
    }

    [Theory]
    [InlineData(1, 0.1)]
    [InlineData(2, 0.1)]
    [InlineData(3, 0.5)]
    [InlineData(4, 0.02)]
    public void Loss_rate_stays_within_four_sigma_of_the_setting(int seed, double loss)
    {
        const int n = 10_000;
        using var bench = new Bench(new Impairments { Seed = seed, Loss = loss });
        for (int i = 0; i < n; i++)
        {
            Assert.True(bench.Send(i));
            bench.Link.DeliverDue(bench.Link.Now);
        }
        var counters = bench.Link.CountersA;
        double sigma = Math.Sqrt(n * loss * (1 - loss));
        Assert.InRange(counters.Lost, n * loss - 4 * sigma, n * loss + 4 * sigma);
        Assert.Equal(n, counters.FramesIn);
        Assert.Equal(n - counters.Lost, counters.Delivered);
        Assert.Equal(counters.Delivered, bench.Log.Count);
        // The survivors arrive once each, in order, unchanged.
        Assert.Equal(bench.Log.Select(a => a.Sequence).Order(), bench.Log.Select(a => a.Sequence));
        Assert.Equal(n - counters.Lost, bench.Log.Select(a => a.Sequence).Distinct().Count());
    }

    [Fact]
    public void Duplicated_frames_arrive_twice_and_are_counted()
    {
        const int n = 10_000;
        using var bench = new Bench(new Impairments { Seed = 5, Duplication = 0.2 });
        int delivered = 0;
        for (int i = 0; i < n; i++)
        {
            bench.Send(i);
            if (i % 1000 == 999)
            {
                delivered += bench.Link.DeliverDue(bench.Link.Now);
            }
        }
        Assert.Equal(n + bench.Link.CountersA.Duplicated, delivered);
        double sigma = Math.Sqrt(n * 0.2 * 0.8);
        Assert.InRange(bench.Link.CountersA.Duplicated, 2000 - 4 * sigma, 2000 + 4 * sigma);
        var copies = bench.Log.GroupBy(a => a.Sequence).Select(g => g.Count()).ToList();
        Assert.Equal(n, copies.Count);
        Assert.All(copies, c => Assert.InRange(c, 1, 2));
        Assert.Equal(bench.Link.CountersA.Duplicated, copies.Count(c => c == 2));
        Assert.Equal(0, bench.Link.CountersA.NoBuffer);
    }

    [Fact]
    public void Reordered_frames_arrive_late_by_the_reorder_delay_and_are_overtaken()
    {
        const int n = 2000;
        using var bench = new Bench(new Impairments { Seed = 6, Reorder = 0.1, ReorderDelay = TimeSpan.FromMilliseconds(3) });
        for (int i = 0; i < n; i++)
        {
            bench.Link.DeliverDue(At(i * Ms));
            bench.Send(i);
        }
        bench.Link.DeliverDue(At(n * Ms + 10 * Ms));
        Assert.Equal(n, bench.Log.Count);
        var late = bench.Log.Where(a => a.At != a.Sequence * Ms).ToList();
        Assert.Equal(bench.Link.CountersA.Reordered, late.Count);
        Assert.InRange(late.Count, 120, 280);
        Assert.All(late, a => Assert.Equal(a.Sequence * Ms + 3 * Ms, a.At));
        // Each held-back frame comes after the frames sent in the next 3 ms that were not held back.
        var position = bench.Log.Select((a, index) => (a.Sequence, index)).ToDictionary(p => p.Sequence, p => p.index);
        foreach (var a in late.Where(a => a.Sequence + 1 < n && bench.Log[position[a.Sequence + 1]].At == (a.Sequence + 1) * Ms))
        {
            Assert.True(position[a.Sequence] > position[a.Sequence + 1]);
        }
        Assert.True(late.Count(a => a.Sequence + 1 < n && position[a.Sequence] > position[a.Sequence + 1]) > 100);
    }

    [Fact]
    public void Delay_shifts_every_arrival_exactly_and_jitter_stays_within_its_bound()
    {
        using (var bench = new Bench(new Impairments { Delay = TimeSpan.FromMilliseconds(30) }))
        {
            for (int i = 0; i < 100; i++)
            {
                bench.Link.DeliverDue(At(i * Ms));
                bench.Send(i);
                Assert.Equal(At((Math.Max(0, i - 29) + 30) * Ms), bench.Link.NextDeliveryAt);
            }
            bench.Link.DeliverDue(At(200 * Ms));
            Assert.Equal(100, bench.Log.Count);
            Assert.All(bench.Log, a => Assert.Equal(a.Sequence * Ms + 30 * Ms, a.At));
        }
        using (var bench = new Bench(new Impairments { Seed = 9, Delay = TimeSpan.FromMilliseconds(30), Jitter = TimeSpan.FromMilliseconds(10) }))
        {
            for (int i = 0; i < 1000; i++)
            {
                bench.Send(i);
            }
            Assert.Equal(0, bench.Link.DeliverDue(At(30 * Ms - 1)));
            bench.Link.DeliverDue(At(40 * Ms));
            Assert.Equal(1000, bench.Log.Count);
            Assert.All(bench.Log, a => Assert.InRange(a.At, 30 * Ms, 40 * Ms));
            Assert.InRange(bench.Log.Min(a => a.At), 30 * Ms, 30 * Ms + Ms / 10);
            Assert.InRange(bench.Log.Max(a => a.At), 40 * Ms - Ms / 10, 40 * Ms);
            Assert.Equal(bench.Log.Select(a => a.At).Order(), bench.Log.Select(a => a.At)); // delivered in arrival order
        }
    }

    [Fact]
    public void Rate_limit_spaces_frames_at_the_rate_and_drops_what_exceeds_the_queue()
    {
        // 8 Mbit/s: a 1000-byte frame takes 1 ms; the queue holds ten of them.
        var rate = new Impairments { RateBitsPerSecond = 8_000_000, QueueLimitBytes = 10_000 };
        using (var bench = new Bench(rate))
        {
            int accepted = 0;
            for (int i = 0; i < 100; i++)
            {
                accepted += bench.Send(i, 1000) ? 1 : 0;
            }
            Assert.Equal(10, accepted);
            Assert.Equal(90, bench.Link.CountersA.RateDropped);
            bench.Link.DeliverDue(At(Sec));
            Assert.Equal(Enumerable.Range(1, 10).Select(k => k * Ms), bench.Log.Select(a => a.At));
            Assert.Equal(Enumerable.Range(0, 10), bench.Log.Select(a => a.Sequence));
        }
        using (var bench = new Bench(rate))
        {
            // Offered at twice the rate for one second: what gets through is the rate (plus the queue), the rest is dropped.
            for (int i = 0; i < 2000; i++)
            {
                bench.Link.DeliverDue(At(i * Ms / 2));
                bench.Send(i, 1000);
            }
            bench.Link.DeliverDue(At(Sec));
            long bytes = bench.Log.Count * 1000L;
            Assert.InRange(bytes * 8, 8_000_000 - 8_000, 8_000_000);
            Assert.Equal(2000 - bench.Log.Count - bench.Link.Pending, bench.Link.CountersA.RateDropped);
            Assert.InRange(bench.Link.Pending, 1, 10);
            var gaps = bench.Log.Zip(bench.Log.Skip(1), (x, y) => y.At - x.At);
            Assert.All(gaps, g => Assert.True(g >= Ms, $"frames {g} ns apart at 1 ms per frame"));
        }
    }

    [Fact]
    public void Frames_arriving_together_leave_in_send_order_across_both_directions()
    {
        var delay = new Impairments { Delay = TimeSpan.FromMilliseconds(5) };
        using var bench = new Bench(delay, delay);
        for (int i = 0; i < 10; i++)
        {
            bench.Send(i, fromB: i % 3 == 0);
        }
        Assert.Equal(At(5 * Ms), bench.Link.NextDeliveryAt);
        Assert.Equal(10, bench.Link.DeliverDue(At(5 * Ms)));
        Assert.Equal(Enumerable.Range(0, 10), bench.Log.Select(a => a.Sequence));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i % 3 == 0 ? 1 : 0), bench.Log.Select(a => a.FromSide));
        Assert.Null(bench.Link.NextDeliveryAt);
        Assert.Throws<ArgumentOutOfRangeException>(() => bench.Link.DeliverDue(At(4 * Ms)));
    }

    /// <summary>Everything at once, in both directions, with the given seeds: the trace of arrivals and the counters.</summary>
    private static (List<(long At, int From, string Frame)> Trace, string Counters) Run(int seedA, int seedB)
    {
        Impairments All(int seed) => new()
        {
            Seed = seed, Loss = 0.05, Duplication = 0.05, Reorder = 0.05, ReorderDelay = TimeSpan.FromMilliseconds(2),
            Corruption = 0.05, Delay = TimeSpan.FromMilliseconds(1), Jitter = TimeSpan.FromMicroseconds(300),
            RateBitsPerSecond = 100_000_000, QueueLimitBytes = 20_000,
        };
        using var bench = new Bench(All(seedA), All(seedB));
        for (int i = 0; i < 3000; i++)
        {
            bench.Link.DeliverDue(At(i * 20_000));
            bench.Send(i, 200 + i % 1000, fromB: i % 2 == 1);
        }
        bench.Link.DeliverDue(At(Sec));
        return (bench.Log.Select(a => (a.At, a.FromSide, Convert.ToHexString(a.Frame))).ToList(),
            $"{bench.Link.CountersA} / {bench.Link.CountersB}");
    }

    [Fact]
    public void The_same_seeds_give_the_same_trace_and_other_seeds_another()
    {
        var first = Run(11, 12);
        var again = Run(11, 12);
        Assert.Equal(first.Counters, again.Counters);
        Assert.Equal(first.Trace, again.Trace);
        var other = Run(13, 12);
        Assert.NotEqual(first.Counters, other.Counters);
        Assert.NotEqual(first.Trace, other.Trace);
        Assert.Equal(first.Trace.Where(t => t.From == 1), other.Trace.Where(t => t.From == 1)); // B's direction kept its seed
    }

    [Fact]
    public void Impairments_refuse_probabilities_outside_zero_to_one_and_negative_times()
    {
        var loss = Assert.Throws<ArgumentOutOfRangeException>(() => new Impairments { Loss = 1.5 });
        Assert.Equal("Loss", loss.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Impairments { Duplication = -0.1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new Impairments { Reorder = double.NaN });
        Assert.Throws<ArgumentOutOfRangeException>(() => new Impairments { Corruption = 2 });
        var delay = Assert.Throws<ArgumentOutOfRangeException>(() => new Impairments { Delay = TimeSpan.FromTicks(-1) });
        Assert.Equal("Delay", delay.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Impairments { Jitter = TimeSpan.FromMilliseconds(-1) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new Impairments { ReorderDelay = TimeSpan.FromMilliseconds(-1) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new Impairments { RateBitsPerSecond = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new Impairments { QueueLimitBytes = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => Impairments.None with { Loss = -1 });
        Assert.Equal(new Impairments(), Impairments.None);
        Assert.Equal(1.0, new Impairments { Loss = 1 }.Loss);
    }

    [Fact]
    public void Corrupted_udp_datagrams_are_dropped_by_the_receiving_core_as_bad_checksums()
    {
        using var p = new SimulatedPair(new Impairments { Seed = 21, Corruption = 0.2 });
        p.A.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 5000), out var client);
        p.B.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 7), out var server);
        var payload = new byte[1000];
        new Random(1).NextBytes(payload);
        var buffer = new byte[2000];
        int received = 0;
        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal(NetError.None, p.A.SendUdp(client, new Ipv4Endpoint(Net.PeerIp, 7), payload, p.Sim.Now));
            p.Sim.RunFor(TimeSpan.FromMilliseconds(1));
            while (p.B.Udp.TryReceive(server, buffer, out var r) == NetError.None)
            {
                Assert.Equal(payload, buffer.AsSpan(0, r.DatagramLength).ToArray());
                received++;
            }
        }
        long corrupted = p.Link.CountersA.Corrupted;
        Assert.InRange(corrupted, 150, 250);
        Assert.Equal(1000 - corrupted, received);
        Assert.Equal(corrupted, p.B.Counters.FramesDropped);
        // A flipped bit in the IP header's length or version fields fails parsing first; every other one fails a checksum.
        Assert.InRange(p.B.Counters.DropCount(DropReason.BadChecksum), corrupted * 95 / 100, corrupted);
    }

    [Fact]
    public void A_ping_round_trip_takes_exactly_both_delays_in_virtual_time()
    {
        using var p = new SimulatedPair(new Impairments { Delay = TimeSpan.FromMilliseconds(7) }, new Impairments { Delay = TimeSpan.FromMilliseconds(13) });
        var data = "ping"u8.ToArray();
        var buffer = new byte[16];
        EchoReply reply = default;
        p.Sim.RunFor(TimeSpan.FromMilliseconds(50));
        var sentAt = p.Sim.Now;
        Assert.Equal(NetError.None, p.A.SendEchoRequest(Net.PeerIp, 1, 1, data, sentAt));
        Assert.True(p.Sim.RunUntil(() => p.A.TryReceiveEchoReply(buffer, out reply), sentAt + TimeSpan.FromSeconds(1)));
        Assert.Equal(sentAt + TimeSpan.FromMilliseconds(20), p.Sim.Now);
        Assert.Equal(new EchoReply(Net.PeerIp, 1, 1, 4, 4), reply);
    }

    [Fact]
    public void Arp_retries_driven_by_the_simulation_get_a_datagram_through_a_lossy_link()
    {
        // Most of B's frames (all of them ARP replies) are lost: A must ask again, on its timers.
        using var p = new SimulatedPair(fromB: new Impairments { Seed = 1, Loss = 0.6, Delay = TimeSpan.FromMilliseconds(2) }, staticNeighbors: false);
        p.A.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 5000), out var client);
        p.B.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 7), out var server);
        var buffer = new byte[16];
        int sent = 0;
        int received = 0;
        var deadline = At(60 * Sec);
        while (received < 20 && p.Sim.Now < deadline)
        {
            p.A.SendUdp(client, new Ipv4Endpoint(Net.PeerIp, 7), BitConverter.GetBytes(sent++), p.Sim.Now);
            p.Sim.RunFor(TimeSpan.FromMilliseconds(500));
            while (p.B.Udp.TryReceive(server, buffer, out _) == NetError.None)
            {
                received++;
            }
        }
        Assert.Equal(20, received);
        Assert.True(p.Link.CountersB.Lost > 0, p.Link.CountersB.ToString());
        Assert.Equal(ArpEntryState.Reachable, p.A.Neighbors.GetState(Net.PeerIp));
        // Each lost reply cost A another request (a retry 1 s later, from the timers the simulation polled).
        Assert.Equal(p.Link.CountersB.FramesIn, p.A.Counters.SentPackets(NetLayer.Arp));
        Assert.Equal(p.Link.CountersB.Lost + 1, p.A.Counters.SentPackets(NetLayer.Arp));
        Assert.True(p.Sim.Steps < 10_000, $"{p.Sim.Steps} steps");
    }

    [Fact]
    public void Extra_timer_sources_are_polled_at_exactly_their_deadlines()
    {
        using var p = new SimulatedPair();
        var polls = new List<Instant>();
        var next = At(250 * Ms);
        p.Sim.AddTimerSource(() => next, now =>
        {
            polls.Add(now);
            next = now + TimeSpan.FromMilliseconds(250);
        });
        Assert.False(p.Sim.RunUntil(() => polls.Count == 100, At(Sec)));
        Assert.Equal(At(Sec), p.Sim.Now);
        Assert.Equal([At(250 * Ms), At(500 * Ms), At(750 * Ms), At(Sec)], polls);
        Assert.True(p.Sim.RunUntil(() => polls.Count == 6, At(10 * Sec)));
        Assert.Equal(At(1500 * Ms), p.Sim.Now);

        // A source that stays due after its poll would spin forever at one instant: the simulation says so.
        p.Sim.AddTimerSource(() => Instant.Zero, _ => { });
        Assert.Throws<InvalidOperationException>(() => p.Sim.RunUntil(() => false, At(20 * Sec)));
    }
}
