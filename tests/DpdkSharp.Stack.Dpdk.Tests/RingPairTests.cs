using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using DpdkSharp.Stack.Dpdk.Tests.Infrastructure;

namespace DpdkSharp.Stack.Dpdk.Tests;

/// <summary>
/// Two stacks in one process on a net_ring cable, each with its own reactor thread: the socket
/// API end to end on real mbufs. After each test both interfaces are torn down and every mbuf
/// must be back in the pool.
/// </summary>
[Collection(RingPairCollection.Name)]
public sealed class RingPairTests : IDisposable
{
    private static readonly IPAddress AddressA = IPAddress.Parse("10.78.0.1");
    private static readonly IPAddress AddressB = IPAddress.Parse("10.78.0.2");
    private readonly RingPairFixture _fixture;
    private readonly DpdkInterface _a;
    private readonly DpdkInterface _b;

    public RingPairTests(RingPairFixture fixture)
    {
        _fixture = fixture;
        _a = Make(fixture.PortA, "02:78:00:00:00:01", "10.78.0.1");
        _b = Make(fixture.PortB, "02:78:00:00:00:02", "10.78.0.2");
        _a.Start();
        _b.Start();
    }

    private DpdkInterface Make(DpdkSharp.Runtime.Port port, string mac, string address) =>
        new(port, _fixture.Pool, new InterfaceOptions
        {
            Name = address,
            Mac = MacAddress.Parse(mac),
            Address = Ipv4Address.Parse(address),
            PublishMetrics = true, // named by address: each instance's series are told apart by the interface tag
        });

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
        Assert.Null(_a.Reactor.Fault);
        Assert.Null(_b.Reactor.Fault);
        // Frames still in the rings were sent after the peer's reactor stopped: drain them.
        _fixture.DrainRings();
        Assert.Equal(0, _fixture.Pool.InUseCount);
    }

    [Fact]
    public void The_ports_drop_counters_are_published_beside_the_stacks()
    {
        var seen = new Dictionary<string, (long Value, object? Port)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == NetMetrics.MeterName && instrument.Name.StartsWith("dpdksharp.net.port.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var tagList = tags.ToArray();
            if (tagList.Any(t => t.Key == "interface" && Equals(t.Value, "10.78.0.1")))
            {
                seen[instrument.Name] = (value, tagList.Single(t => t.Key == "port").Value);
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();

        var stats = _fixture.PortA.Stats;
        Assert.Equal(((long)stats.RxMissed, (object?)(int)_fixture.PortA.Id), seen["dpdksharp.net.port.rx.missed"]);
        Assert.Equal(((long)stats.RxNoMbuf, (object?)(int)_fixture.PortA.Id), seen["dpdksharp.net.port.rx.no_mbuf"]);
        Assert.Equal((long)stats.RxErrors, seen["dpdksharp.net.port.rx.errors"].Value);
        Assert.Equal((long)stats.TxErrors, seen["dpdksharp.net.port.tx.errors"].Value);
    }

    [Fact]
    public void Asking_for_checksum_offloads_the_port_was_not_configured_with_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new DpdkInterface(_fixture.PortA, _fixture.Pool, new InterfaceOptions
        {
            Name = "no-offloads",
            Mac = MacAddress.Parse("02:78:00:00:00:09"),
            Address = Ipv4Address.Parse("10.78.0.9"),
            Offloads = ChecksumOffloads.UdpTx,
        }));
        Assert.Contains("not configured with", e.Message);
    }

    [Fact]
    public async Task Reactors_allocate_nothing_per_packet_on_the_handler_paths()
    {
        // B echoes in place; A answers every echo with a datagram of its own (the copying send
        // path) until told to stop. Both reactors run receive, demultiplexing, handlers, sends,
        // transmit bursts, timers and readiness the whole time. Each handler reads its thread's
        // allocation counter when asked, so nothing the measurement does falls inside the window.
        const int Flights = 8, RoundTrips = 20_000;
        var probeA = new AllocationProbe();
        var probeB = new AllocationProbe();
        using var echo = new UdpSocket(_b.Reactor);
        echo.Bind(new IPEndPoint(IPAddress.Any, 7));
        echo.SetHandler(d =>
        {
            probeB.Sample();
            d.Reply(d.Payload);
        });
        using var pinger = new UdpSocket(_a.Reactor);
        pinger.Bind(new IPEndPoint(AddressA, 0));
        var request = new byte[32];
        long seen = 0;
        bool stop = false;
        pinger.SetHandler(d =>
        {
            probeA.Sample();
            Interlocked.Increment(ref seen);
            if (!Volatile.Read(ref stop))
            {
                d.Reply(request);
            }
        });

        for (int i = 0; i < Flights; i++)
        {
            pinger.SendTo(request, new IPEndPoint(AddressB, 7));
        }

        await WaitFor(() => Volatile.Read(ref seen) >= 5_000); // warm: JIT tiers, lazily sized buffers
        long a0 = await probeA.Take(), b0 = await probeB.Take();
        long seen0 = Volatile.Read(ref seen);
        await WaitFor(() => Volatile.Read(ref seen) >= seen0 + RoundTrips);
        long a1 = await probeA.Take(), b1 = await probeB.Take();
        Volatile.Write(ref stop, true);

        Assert.Equal(0, _a.Reactor.HandlerErrors + _b.Reactor.HandlerErrors);
        // Per packet means at least 24 B x 20,000 = 480 KB; a one-off (runtime state created lazily
        // on first use, seen in rare runs as a few dozen bytes) is not what this test is about.
        Assert.True(a1 - a0 < OneOffBytes && b1 - b0 < OneOffBytes, $"reactor A allocated {a1 - a0} B, reactor B {b1 - b0} B over {RoundTrips} round trips");
    }

    [Fact]
    public void Blocking_send_and_receive_with_timeouts_allocate_nothing_per_call()
    {
        using var echo = EchoOnB(7);
        using var client = new UdpSocket(_a.Reactor) { ReceiveTimeout = 5000, SendTimeout = 5000 };
        client.Connect(new IPEndPoint(AddressB, 7));
        var request = new byte[100];
        var reply = new byte[100];
        int wrong = 0; // counted, not asserted in the loop: xunit's Assert.Equal allocates
        void RoundTrips(int n)
        {
            for (int i = 0; i < n; i++)
            {
                request[0] = (byte)i;
                if (client.Send(request) != request.Length || client.Receive(reply) != request.Length || reply[0] != (byte)i)
                {
                    wrong++;
                }
            }
        }

        RoundTrips(500); // warm
        long before = GC.GetAllocatedBytesForCurrentThread();
        RoundTrips(2000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, wrong);
        Assert.True(allocated < OneOffBytes, $"{allocated} B allocated over 2000 blocking round trips"); // per call: >= 96 KB
    }

    /// <summary>Allocation checks tolerate less than this in a whole window: one object, not one per packet.</summary>
    private const long OneOffBytes = 256;

    /// <summary>Reads <see cref="GC.GetAllocatedBytesForCurrentThread"/> on a handler's thread when asked.</summary>
    private sealed class AllocationProbe
    {
        private int _requested;
        private long _value = -1;

        public void Sample()
        {
            if (Volatile.Read(ref _requested) != 0)
            {
                Volatile.Write(ref _value, GC.GetAllocatedBytesForCurrentThread());
                Volatile.Write(ref _requested, 0);
            }
        }

        public async Task<long> Take()
        {
            Volatile.Write(ref _value, -1);
            Volatile.Write(ref _requested, 1);
            await WaitFor(() => Volatile.Read(ref _requested) == 0);
            return Volatile.Read(ref _value);
        }
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the reactors stopped exchanging datagrams");
            }

            await Task.Delay(5);
        }
    }

    [Fact]
    public void Without_a_MAC_of_its_own_or_the_ports_or_with_an_MTU_above_the_ports_an_interface_is_refused()
    {
        // net_ring ports have 00:00:00:00:00:00 (and cannot be given another): the interface has
        // nothing to take, and says so instead of failing on a zero source address later.
        Assert.True(_fixture.PortA.MacAddress.IsZero);
        var options = new InterfaceOptions { Name = "defaults", Address = Ipv4Address.Parse("10.78.0.8"), PublishMetrics = false };

        var noMac = Assert.Throws<ArgumentException>(() => new DpdkInterface(_fixture.PortA, _fixture.Pool, options));
        Assert.Contains("set InterfaceOptions.Mac", noMac.Message);

        var mtu = Assert.Throws<ArgumentException>(() => new DpdkInterface(_fixture.PortA, _fixture.Pool,
            options with { Mac = MacAddress.Parse("02:78:00:00:00:0a"), Mtu = _fixture.PortA.Mtu + 1 }));
        Assert.Contains("PortConfig.Mtu", mtu.Message);
    }

    private UdpSocket EchoOnB(int port)
    {
        var echo = new UdpSocket(_b.Reactor);
        echo.Bind(new IPEndPoint(IPAddress.Any, port));
        echo.SetHandler(static d => d.Reply(d.Payload));
        return echo;
    }

    [Fact]
    public async Task Datagrams_of_every_size_up_to_60000_bytes_are_echoed_intact_through_fragmentation()
    {
        using var echo = EchoOnB(7);
        using var client = new UdpSocket(_a.Reactor);
        client.Bind(new IPEndPoint(AddressA, 0));
        var buffer = new byte[65536];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        foreach (var size in new[] { 0, 1, 1472, 1473, 9000, 60000 })
        {
            var payload = new byte[size];
            Random.Shared.NextBytes(payload);
            Assert.Equal(size, await client.SendToAsync(payload, new IPEndPoint(AddressB, 7), cts.Token));
            var result = await client.ReceiveFromAsync(buffer, cts.Token);
            Assert.Equal(size, result.ReceivedBytes);
            Assert.Equal(new IPEndPoint(AddressB, 7), result.RemoteEndPoint);
            Assert.True(buffer.AsSpan(0, size).SequenceEqual(payload), $"payload of {size} bytes differs");
        }
        Assert.Equal(AddressA, ((IPEndPoint)client.LocalEndPoint!).Address);
    }

    [Fact]
    public async Task Five_hundred_request_response_round_trips_lose_nothing()
    {
        using var echo = EchoOnB(7);
        using var client = new UdpSocket(_a.Reactor);
        client.Connect(new IPEndPoint(AddressB, 7));
        var request = new byte[64];
        var reply = new byte[64];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        for (int i = 0; i < 500; i++)
        {
            BitConverter.TryWriteBytes(request, i);
            await client.SendAsync(request, cts.Token);
            Assert.Equal(64, await client.ReceiveAsync(reply, cts.Token));
            Assert.Equal(i, BitConverter.ToInt32(reply));
        }
    }

    [Fact]
    public async Task Blocking_receive_times_out_and_a_cancelled_async_receive_does_not_eat_the_next_datagram()
    {
        using var server = new UdpSocket(_b.Reactor) { ReceiveTimeout = 200 };
        server.Bind(new IPEndPoint(IPAddress.Any, 5000));
        var e = Assert.Throws<SocketException>(() => server.Receive(new byte[16]));
        Assert.Equal(SocketError.TimedOut, e.SocketErrorCode);

        using (var cts = new CancellationTokenSource(100))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await server.ReceiveFromAsync(new byte[16], cts.Token));
        }

        using var client = new UdpSocket(_a.Reactor);
        client.SendTo("after"u8, new IPEndPoint(AddressB, 5000));
        server.ReceiveTimeout = 5000;
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        var buffer = new byte[16];
        int n = server.ReceiveFrom(buffer, ref from);
        Assert.Equal("after"u8.ToArray(), buffer[..n]);
        Assert.Equal(AddressA, ((IPEndPoint)from).Address);
    }

    [Fact]
    public void Port_unreachable_refuses_the_connected_socket_and_is_ignored_by_an_unconnected_one()
    {
        using var connected = new UdpSocket(_a.Reactor) { ReceiveTimeout = 3000 };
        connected.Connect(new IPEndPoint(AddressB, 9999));
        connected.Send("ping"u8);
        var e = Assert.Throws<SocketException>(() => connected.Receive(new byte[16]));
        Assert.Equal(SocketError.ConnectionRefused, e.SocketErrorCode);

        using var unconnected = new UdpSocket(_a.Reactor) { ReceiveTimeout = 300 };
        unconnected.SendTo("ping"u8, new IPEndPoint(AddressB, 9998));
        e = Assert.Throws<SocketException>(() => unconnected.Receive(new byte[16]));
        Assert.Equal(SocketError.TimedOut, e.SocketErrorCode); // Linux: no IP_RECVERR, no error
        Assert.Equal(4, unconnected.SendTo("ping"u8, new IPEndPoint(AddressB, 9998)));
    }

    [Fact]
    public async Task Errors_come_back_as_the_SocketError_values_Linux_gives()
    {
        using var first = new UdpSocket(_a.Reactor);
        first.Bind(new IPEndPoint(IPAddress.Any, 6000));
        using var second = new UdpSocket(_a.Reactor);
        Assert.Equal(SocketError.AddressAlreadyInUse,
            Assert.Throws<SocketException>(() => second.Bind(new IPEndPoint(IPAddress.Any, 6000))).SocketErrorCode);
        using var foreign = new UdpSocket(_a.Reactor);
        Assert.Equal(SocketError.AddressNotAvailable,
            Assert.Throws<SocketException>(() => foreign.Bind(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 0))).SocketErrorCode);
        Assert.Equal(SocketError.DestinationAddressRequired,
            Assert.Throws<SocketException>(() => first.Send("x"u8)).SocketErrorCode);
        Assert.Equal(SocketError.MessageSize,
            Assert.Throws<SocketException>(() => first.SendTo(new byte[65508], new IPEndPoint(AddressB, 7))).SocketErrorCode);
        Assert.Throws<InvalidOperationException>(() => new UdpSocket(_a.Reactor).Receive(new byte[1]));

        var pending = first.ReceiveFromAsync(new byte[16]).AsTask();
        first.Dispose();
        var aborted = await Assert.ThrowsAsync<SocketException>(() => pending);
        Assert.Equal(SocketError.OperationAborted, aborted.SocketErrorCode);
    }
}
