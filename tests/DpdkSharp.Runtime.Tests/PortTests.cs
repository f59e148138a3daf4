using DpdkSharp.Runtime.Tests.Infrastructure;
using DpdkSharp.Wire;

namespace DpdkSharp.Runtime.Tests;

public sealed class PortTests(DpdkFixture fixture) : DpdkTest(fixture)
{
    [Fact]
    public void Ports_are_counted_enumerated_and_found_by_name()
    {
        Assert.Equal(4, Port.Count);
        var names = Port.All.Select(p => p.Name).ToList();
        Assert.Equal([DpdkFixture.Ring0, DpdkFixture.Ring1, DpdkFixture.Null0, DpdkFixture.UnconfiguredNull], names);
        Assert.Equal(DpdkFixture.Ring1, Port.FindByName(DpdkFixture.Ring1).Name);
        var e = Assert.Throws<DpdkException>(() => Port.FindByName("net_nope9"));
        Assert.Equal(19, e.ErrorCode);
        Assert.Contains("net_ring0", e.Message); // lists what exists
        Assert.False(Port.TryFindByName("net_nope9", out _));
        Assert.False(new Port(31).IsValid);
    }

    [Fact]
    public void Device_info_reports_driver_queues_and_capabilities()
    {
        var info = Fixture.Ring0Port.Info;
        Assert.Equal("net_ring", info.DriverName);
        Assert.Equal(DpdkFixture.Ring0, info.Name);
        Assert.Equal(1, info.RxQueueCount);
        Assert.Equal(1, info.TxQueueCount);
        Assert.True(info.MaxRxQueues >= 1);
        Assert.True(info.MaxMtu >= info.MinMtu);
        Assert.Equal("net_null", Port.FindByName(DpdkFixture.UnconfiguredNull).Info.DriverName);
    }

    [Fact]
    public void Frames_built_in_CSharp_go_round_a_net_ring_intact_and_the_stats_agree()
    {
        var port = Fixture.Ring0Port;
        port.ResetStats();
        var rx = port.GetRxQueue(0);
        var tx = port.GetTxQueue(0);
        Assert.True(port.WaitForLinkUp(TimeSpan.FromSeconds(5)));

        const int count = 32, length = 96;
        Span<nint> slots = stackalloc nint[count];
        var burst = new MbufBurst(slots);
        Assert.True(Pool.AllocBulk(ref burst, count));
        var seed = 0;
        foreach (var m in burst)
        {
            Assert.True(m.Append(length, out var frame));
            Frames.WriteUdp(frame, seed++);
        }

        Assert.Equal(count, tx.Transmit(ref burst));
        Assert.True(burst.IsEmpty); // the queue owns them now

        var received = 0;
        for (var spins = 0; received < count && spins < 1000; spins++)
        {
            received += rx.Receive(ref burst);
        }

        Assert.Equal(count, received);
        for (var i = 0; i < count; i++)
        {
            var m = burst[i];
            Assert.Equal(length, m.PacketLength);
            Assert.Equal(Frames.Udp(length, i), m.Data.ToArray());
            Assert.True(EthernetFrame.TryParse(m.Data, out var eth));
            Assert.Equal(Frames.Source, eth.Source);
            Assert.True(Ipv4Packet.TryParse(eth.Payload, verifyChecksum: true, out _, out _));
        }
        burst.FreeAll();

        var stats = port.Stats;
        Assert.Equal((ulong)count, stats.TxPackets);
        Assert.Equal((ulong)count, stats.RxPackets);
        // net_ring counts packets, not bytes.
        var xstats = port.ExtendedStats.ToDictionary(s => s.Name, s => s.Value);
        Assert.Equal((ulong)count, xstats["rx_good_packets"]);
        Assert.Equal((ulong)count, xstats["tx_good_packets"]);
    }

    [Fact]
    public void What_a_full_queue_did_not_take_stays_in_the_burst_owned_by_the_caller()
    {
        var port = Fixture.Ring1Port;
        var tx = port.GetTxQueue(0);
        var rx = port.GetRxQueue(0);
        Span<nint> slots = stackalloc nint[256];
        var burst = new MbufBurst(slots);
        var sent = 0;
        int last;
        // net_ring's ring holds 1023: keep sending until one transmit comes back short.
        do
        {
            Assert.True(Pool.AllocBulk(ref burst, burst.FreeSpace));
            last = tx.Transmit(ref burst);
            sent += last;
        } while (burst.IsEmpty);

        Assert.Equal(1023, sent);
        Assert.Equal(256 - last, burst.Count);
        Assert.Equal(1023 + burst.Count, Pool.InUseCount);
        burst.FreeAll();

        var received = 0;
        while (rx.Receive(ref burst) > 0)
        {
            received += burst.Count;
            burst.FreeAll();
        }
        Assert.Equal(1023, received);
    }

    [Fact]
    public void Queues_of_an_unconfigured_port_an_index_out_of_range_and_a_default_handle_are_refused()
    {
        var unconfigured = Port.FindByName(DpdkFixture.UnconfiguredNull);
        var e = Assert.Throws<InvalidOperationException>(() => unconfigured.GetRxQueue(0));
        Assert.Contains("Port.Configure", e.Message); // net_null reports 1 queue before configure, but none is set up
        Assert.Throws<InvalidOperationException>(() => unconfigured.GetTxQueue(0));

        var ring = Fixture.Ring0Port;
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => ring.GetRxQueue(1));
        Assert.Contains("0 to 0", range.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ring.GetTxQueue(-1));

        Assert.Throws<InvalidOperationException>(() =>
        {
            var burst = new MbufBurst(stackalloc nint[4]);
            default(RxQueue).Receive(ref burst);
        });
        Assert.Throws<DpdkException>(() => new Port(30).Start());
    }

    [Fact]
    public void Unsupported_offloads_and_queue_counts_are_refused_with_what_is_supported()
    {
        var port = Port.FindByName(DpdkFixture.UnconfiguredNull);
        var e = Assert.Throws<NotSupportedException>(() =>
            port.Configure(new PortConfig { RxPool = Pool, TxOffloads = TxOffloads.TcpTso | TxOffloads.Ipv4Checksum }));
        Assert.Contains("TcpTso", e.Message);
        Assert.Contains("supported:", e.Message);
        var rx = Assert.Throws<NotSupportedException>(() => port.Configure(new PortConfig { RxPool = Pool, RxOffloads = RxOffloads.TcpLro }));
        Assert.Contains("receive offloads TcpLro", rx.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => port.Configure(new PortConfig { RxPool = Pool, RxQueues = 10_000 }));
        Assert.Throws<ArgumentException>(() => port.Configure(new PortConfig()));
        Assert.Throws<InvalidOperationException>(() => port.GetRxQueue(0)); // nothing was set up
    }

    [Fact]
    public void Mac_address_promiscuous_mode_and_link_are_read_and_set()
    {
        var port = Port.FindByName(DpdkFixture.Null0);
        var mac = MacAddress.Parse("02:11:22:33:44:55");
        port.MacAddress = mac;
        Assert.Equal(mac, port.MacAddress);
        port.Promiscuous = true;
        Assert.True(port.Promiscuous);
        // net_null cannot leave promiscuous mode: DPDK's ENOTSUP comes back as a DpdkException.
        var e = Assert.Throws<DpdkException>(() => port.Promiscuous = false);
        Assert.Equal(95, e.ErrorCode);
        Assert.Equal("rte_eth_promiscuous_disable", e.Function);
        Assert.True(port.Link.IsUp);
    }

    [Fact]
    public void Null_port_receive_allocates_from_the_pool_and_the_burst_frees_them()
    {
        var rx = Port.FindByName(DpdkFixture.Null0).GetRxQueue(0);
        var burst = new MbufBurst(stackalloc nint[32]);
        Assert.Equal(32, rx.Receive(ref burst));
        Assert.Equal(32, Pool.InUseCount);
        Assert.Equal(0, rx.Receive(ref burst)); // full burst: nothing more
        burst.FreeAll();
    }

    [Fact]
    public void The_receive_transmit_and_bulk_alloc_free_path_allocates_nothing_managed()
    {
        var port = Fixture.Ring0Port;
        var rx = port.GetRxQueue(0);
        var tx = port.GetTxQueue(0);
        var burst = new MbufBurst(stackalloc nint[32]);
        RoundTrip(rx, tx, ref burst, 100); // JIT and tiering first
        var before = GC.GetAllocatedBytesForCurrentThread();
        RoundTrip(rx, tx, ref burst, 10_000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private void RoundTrip(RxQueue rx, TxQueue tx, ref MbufBurst burst, int times)
    {
        for (var i = 0; i < times; i++)
        {
            Pool.AllocBulk(ref burst, 32);
            foreach (var m in burst)
            {
                m.Append(60, out _);
            }

            tx.Transmit(ref burst);
            burst.FreeAll();
            rx.Receive(ref burst);
            burst.FreeAll();
        }
    }
}
