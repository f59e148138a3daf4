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
    public void Overlaps_keep_first_data_and_duplicates_are_counted()
    {
        var (core, h) = Receiver();
        // No UDP checksum, so the mixed result is delivered and can be inspected.
        var l4 = Build.Udp(Net.PeerIp, Net.UsIp, 1, 7, Payload(3000, 4), checksum: false);
        var forged = l4.ToArray();
        for (int i = 800; i < 2400; i++)
        {
            forged[i] ^= 0xFF;
        }
        // [0,1600) twice (duplicate), then a forged overlap [800,2400), then [1600,end).
        Assert.Equal(RxDisposition.Buffered, core.Receive(Build.FromPeer(17, l4.AsSpan(0, 1600), 5, mf: true, offset: 0), At(0)));
        Assert.Equal(RxDisposition.Dropped, core.Receive(Build.FromPeer(17, l4.AsSpan(0, 1600), 5, mf: true, offset: 0), At(0)));
        Assert.Equal(1, core.Counters.DropCount(DropReason.DuplicateFragment));
        Assert.Equal(RxDisposition.Buffered, core.Receive(Build.FromPeer(17, forged.AsSpan(800, 1600), 5, mf: true, offset: 800), At(0)));
        Assert.Equal(RxDisposition.Delivered, core.Receive(Build.FromPeer(17, l4.AsSpan(1600), 5, offset: 1600), At(0)));
        // First data wins everywhere: [800,1600) stays original, [1600,2400) is what arrived first there.
        var expected = l4.ToArray();
        forged.AsSpan(1600, 800).CopyTo(expected.AsSpan(1600));
        Assert.Equal(expected.AsSpan(8).ToArray(), ReceiveOne(core, h));
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
    public void Memory_is_bounded_by_slots_bytes_and_holes()
    {
        var (core, _) = Receiver(o => o with { Reassembly = new ReassemblyOptions { MaxDatagrams = 4, MaxBufferedBytes = 8000, MaxHoles = 4 } });
        var chunk = Payload(1000, 7).AsSpan(0, 1000).ToArray();
        // Five datagrams: the fifth finds no slot.
        for (ushort id = 1; id <= 5; id++)
        {
            var d = core.Receive(Build.FromPeer(17, chunk, id, mf: true, offset: 0), At(0));
            Assert.Equal(id <= 4 ? RxDisposition.Buffered : RxDisposition.Dropped, d);
        }
        Assert.Equal(1, core.Counters.DropCount(DropReason.ReassemblyLimit));
        // Byte budget: 4000 held, budget 8000.
        for (int i = 1; i <= 4; i++)
        {
            core.Receive(Build.FromPeer(17, chunk, 1, mf: true, offset: i * 8000), At(0));
        }
        Assert.True(core.Reassembly.BufferedBytes <= 8000);
        Assert.True(core.Counters.DropCount(DropReason.ReassemblyLimit) >= 2);
        // Holes: sparse fragments in datagram 2 exceed 4 holes; the datagram is given up.
        for (int i = 1; i <= 4; i++)
        {
            core.Receive(Build.FromPeer(17, Payload(8, i), 2, mf: true, offset: i * 2000), At(0));
        }
        Assert.True(core.Reassembly.InProgress < 4);
        Assert.True(core.Counters.DropCount(DropReason.ReassemblyLimit, DropStage.Buffered) >= 1);
        Assert.True(core.Reassembly.AllocatedBytes <= 4L * Ipv4Reassembler.MaxPayload);
    }

    [Fact]
    public void Byte_budget_refuses_new_datagrams_and_gives_up_growing_ones()
    {
        var (core, _) = Receiver(o => o with { Reassembly = new ReassemblyOptions { MaxDatagrams = 8, MaxBufferedBytes = 2500 } });
        var chunk = Payload(1000, 9);
        Assert.Equal(RxDisposition.Buffered, core.Receive(Build.FromPeer(17, chunk, 1, mf: true, offset: 0), At(0)));
        Assert.Equal(RxDisposition.Buffered, core.Receive(Build.FromPeer(17, chunk, 2, mf: true, offset: 0), At(0)));
        Assert.Equal(RxDisposition.Dropped, core.Receive(Build.FromPeer(17, chunk, 3, mf: true, offset: 0), At(0)));
        Assert.Equal(2000, core.Reassembly.BufferedBytes);
        // Datagram 1 grows past the budget: it cannot finish, so it is given up and its bytes freed.
        Assert.Equal(RxDisposition.Dropped, core.Receive(Build.FromPeer(17, chunk, 1, mf: true, offset: 1000), At(0)));
        Assert.Equal(1000, core.Reassembly.BufferedBytes);
        Assert.Equal(2, core.Counters.DropCount(DropReason.ReassemblyLimit));
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
