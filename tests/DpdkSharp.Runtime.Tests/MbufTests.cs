using DpdkSharp.Runtime.Tests.Infrastructure;

namespace DpdkSharp.Runtime.Tests;

public sealed class MbufTests(DpdkFixture fixture) : DpdkTest(fixture)
{
    [Fact]
    public void A_fresh_mbuf_has_the_default_headroom_and_no_data()
    {
        var m = Pool.Alloc();
        try
        {
            Assert.Equal(Interop.Dpdk.RTE_PKTMBUF_HEADROOM, m.Headroom);
            Assert.Equal(0, m.DataLength);
            Assert.Equal(0, m.PacketLength);
            Assert.Equal(Interop.Dpdk.RTE_MBUF_DEFAULT_BUF_SIZE - Interop.Dpdk.RTE_PKTMBUF_HEADROOM, m.Tailroom);
            Assert.Equal(1, m.SegmentCount);
            Assert.Equal(1, m.RefCount);
            Assert.False(m.IsChained);
        }
        finally
        {
            m.Free();
        }
    }

    [Fact]
    public void SetLength_takes_the_whole_data_room_and_refuses_a_byte_more_naming_the_room()
    {
        var m = Pool.Alloc();
        try
        {
            int room = m.DataRoom.Length;
            m.SetLength(room);
            Assert.Equal(room, m.DataLength);
            Assert.Equal(room, m.PacketLength);

            nint handle = m.Handle; // a ref struct cannot be captured by the lambda
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => Mbuf.FromHandle(handle).SetLength(room + 1));
            Assert.Contains($"holds {room} bytes", error.Message);
            Assert.Equal(room, m.DataLength); // unchanged
        }
        finally
        {
            m.Free();
        }
    }

    [Fact]
    public void Append_prepend_adjust_and_trim_change_lengths_like_DPDK()
    {
        var m = Pool.Alloc();
        try
        {
            Assert.True(m.Append(100, out var body));
            body.Fill(0xAB);
            Assert.True(m.Prepend(14, out var header));
            header.Fill(0x11);
            Assert.Equal(114, m.DataLength);
            Assert.Equal(114, m.PacketLength);
            Assert.Equal(Interop.Dpdk.RTE_PKTMBUF_HEADROOM - 14, m.Headroom);
            Assert.Equal(0x11, m.Data[0]);
            Assert.Equal(0xAB, m.Data[14]);

            Assert.True(m.Adjust(14));
            Assert.Equal(0xAB, m.Data[0]);
            Assert.True(m.Trim(50));
            Assert.Equal(50, m.PacketLength);
            Assert.Equal(50, m.DataLength);
        }
        finally
        {
            m.Free();
        }
    }

    [Fact]
    public void Running_out_of_headroom_tailroom_or_data_fails_cleanly_and_changes_nothing()
    {
        var m = Pool.Alloc();
        try
        {
            Assert.True(m.Append(10, out _));
            var headroom = m.Headroom;
            Assert.False(m.Prepend(headroom + 1, out var none));
            Assert.True(none.IsEmpty);
            Assert.False(m.Append(m.Tailroom + 1, out _));
            Assert.False(m.Adjust(11));
            Assert.False(m.Trim(11));
            Assert.False(m.Prepend(-1, out _));
            Assert.Equal(10, m.DataLength);
            Assert.Equal(10, m.PacketLength);
            Assert.Equal(headroom, m.Headroom);

            Assert.True(m.Prepend(headroom, out _)); // exactly all of it is fine
            Assert.Equal(0, m.Headroom);
            Assert.False(m.Prepend(1, out _));
        }
        finally
        {
            m.Free();
        }
    }

    [Fact]
    public void Metadata_fields_round_trip_through_the_rte_mbuf_layout()
    {
        var m = Pool.Alloc();
        try
        {
            m.Flags = MbufFlags.TxIpv4 | MbufFlags.TxIpChecksum | MbufFlags.TxUdpChecksum;
            m.L2Length = 14;
            m.L3Length = 20;
            m.L4Length = 8;
            m.VlanTci = 0x2064;
            m.PacketType = 0x11;
            m.InputPort = 3;
            Assert.Equal(MbufFlags.TxIpv4 | MbufFlags.TxIpChecksum | MbufFlags.TxUdpChecksum, m.Flags);
            Assert.Equal((14, 20, 8), (m.L2Length, m.L3Length, m.L4Length));
            Assert.Equal(0x2064, m.VlanTci);
            Assert.Equal(0x11u, m.PacketType);
            Assert.Equal(3, m.InputPort);
            unsafe
            {
                // The same bits DPDK's C macros would see.
                Assert.Equal(14u | (20u << 7) | (8u << 16), (uint)m.Pointer->tx_offload & 0xFFFFFF);
            }
            Assert.Equal(ChecksumStatus.None, (MbufFlags.RxIpChecksumBad | MbufFlags.RxIpChecksumGood).IpChecksum());
            Assert.Equal(ChecksumStatus.Good, MbufFlags.RxL4ChecksumGood.L4Checksum());
        }
        finally
        {
            m.Free();
        }
    }

    [Fact]
    public void Segment_chains_iterate_copy_append_to_the_last_segment_linearize_and_free_together()
    {
        var head = Pool.Alloc();
        var second = Pool.Alloc();
        var third = Pool.Alloc();
        Assert.True(head.Append(100, out var a));
        a.Fill(1);
        Assert.True(second.Append(200, out var b));
        b.Fill(2);
        Assert.True(third.Append(300, out var c));
        c.Fill(3);
        Assert.True(head.Chain(second));
        Assert.True(head.Chain(third));

        Assert.Equal(3, head.SegmentCount);
        Assert.Equal(600, head.PacketLength);
        Assert.Equal(100, head.DataLength);
        var lengths = new List<int>();
        foreach (var seg in head.Segments)
        {
            lengths.Add(seg.DataLength);
        }

        Assert.Equal([100, 200, 300], lengths);

        Assert.True(head.Append(10, out var tail)); // lands in the last segment
        tail.Fill(4);
        Assert.Equal(310, third.DataLength);
        Assert.True(head.Trim(10));

        var copy = new byte[600];
        Assert.Equal(600, head.CopyTo(copy));
        Assert.Equal(Enumerable.Repeat((byte)1, 100).Concat(Enumerable.Repeat((byte)2, 200)).Concat(Enumerable.Repeat((byte)3, 300)), copy);

        Assert.True(head.Linearize());
        Assert.Equal(1, head.SegmentCount);
        Assert.Equal(600, head.DataLength);
        Assert.Equal(copy, head.Data.ToArray());
        Assert.Equal(1, Pool.InUseCount); // linearize returned the other segments
        head.Free();
    }

    [Fact]
    public void A_clone_shares_data_raises_the_refcount_and_both_free_independently()
    {
        var original = Pool.Alloc();
        Assert.True(original.Append(64, out var data));
        data.Fill(0x5A);
        Assert.True(original.TryClone(Pool, out var clone));
        Assert.Equal(2, original.RefCount);
        Assert.True((clone.Flags & MbufFlags.Indirect) != 0);
        Assert.Equal(64, clone.PacketLength);
        Assert.True(clone.Data.SequenceEqual(original.Data));
        original.Data[0] = 0x77;
        Assert.Equal(0x77, clone.Data[0]); // same buffer

        original.UpdateRefCount(1);
        Assert.Equal(3, original.RefCount);
        original.UpdateRefCount(-1);

        clone.Free();
        Assert.Equal(1, original.RefCount);
        Assert.Equal(1, Pool.InUseCount);
        original.Free();
    }

    [Fact]
    public void Burst_indexing_take_and_iteration()
    {
        Span<nint> slots = stackalloc nint[8];
        var burst = new MbufBurst(slots);
        Assert.True(Pool.AllocBulk(ref burst, 8));
        Assert.Equal(0, burst.FreeSpace);
        Assert.False(burst.TryAdd(default));
        var i = 0;
        foreach (var m in burst)
        {
            Assert.True(m.Append(++i, out _));
        }

        Assert.Equal(3, burst[2].DataLength);
        var taken = burst.TakeAt(0);
        Assert.Equal(1, taken.DataLength);
        Assert.Equal(8, burst[0].DataLength); // the last moved into the hole
        Assert.Equal(7, burst.Count);
        taken.Free();
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = new MbufBurst(stackalloc nint[2])[0]; });
        burst.FreeAll();
    }
}
