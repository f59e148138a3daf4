namespace DpdkSharp.Stack.Tests;

public class ReassemblyTests
{
    private static byte[] Payload(int length, int seed = 1)
    {
        var p = new byte[length];
        new Random(seed).NextBytes(p);
        return p;
    }

    /// <summary>Fragments of one UDP datagram (the UDP header travels in the first), as (offset, bytes, more).</summary>
    private static List<byte[]> Fragments(byte[] l4, int chunk, ushort id = 77, byte protocol = 17)
    {
        var frames = new List<byte[]>();
        for (int offset = 0; offset < l4.Length; offset += chunk)
        {
            int n = Math.Min(chunk, l4.Length - offset);
            bool more = offset + n < l4.Length;
            frames.Add(Build.FromPeer(protocol, l4.AsSpan(offset, n), id, mf: more, offset: offset));
        }
        return frames;
    }

    private static (NetworkInterfaceCore Core, UdpHandle Handle) Receiver(Func<InterfaceOptions, InterfaceOptions>? change = null)
    {
        var (core, _, _) = Net.Core(change);
        Assert.Equal(NetError.None, core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 7), out var h));
        return (core, h);
    }

    private static byte[] ReceiveOne(NetworkInterfaceCore core, UdpHandle h)
    {
        var buffer = new byte[70000];
        Assert.Equal(NetError.None, core.Udp.TryReceive(h, buffer, out var r));
        return buffer.AsSpan(0, r.BytesCopied).ToArray();
    }

    [Fact]
    public void In_order()
    {
        var (core, h) = Receiver();
        var data = Payload(4000);
        var frames = Fragments(Build.Udp(Net.PeerIp, Net.UsIp, 1, 7, data), 1480);
        Assert.Equal(3, frames.Count);
        Assert.Equal(RxDisposition.Buffered, core.Receive(frames[0], At(0)));
        Assert.Equal(RxDisposition.Buffered, core.Receive(frames[1], At(0)));
        Assert.Equal(RxDisposition.Delivered, core.Receive(frames[2], At(0)));
        Assert.Equal(data, ReceiveOne(core, h));
        Assert.Equal(0, core.Reassembly.InProgress);
        Assert.Equal(0, core.Reassembly.BufferedBytes);
    }

    [Fact]
    public void Out_of_order_and_reversed()
    {
        var (core, h) = Receiver();
        var data = Payload(10000, 2);
        var frames = Fragments(Build.Udp(Net.PeerIp, Net.UsIp, 1, 7, data), 1000);
        var rng = new Random(3);
        var order = frames.OrderBy(_ => rng.Next()).ToList();
        for (int i = 0; i < order.Count - 1; i++)
        {
            Assert.Equal(RxDisposition.Buffered, core.Receive(order[i], At(0)));
        }
        Assert.Equal(RxDisposition.Delivered, core.Receive(order[^1], At(0)));
        Assert.Equal(data, ReceiveOne(core, h));

        frames.Reverse();
        var again = Fragments(Build.Udp(Net.PeerIp, Net.UsIp, 1, 7, data), 1000, id: 78);
        again.Reverse();
        foreach (var f in again)
        {
            core.Receive(f, At(0));
        }
        Assert.Equal(data, ReceiveOne(core, h));
    }

    [Fact]
    public void Exact_duplicates_are_dropped_and_the_datagram_completes()
    {
        var (core, h) = Receiver();
        var data = Payload(3000, 4);
        var l4 = Build.Udp(Net.PeerIp, Net.UsIp, 1, 7, data);
        Assert.Equal(RxDisposition.Buffered, core.Receive(Build.FromPeer(17, l4.AsSpan(0, 1600), 5, mf: true, offset: 0), At(0)));
        Assert.Equal(RxDisposition.Dropped, core.Receive(Build.FromPeer(17, l4.AsSpan(0, 1600), 5, mf: true, offset: 0), At(0)));
        Assert.Equal(1, core.Counters.DropCount(DropReason.DuplicateFragment));
        Assert.Equal(RxDisposition.Buffered, core.Receive(Build.FromPeer(17, l4.AsSpan(1600, 800), 5, mf: true, offset: 1600), At(0)));
        Assert.Equal(RxDisposition.Delivered, core.Receive(Build.FromPeer(17, l4.AsSpan(2400), 5, offset: 2400), At(0)));
        Assert.Equal(data, ReceiveOne(core, h));
        Assert.Equal(0, core.Counters.TotalDrops(DropStage.Buffered));
    }

    [Fact]
    public void Overlapping_fragments_drop_the_whole_datagram()
    {
        // #11 item 2: overlaps used to be merged (first data wins). Now the datagram is abandoned,
        // as Linux does and RFC 5722 requires for IPv6, so nothing mixed is ever delivered.
        var (core, h) = Receiver();
        var l4 = Build.Udp(Net.PeerIp, Net.UsIp, 1, 7, Payload(3000, 4), checksum: false);
        var forged = l4.ToArray();
        for (int i = 800; i < 2400; i++)
        {
            forged[i] ^= 0xFF;
        }
        Assert.Equal(RxDisposition.Buffered, core.Receive(Build.FromPeer(17, l4.AsSpan(0, 1600), 5, mf: true, offset: 0), At(0)));
        Assert.Equal(RxDisposition.Dropped, core.Receive(Build.FromPeer(17, forged.AsSpan(800, 1600), 5, mf: true, offset: 800), At(0)));
        Assert.Equal(1, core.Counters.DropCount(DropReason.OverlappingFragment));
        Assert.Equal(1, core.Counters.DropCount(DropReason.OverlappingFragment, DropStage.Buffered));
        Assert.Equal(0, core.Reassembly.InProgress);
        Assert.Equal(0, core.Reassembly.BufferedBytes);
        // The rest of the datagram starts a new one, which never completes: nothing is delivered.
        Assert.Equal(RxDisposition.Buffered, core.Receive(Build.FromPeer(17, l4.AsSpan(1600), 5, offset: 1600), At(0)));
        Assert.Equal(NetError.WouldBlock, core.Udp.TryReceive(h, new byte[4000], out _));
    }

    [Theory]
    [InlineData(0, 8, true)]      // inside the held [0,16): a different extent (Linux would call it a duplicate)
    [InlineData(8, 16, true)]     // across the edge of [0,16) and [16,32)
    [InlineData(0, 32, true)]     // exactly [0,16) and [16,32) together: still a different extent
    [InlineData(24, 16, true)]    // the tail of [16,32) and the hole after it
    [InlineData(56, 16, true)]    // the hole before [64,80) and its head
    [InlineData(64, 24, true)]    // [64,80) and the hole after it
    [InlineData(16, 16, false)]   // exactly [16,32): a duplicate
    [InlineData(40, 8, false)]    // inside the hole [32,64): new data
    [InlineData(32, 32, false)]   // the whole hole [32,64), touching both neighbours: new data
    public void Overlap_is_any_shared_byte_with_a_different_extent(int offset, int length, bool overlap)
    {
        var (core, _) = Receiver();
        var l4 = Payload(200, 12);
        // Held: [0,16) [16,32) [64,80).
        core.Receive(Build.FromPeer(17, l4.AsSpan(0, 16), 3, mf: true, offset: 0), At(0));
        core.Receive(Build.FromPeer(17, l4.AsSpan(16, 16), 3, mf: true, offset: 16), At(0));
        core.Receive(Build.FromPeer(17, l4.AsSpan(64, 16), 3, mf: true, offset: 64), At(0));
        var d = core.Receive(Build.FromPeer(17, l4.AsSpan(offset, length), 3, mf: true, offset: offset), At(0));
        bool duplicate = offset == 16 && length == 16;
        Assert.Equal(overlap ? 1 : 0, core.Counters.DropCount(DropReason.OverlappingFragment));
        Assert.Equal(overlap ? 1 : 0, core.Counters.DropCount(DropReason.OverlappingFragment, DropStage.Buffered));
        Assert.Equal(duplicate ? 1 : 0, core.Counters.DropCount(DropReason.DuplicateFragment));
        Assert.Equal(overlap ? 0 : 1, core.Reassembly.InProgress);
        Assert.Equal(overlap || duplicate ? RxDisposition.Dropped : RxDisposition.Buffered, d);
    }

    [Fact]
    public void A_duplicate_last_fragment_marks_the_end()
    {
        var (core, h) = Receiver();
        var data = Payload(24 - 8, 13);
        var l4 = Build.Udp(Net.PeerIp, Net.UsIp, 1, 7, data);
        // [8,24) first with More Fragments, then the same extent as the last fragment: it adds the end.
        Assert.Equal(RxDisposition.Buffered, core.Receive(Build.FromPeer(17, l4.AsSpan(8, 16), 4, mf: true, offset: 8), At(0)));
        Assert.Equal(RxDisposition.Buffered, core.Receive(Build.FromPeer(17, l4.AsSpan(8, 16), 4, offset: 8), At(0)));
        Assert.Equal(RxDisposition.Delivered, core.Receive(Build.FromPeer(17, l4.AsSpan(0, 8), 4, mf: true, offset: 0), At(0)));
        Assert.Equal(data, ReceiveOne(core, h));
    }

    [Fact]
    public void Inconsistent_ends_and_ping_of_death_are_malformed()
    {
        var (core, _) = Receiver();
        var l4 = Payload(2000, 5);
        Assert.Equal(RxDisposition.Buffered, core.Receive(Build.FromPeer(17, l4.AsSpan(0, 1000), 9, offset: 1000), At(0))); // last, ends at 2000
        Assert.Equal(RxDisposition.Dropped, core.Receive(Build.FromPeer(17, l4.AsSpan(0, 16), 9, mf: true, offset: 2000), At(0))); // past the end
        Assert.Equal(RxDisposition.Dropped, core.Receive(Build.FromPeer(17, l4.AsSpan(0, 504), 9, offset: 1000), At(0))); // second, different end
        Assert.Equal(RxDisposition.Dropped, core.Receive(Build.FromPeer(17, l4.AsSpan(0, 100), 10, mf: true, offset: 0), At(0))); // not a multiple of 8
        Assert.Equal(RxDisposition.Dropped, core.Receive(Build.FromPeer(17, l4.AsSpan(0, 1000), 11, offset: 65000), At(0))); // ends past 65535
        Assert.Equal(4, core.Counters.DropCount(DropReason.Malformed));
    }

    [Fact]
    public void Timeout_drops_the_datagram_and_sends_time_exceeded()
    {
        var (core, sink, pool) = Net.Core(o => o with { StaticNeighbors = [new(Net.PeerIp, Net.PeerMac)] });
        var l4 = Build.Udp(Net.PeerIp, Net.UsIp, 1, 7, Payload(3000, 6));
        var frames = Fragments(l4, 1000);
        core.Receive(frames[0], At(0));
        core.Receive(frames[1], At(0));
        Assert.Equal(1, core.Reassembly.InProgress);
        Assert.Equal(At(30 * T.Sec), core.Poll(At(1 * T.Sec)));
        core.Poll(At(30 * T.Sec));
        Assert.Equal(0, core.Reassembly.InProgress);
        Assert.Equal(0, core.Reassembly.BufferedBytes);
        Assert.Equal(1, core.Counters.DropCount(DropReason.ReassemblyTimeout, DropStage.Buffered));
        var icmp = sink.Single();
        Assert.Equal(11, icmp[34]);
        Assert.Equal(1, icmp[35]);
        Assert.Equal(0, pool.Outstanding);
        // A late fragment starts a new datagram that times out too.
        Assert.Equal(RxDisposition.Buffered, core.Receive(frames[2], At(31 * T.Sec)));
    }

    [Fact]
    public void A_fixed_table_refuses_new_datagrams_when_full()
    {
        // MaxDatagrams > 0 keeps the old fixed table (refusal, not eviction) for those who ask for it.
        var (core, _) = Receiver(o => o with { Reassembly = new ReassemblyOptions { MaxDatagrams = 4 } });
        var chunk = Payload(1000, 7);
        for (ushort id = 1; id <= 5; id++)
        {
            var d = core.Receive(Build.FromPeer(17, chunk, id, mf: true, offset: 0), At(0));
            Assert.Equal(id <= 4 ? RxDisposition.Buffered : RxDisposition.Dropped, d);
        }
        Assert.Equal(1, core.Counters.DropCount(DropReason.ReassemblyLimit));
        Assert.Equal(0, core.Counters.TotalDrops(DropStage.Buffered));
        Assert.Equal(4, core.Reassembly.InProgress);
    }

    [Fact]
    public void A_datagram_larger_than_its_share_is_given_up()
    {
        var (core, _) = Receiver(o => o with { Reassembly = new ReassemblyOptions { MaxBufferedBytes = 64 * 1024, MaxBufferedBytesPerSource = 16 * 1024 } });
        var chunk = Payload(1480, 9);
        int offset = 0;
        RxDisposition d;
        do
        {
            d = core.Receive(Build.FromPeer(17, chunk, 1, mf: true, offset: offset), At(0));
            offset += 1480;
            Assert.InRange(core.Reassembly.BufferedBytes, 0, 16 * 1024);
        }
        while (d == RxDisposition.Buffered);
        Assert.Equal(RxDisposition.Dropped, d);
        Assert.Equal(0, core.Reassembly.InProgress);
        Assert.Equal(1, core.Counters.DropCount(DropReason.ReassemblyLimit));
        Assert.Equal(1, core.Counters.DropCount(DropReason.ReassemblyLimit, DropStage.Buffered));
    }

    [Fact]
    public void Endless_fragments_never_complete_and_never_grow()
    {
        var (core, _) = Receiver(o => o with { Reassembly = new ReassemblyOptions { MaxDatagrams = 2, MaxBufferedBytes = 64 * 1024 } });
        var chunk = Payload(1480, 8);
        int offset = 0;
        for (int i = 0; i < 200; i++)
        {
            core.Receive(Build.FromPeer(17, chunk, 1234, mf: true, offset: offset), At(i * T.Ms));
            offset = (offset + 1480) % 64000;
        }
        Assert.True(core.Reassembly.BufferedBytes <= 64 * 1024);
        core.Poll(At(60 * T.Sec));
        Assert.Equal(0, core.Reassembly.InProgress);
    }
}
