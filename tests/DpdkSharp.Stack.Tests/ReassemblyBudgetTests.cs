namespace DpdkSharp.Stack.Tests;

/// <summary>
/// #11: reassembly bounded by memory, with a per-source share and oldest-first eviction, so
/// incomplete datagrams cannot lock new ones out; no hole limit; overlaps handled in
/// <see cref="ReassemblyTests"/>.
/// </summary>
public class ReassemblyBudgetTests
{
    private static readonly byte[] Junk = [1, 2, 3, 4, 5, 6, 7, 8];

    private static byte[] Payload(int length, int seed)
    {
        var p = new byte[length];
        new Random(seed).NextBytes(p);
        return p;
    }

    private static Ipv4Address Host(int i) => new(0x0A01_0000u | (uint)(i + 1)); // 10.1.x.y

    /// <summary>A fragment from any source to us.</summary>
    private static byte[] From(Ipv4Address source, ReadOnlySpan<byte> l4, ushort id, bool mf, int offset, byte protocol = 17) =>
        Build.Ethernet(Net.UsMac, Net.PeerMac, 0x0800, Build.Ipv4(source, Net.UsIp, protocol, l4, id, 64, false, mf, offset));

    private static (NetworkInterfaceCore Core, CaptureSink Sink, UdpHandle Handle) Receiver(ReassemblyOptions? reassembly = null)
    {
        var (core, sink, _) = Net.Core(o => o with
        {
            Reassembly = reassembly ?? new ReassemblyOptions(),
            StaticNeighbors = [new(Net.PeerIp, Net.PeerMac)],
            Udp = new UdpOptions { ReceiveBufferBytes = 1 << 20 },
        });
        Assert.Equal(NetError.None, core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 7), out var h));
        return (core, sink, h);
    }

    /// <summary>Sends a whole UDP datagram from the peer in fragments of <paramref name="chunk"/> bytes, in order; the last disposition.</summary>
    private static RxDisposition SendLegitimate(NetworkInterfaceCore core, byte[] data, ushort id, Instant now, int chunk = 1480)
    {
        var l4 = Build.Udp(Net.PeerIp, Net.UsIp, 1, 7, data);
        var d = RxDisposition.Dropped;
        for (int offset = 0; offset < l4.Length; offset += chunk)
        {
            int n = Math.Min(chunk, l4.Length - offset);
            d = core.Receive(Build.FromPeer(17, l4.AsSpan(offset, n), id, mf: offset + n < l4.Length, offset: offset), now);
        }
        return d;
    }

    private static byte[] ReceiveOne(NetworkInterfaceCore core, UdpHandle h)
    {
        var buffer = new byte[70000];
        Assert.Equal(NetError.None, core.Udp.TryReceive(h, buffer, out var r));
        return buffer.AsSpan(0, r.BytesCopied).ToArray();
    }

    [Fact]
    public void Sixteen_incomplete_datagrams_kept_alive_do_not_lock_out_a_fragmented_datagram()
    {
        // #11 item 1, as reported: 16 one-fragment datagrams, then one more every 2 s.
        var (core, _, h) = Receiver();
        for (int i = 0; i < 16; i++)
        {
            Assert.Equal(RxDisposition.Buffered, core.Receive(From(Host(i), Junk, 1, mf: true, offset: 0), At(0)));
        }
        var data = Payload(4000, 1);
        for (int t = 2; t <= 60; t += 2)
        {
            core.Receive(From(Host(100 + t), Junk, 1, mf: true, offset: 0), At(t * T.Sec));
            core.Poll(At(t * T.Sec));
            if (t % 10 == 0)
            {
                Assert.Equal(RxDisposition.Delivered, SendLegitimate(core, data, (ushort)t, At(t * T.Sec)));
                Assert.Equal(data, ReceiveOne(core, h));
            }
        }
        Assert.Equal(0, core.Counters.DropCount(DropReason.ReassemblyLimit));
    }

    [Fact]
    public void A_flood_from_many_sources_does_not_stop_a_datagram_from_another_source()
    {
        var (core, _, h) = Receiver();
        int fit = core.Reassembly.MaxDatagrams;
        Assert.True(fit >= 300, $"1 MiB holds {fit} small datagrams");
        var data = Payload(20000, 2);
        var l4 = Build.Udp(Net.PeerIp, Net.UsIp, 1, 7, data);
        // The first fragment of the real datagram, then a flood three times what the budget holds...
        Assert.Equal(RxDisposition.Buffered, core.Receive(Build.FromPeer(17, l4.AsSpan(0, 1480), 99, mf: true), At(0)));
        for (int i = 0; i < 3 * fit; i++)
        {
            core.Receive(From(Host(i), Junk, (ushort)i, mf: true, offset: 8 * (i % 100)), At(T.Ms));
            Assert.InRange(core.Reassembly.BufferedBytes, 0, 1 << 20);
            Assert.InRange(core.Reassembly.InProgress, 0, fit);
        }
        // ... pushed the oldest out, the real datagram first: it is gone, counted as evicted.
        Assert.Equal(2 * fit + 1, core.Counters.DropCount(DropReason.ReassemblyLimit, DropStage.Buffered));
        Assert.Equal(0, core.Counters.DropCount(DropReason.ReassemblyLimit));
        // Sent again while the flood holds every byte of the budget: it pushes the oldest junk out and completes.
        Assert.Equal(RxDisposition.Delivered, SendLegitimate(core, data, 100, At(2 * T.Ms)));
        Assert.Equal(data, ReceiveOne(core, h));
        // And a flood smaller than the room left does not touch a datagram in progress.
        core.Poll(At(60 * T.Sec));
        Assert.Equal(0, core.Reassembly.InProgress);
        Assert.Equal(RxDisposition.Buffered, core.Receive(Build.FromPeer(17, l4.AsSpan(0, 1480), 101, mf: true), At(61 * T.Sec)));
        for (int i = 0; i < fit / 2; i++)
        {
            core.Receive(From(Host(i), Junk, (ushort)i, mf: true, offset: 0), At(61 * T.Sec));
        }
        for (int offset = 1480; offset < l4.Length; offset += 1480)
        {
            int n = Math.Min(1480, l4.Length - offset);
            core.Receive(Build.FromPeer(17, l4.AsSpan(offset, n), 101, mf: offset + n < l4.Length, offset: offset), At(62 * T.Sec));
        }
        Assert.Equal(data, ReceiveOne(core, h));
    }

    [Fact]
    public void A_flood_from_one_source_stays_within_its_share_and_does_not_disturb_others()
    {
        var (core, _, h) = Receiver();
        var attacker = Ipv4Address.Parse("10.9.9.9");
        const int share = (1 << 20) / 4;
        var data = Payload(30000, 3);
        var l4 = Build.Udp(Net.PeerIp, Net.UsIp, 1, 7, data);
        // A datagram from the peer in progress before and during the flood.
        Assert.Equal(RxDisposition.Buffered, core.Receive(Build.FromPeer(17, l4.AsSpan(0, 1480), 5, mf: true), At(0)));
        for (int i = 0; i < 5000; i++)
        {
            core.Receive(From(attacker, Junk, (ushort)i, mf: true, offset: 0), At(i * T.Ms / 10));
            Assert.InRange(core.Reassembly.BufferedBytesFrom(attacker), 0, share);
        }
        int held = share / Ipv4Reassembler.MinDatagramBytes;
        Assert.Equal(held + 1, core.Reassembly.InProgress); // the attacker's newest, and the peer's datagram
        Assert.Equal(5000 - held, core.Counters.DropCount(DropReason.ReassemblyLimit, DropStage.Buffered));
        for (int offset = 1480; offset < l4.Length; offset += 1480)
        {
            int n = Math.Min(1480, l4.Length - offset);
            core.Receive(Build.FromPeer(17, l4.AsSpan(offset, n), 5, mf: offset + n < l4.Length, offset: offset), At(T.Sec));
        }
        Assert.Equal(data, ReceiveOne(core, h));
        Assert.Equal(RxDisposition.Delivered, SendLegitimate(core, data, 6, At(T.Sec)));
        Assert.Equal(data, ReceiveOne(core, h));
    }

    [Fact]
    public void The_oldest_datagram_is_pushed_out_first()
    {
        // Room for four small datagrams (3 KiB each) in a 12 KiB budget, whatever their sources.
        var (core, _, h) = Receiver(new ReassemblyOptions { MaxBufferedBytes = 12 * 1024, MaxBufferedBytesPerSource = 12 * 1024 });
        var datagrams = new List<byte[]>();
        for (ushort id = 1; id <= 5; id++)
        {
            var l4 = Build.Udp(Net.PeerIp, Net.UsIp, 1, 7, Payload(40, id));
            datagrams.Add(l4);
            Assert.Equal(RxDisposition.Buffered, core.Receive(Build.FromPeer(17, l4.AsSpan(0, 24), id, mf: true), At(id * T.Ms)));
        }
        Assert.Equal(1, core.Counters.DropCount(DropReason.ReassemblyLimit, DropStage.Buffered));
        Assert.Equal(4, core.Reassembly.InProgress);
        // Datagram 1 was pushed out: its second half starts a new, incomplete one (pushing out 2).
        Assert.Equal(RxDisposition.Buffered, core.Receive(Build.FromPeer(17, datagrams[0].AsSpan(24), 1, offset: 24), At(10 * T.Ms)));
        // 3, 4 and 5 are still there and complete.
        for (ushort id = 3; id <= 5; id++)
        {
            Assert.Equal(RxDisposition.Delivered, core.Receive(Build.FromPeer(17, datagrams[id - 1].AsSpan(24), id, offset: 24), At(11 * T.Ms)));
            Assert.Equal(datagrams[id - 1].AsSpan(8).ToArray(), ReceiveOne(core, h));
        }
        Assert.Equal(2, core.Counters.DropCount(DropReason.ReassemblyLimit, DropStage.Buffered));
    }

    [Fact]
    public void Pushed_out_datagrams_get_no_time_exceeded_and_timers_follow_the_oldest_left()
    {
        var (core, sink, _) = Receiver(new ReassemblyOptions { MaxBufferedBytes = 9 * 1024, MaxBufferedBytesPerSource = 9 * 1024 });
        var l4 = Build.Udp(Net.PeerIp, Net.UsIp, 1, 7, Payload(40, 10));
        for (ushort id = 1; id <= 4; id++)
        {
            // First fragments (they would earn a Time Exceeded), one a second; the fourth pushes out the first.
            Assert.Equal(RxDisposition.Buffered, core.Receive(Build.FromPeer(17, l4.AsSpan(0, 24), id, mf: true), At(id * T.Sec)));
        }
        Assert.Equal(1, core.Counters.DropCount(DropReason.ReassemblyLimit, DropStage.Buffered));
        Assert.True(core.NextTimerAt <= At(32 * T.Sec));
        Assert.Equal(At(32 * T.Sec), core.Poll(At(31 * T.Sec))); // datagram 1 is gone: nothing at 31 s
        Assert.Empty(sink.Frames);
        Assert.Equal(At(33 * T.Sec), core.Poll(At(32 * T.Sec)));
        var icmp = sink.Single();
        Assert.Equal(11, icmp[34]); // Time Exceeded, for datagram 2
        Assert.Equal(2, (icmp[42 + 4] << 8) | icmp[42 + 5]); // the quoted header's identification
        Assert.Equal(1, core.Counters.DropCount(DropReason.ReassemblyTimeout, DropStage.Buffered));
    }

    [Fact]
    public void Eight_byte_fragments_even_first_then_odd_reassemble()
    {
        // #11 item 3: 375 fragments of 8 bytes, every other one first, leave up to 187 holes.
        var (core, _, h) = Receiver();
        var data = Payload(2992, 4);
        var l4 = Build.Udp(Net.PeerIp, Net.UsIp, 1, 7, data);
        Assert.Equal(3000, l4.Length);
        var d = RxDisposition.Dropped;
        foreach (int parity in new[] { 0, 1 })
        {
            for (int offset = 8 * parity; offset < l4.Length; offset += 16)
            {
                d = core.Receive(Build.FromPeer(17, l4.AsSpan(offset, 8), 21, mf: offset + 8 < l4.Length, offset: offset), At(0));
            }
        }
        Assert.Equal(RxDisposition.Delivered, d);
        Assert.Equal(data, ReceiveOne(core, h));
        Assert.Equal(0, core.Counters.FramesDropped);
    }

    [Fact]
    public void A_3000_byte_echo_in_8_byte_fragments_even_then_odd_is_answered()
    {
        var (core, sink, _) = Receiver();
        var icmp = Build.Icmp(8, 0, 0x1234, 1, Payload(2992, 5));
        Assert.Equal(3000, icmp.Length);
        var dispositions = new List<RxDisposition>();
        foreach (int parity in new[] { 0, 1 })
        {
            for (int offset = 8 * parity; offset < icmp.Length; offset += 16)
            {
                dispositions.Add(core.Receive(Build.FromPeer(1, icmp.AsSpan(offset, 8), 22, mf: offset + 8 < icmp.Length, offset: offset), At(0)));
            }
        }
        Assert.Equal(RxDisposition.Consumed, dispositions[^1]);
        Assert.All(dispositions.SkipLast(1), x => Assert.Equal(RxDisposition.Buffered, x));
        // The reply: 3000 bytes of ICMP in three fragments of at most 1480.
        var reply = sink.Take();
        Assert.Equal(3, reply.Count);
        Assert.Equal(0, reply[0][34]); // echo reply
        Assert.Equal(3000, reply.Sum(f => ((f[16] << 8) | f[17]) - 20));
    }

    [Fact]
    public void Budget_and_shares_hold_under_random_fragments_from_many_sources()
    {
        const int budget = 64 * 1024, share = 16 * 1024;
        var (core, _, h) = Receiver(new ReassemblyOptions { MaxBufferedBytes = budget, MaxBufferedBytesPerSource = share });
        var rng = new Random(11);
        var sources = Enumerable.Range(0, 12).Select(Host).ToArray();
        var blob = Payload(8192, 6);
        var data = Payload(6000, 7);
        int delivered = 0;
        for (int i = 0; i < 50_000; i++)
        {
            var src = sources[rng.Next(sources.Length)];
            int offset = 8 * rng.Next(0, 8000);
            int length = Math.Min(8 * rng.Next(1, 200), 65000 - offset);
            if (length > 0)
            {
                core.Receive(From(src, blob.AsSpan(0, length), (ushort)rng.Next(8), mf: rng.Next(10) != 0, offset: offset), At(i * T.Ms / 10));
            }
            Assert.InRange(core.Reassembly.BufferedBytes, 0, budget);
            Assert.InRange(core.Reassembly.AllocatedBytes, 0, budget);
            Assert.InRange(core.Reassembly.InProgress, 0, core.Reassembly.MaxDatagrams);
            if (i % 97 == 0)
            {
                foreach (var s in sources)
                {
                    Assert.InRange(core.Reassembly.BufferedBytesFrom(s), 0, share);
                }
            }
            if (i % 1000 == 0)
            {
                // A whole datagram from the peer, sent at once, always gets through.
                Assert.Equal(RxDisposition.Delivered, SendLegitimate(core, data, (ushort)(1000 + i / 1000), At(i * T.Ms / 10), 1000));
                Assert.Equal(data, ReceiveOne(core, h));
                delivered++;
            }
        }
        Assert.Equal(50, delivered);
        var c = core.Counters;
        Assert.True(c.DropCount(DropReason.ReassemblyLimit, DropStage.Buffered) > 100);
        Assert.True(c.DropCount(DropReason.OverlappingFragment) > 100);
        core.Poll(At(3600 * T.Sec));
        Assert.Equal(0, core.Reassembly.InProgress);
        Assert.Equal(0, core.Reassembly.BufferedBytes);
    }

    [Fact]
    public void Flood_and_eviction_allocate_nothing_once_warm()
    {
        var (core, _, h) = Receiver(new ReassemblyOptions { MaxBufferedBytes = 256 * 1024 });
        var data = Payload(6000, 8);
        var l4 = Build.Udp(Net.PeerIp, Net.UsIp, 1, 7, data);
        var legit = new List<byte[]>();
        for (int offset = 0; offset < l4.Length; offset += 1480)
        {
            int n = Math.Min(1480, l4.Length - offset);
            legit.Add(Build.FromPeer(17, l4.AsSpan(offset, n), 3, mf: offset + n < l4.Length, offset: offset));
        }
        var junk = Enumerable.Range(0, 500).Select(i => From(Host(i), Junk, (ushort)i, mf: true, offset: 8 * (i % 50))).ToArray();
        var overlap = From(Host(1000), Payload(64, 9), 1, mf: true, offset: 0);
        var overlapping = From(Host(1000), Payload(64, 9), 1, mf: true, offset: 32);
        var buffer = new byte[8000];

        void Loop(int rounds, long start)
        {
            for (int r = 0; r < rounds; r++)
            {
                var now = At(start + r * T.Ms);
                foreach (var j in junk)
                {
                    core.Receive(j, now);
                }
                core.Receive(overlap, now);
                core.Receive(overlapping, now);
                foreach (var f in legit)
                {
                    core.Receive(f, now);
                }
                core.Udp.TryReceive(h, buffer, out _);
                core.Poll(now);
            }
        }

        Loop(20, 0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Loop(200, T.Sec);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(core.Counters.DropCount(DropReason.ReassemblyLimit, DropStage.Buffered) > 10_000);
        Assert.Equal(220, core.Counters.DropCount(DropReason.OverlappingFragment));
    }
}
