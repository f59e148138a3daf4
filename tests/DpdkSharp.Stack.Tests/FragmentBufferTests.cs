namespace DpdkSharp.Stack.Tests;

/// <summary>The protocol-free store under IPv4 reassembly (and IPv6's, RFC 8200 §4.5, to come).</summary>
public class FragmentBufferTests
{
    private static FragmentFit Offer(FragmentBuffer b, int offset, byte[] data, bool last)
    {
        var fit = b.Check(offset, data.Length, last, out _);
        if (fit == FragmentFit.New)
        {
            b.Add(offset, data, last);
        }
        else if (fit == FragmentFit.EndOnly)
        {
            b.SetEnd(offset + data.Length);
        }
        return fit;
    }

    [Fact]
    public void Classifies_new_duplicate_overlap_and_inconsistent_fragments()
    {
        var pool = new ChunkPool(16 * 1024);
        var b = new FragmentBuffer(pool);
        var data = new byte[4000];
        new Random(1).NextBytes(data);
        Assert.Equal(FragmentBuffer.MapChunks + 2, b.Check(1016, 16, false, out int need) == FragmentFit.New ? need : -1);
        Assert.Equal(FragmentFit.New, Offer(b, 1000, data[1000..2000], false));
        Assert.Equal(FragmentFit.Duplicate, Offer(b, 1000, data[1000..2000], false));
        Assert.Equal(FragmentFit.Overlap, Offer(b, 1000, data[1000..1008], false));
        Assert.Equal(FragmentFit.Overlap, Offer(b, 992, data[992..1008], false));
        Assert.Equal(FragmentFit.New, Offer(b, 2000, data[2000..3000], false));
        Assert.Equal(FragmentFit.Overlap, Offer(b, 1000, data[1000..3000], false)); // two held, one extent
        Assert.Equal(FragmentFit.New, Offer(b, 3000, data[3000..3997], true));
        Assert.Equal(3997, b.TotalLength);
        Assert.Equal(FragmentFit.Inconsistent, Offer(b, 3000, data[3000..3008], true)); // a second end
        Assert.Equal(FragmentFit.Inconsistent, Offer(b, 3992, data[0..16], false));      // past the end
        Assert.Equal(FragmentFit.Duplicate, Offer(b, 3000, data[3000..3997], true));
        Assert.False(b.IsComplete);
        Assert.Equal(FragmentFit.New, Offer(b, 0, data[0..1000], false));
        Assert.True(b.IsComplete);
        var whole = new byte[3997];
        b.CopyTo(whole);
        Assert.Equal(data[..3997], whole);
        Assert.Equal(FragmentBuffer.MapChunks + 4, b.ChunksHeld);
        Assert.Equal(b.ChunksHeld, pool.InUse);
        b.Clear();
        Assert.Equal(0, pool.InUse);
        Assert.Equal(FragmentFit.New, Offer(b, 0, data[0..8], true));
        Assert.True(b.IsComplete);
    }

    [Fact]
    public void Holes_cost_nothing_the_largest_datagram_in_8_byte_fragments_completes()
    {
        var pool = new ChunkPool(66 * 1024);
        var b = new FragmentBuffer(pool);
        var data = new byte[65512];
        new Random(2).NextBytes(data);
        // Every other unit first (4095 holes), then the rest from the end backwards.
        for (int offset = 0; offset < data.Length; offset += 16)
        {
            Assert.Equal(FragmentFit.New, Offer(b, offset, data[offset..(offset + 8)], offset + 8 == data.Length));
        }
        for (int offset = data.Length - 16; offset >= 8; offset -= 16)
        {
            Assert.False(b.IsComplete);
            Assert.Equal(FragmentFit.New, Offer(b, offset, data[offset..(offset + 8)], false));
        }
        Assert.True(b.IsComplete);
        var whole = new byte[data.Length];
        b.CopyTo(whole);
        Assert.Equal(data, whole);
        Assert.Equal(66, pool.InUse);
    }

    [Fact]
    public void A_completion_nested_in_the_processing_of_another_gets_its_own_buffer()
    {
        var r = new Ipv4Reassembler(new ReassemblyOptions(), new NetCounters());
        var one = new byte[3000];
        var two = new byte[2000];
        new Random(3).NextBytes(one);
        new Random(4).NextBytes(two);
        static List<byte[]> Frames(byte[] data, ushort id)
        {
            var frames = new List<byte[]>();
            for (int offset = 0; offset < data.Length; offset += 1480)
            {
                int n = Math.Min(1480, data.Length - offset);
                frames.Add(Build.Ipv4(Net.PeerIp, Net.UsIp, 17, data.AsSpan(offset, n), id, mf: offset + n < data.Length, offset: offset));
            }
            return frames;
        }
        Ipv4Packet packet;
        scoped ReadOnlySpan<byte> first = default, second = default;
        int a = -1, b = -1, c = -1;
        var status = ReassemblyStatus.Dropped;
        foreach (var f in Frames(one, 1))
        {
            Assert.True(Ipv4Packet.TryParse(f, true, out packet, out _));
            status = r.Accept(in packet, At(0), out first, out _, out a, out _);
        }
        Assert.Equal(ReassemblyStatus.Complete, status);
        Assert.Equal(0, r.InProgress); // the blocks went back at completion
        foreach (var f in Frames(two, 2))
        {
            Assert.True(Ipv4Packet.TryParse(f, true, out packet, out _));
            status = r.Accept(in packet, At(0), out second, out _, out b, out _);
        }
        Assert.Equal(ReassemblyStatus.Complete, status);
        Assert.NotEqual(a, b);
        Assert.Equal(two, second.ToArray());
        Assert.Equal(one, first.ToArray());
        Assert.Equal(20, r.GetFirstHeader(a).Length);
        r.Release(b);
        r.Release(a);
        foreach (var f in Frames(two, 3))
        {
            Assert.True(Ipv4Packet.TryParse(f, true, out packet, out _));
            status = r.Accept(in packet, At(0), out _, out _, out c, out _);
        }
        Assert.Equal(ReassemblyStatus.Complete, status);
        Assert.Equal(a, c);
        r.Release(c);
    }

    /// <summary>An IPv6-shaped key (RFC 8200 §4.5: source, destination, identification): the table does not care.</summary>
    private readonly record struct Ipv6Key(UInt128 Source, UInt128 Destination, uint Identification);

    [Fact]
    public void The_table_serves_any_key_and_source_type()
    {
        var counters = new NetCounters();
        var table = new ReassemblyTable<Ipv6Key, UInt128>(new ReassemblyOptions { MaxBufferedBytes = 32 * 1024, MaxBufferedBytesPerSource = 8 * 1024 }, counters);
        UInt128 attacker = 1, peer = 2;
        var data = new byte[2000];
        new Random(5).NextBytes(data);
        // The attacker's share (8 KiB) holds two small datagrams: the third pushes out its first.
        for (uint id = 0; id < 3; id++)
        {
            var key = new Ipv6Key(attacker, 9, id);
            Assert.Equal(ReassemblyStatus.Buffered, table.Offer(in key, attacker, 0, data.AsSpan(0, 8), false, At(0), out _, out bool opened, out _));
            Assert.True(opened);
        }
        Assert.Equal(6 * 1024, table.BufferedBytesFrom(attacker));
        Assert.Equal(1, counters.DropCount(DropReason.ReassemblyLimit, DropStage.Buffered));
        var k = new Ipv6Key(peer, 9, 7);
        Assert.Equal(ReassemblyStatus.Buffered, table.Offer(in k, peer, 1000, data.AsSpan(1000), true, At(0), out int slot, out _, out _));
        Assert.Equal(ReassemblyStatus.Dropped, table.Offer(in k, peer, 992, data.AsSpan(992, 16), false, At(0), out _, out _, out var reason));
        Assert.Equal(DropReason.OverlappingFragment, reason);
        Assert.Equal(ReassemblyStatus.Buffered, table.Offer(in k, peer, 1000, data.AsSpan(1000), true, At(0), out slot, out _, out _));
        Assert.Equal(ReassemblyStatus.Complete, table.Offer(in k, peer, 0, data.AsSpan(0, 1000), false, At(0), out int done, out _, out _));
        Assert.Equal(slot, done);
        var whole = new byte[2000];
        table[done].CopyTo(whole);
        Assert.Equal(data, whole);
        table.Release(done);
        Assert.Equal(2, table.InProgress);
        Assert.Equal(-1, table.Expired(At(29 * T.Sec)));
        int expired = table.Expired(At(30 * T.Sec));
        Assert.Equal(attacker, table.KeyOf(expired).Source);
    }

    [Fact]
    public void Agrees_with_a_list_of_fragments_on_random_offers()
    {
        var pool = new ChunkPool(16 * 1024);
        var b = new FragmentBuffer(pool);
        var rng = new Random(20261202);
        var data = new byte[600];
        rng.NextBytes(data);
        int completed = 0, overlaps = 0, duplicates = 0;
        for (int sequence = 0; sequence < 500; sequence++)
        {
            b.Clear();
            var held = new List<(int Start, int End)>();
            int total = -1, maxEnd = 0;
            for (int step = 0; step < 300 && !b.IsComplete; step++)
            {
                int offset = 8 * rng.Next(0, 32);
                bool last = rng.Next(5) == 0;
                int length = last ? rng.Next(1, 65) : 8 * rng.Next(1, 9);
                int end = offset + length;

                // The reference: RFC 791 §3.2 ends, then RFC 5722 / RFC 8200 §4.5 overlaps, on a plain list.
                FragmentFit expected;
                var touching = held.Where(h => h.Start < end && offset < h.End).ToList();
                if ((total >= 0 && end > total) || (last && (maxEnd > end || (total >= 0 && total != end))))
                {
                    expected = FragmentFit.Inconsistent;
                }
                else if (touching.Count == 0)
                {
                    expected = FragmentFit.New;
                }
                else if (touching.Count == 1 && touching[0] == (offset, end))
                {
                    expected = last && total < 0 ? FragmentFit.EndOnly : FragmentFit.Duplicate;
                }
                else
                {
                    expected = FragmentFit.Overlap;
                }

                Assert.Equal(expected, Offer(b, offset, data[offset..end], last));
                if (expected == FragmentFit.New)
                {
                    held.Add((offset, end));
                    maxEnd = Math.Max(maxEnd, end);
                }
                if (expected is FragmentFit.New or FragmentFit.EndOnly && last)
                {
                    total = end;
                }
                overlaps += expected == FragmentFit.Overlap ? 1 : 0;
                duplicates += expected == FragmentFit.Duplicate ? 1 : 0;
                bool complete = total >= 0 && held.Sum(h => h.End - h.Start) == total;
                Assert.Equal(complete, b.IsComplete);
                Assert.Equal(total, b.TotalLength);
                Assert.Equal(b.ChunksHeld, pool.InUse);
            }
            if (b.IsComplete)
            {
                completed++;
                var whole = new byte[b.TotalLength];
                b.CopyTo(whole);
                Assert.Equal(data[..b.TotalLength], whole);
            }
        }
        Assert.True(completed > 20 && overlaps > 1000 && duplicates > 100, $"{completed} complete, {overlaps} overlaps, {duplicates} duplicates");
    }
}
