using Xunit.Abstractions;

namespace DpdkSharp.Stack.Tests.Tcp;

/// <summary>
/// A SYN flood (RFC 4987) against a listener with a small backlog while an established connection
/// transfers: SYN cookies answer once the SYN queue is full, the table and its memory stay bounded,
/// the established transfer arrives intact, and a real client connecting mid-flood gets in by a cookie.
/// </summary>
public class TcpSynFloodTests
{
    private const int Floods = 1_000_000;
    private const int PerStep = 256;
    private const int Backlog = 8;
    private const ushort FloodedPort = 80;

    private readonly ITestOutputHelper _output;

    public TcpSynFloodTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void A_million_spoofed_syns_get_cookies_while_an_established_transfer_and_a_new_client_complete()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // B answers the spoofed sources (off the subnet) through a gateway the link carries to A, which drops them (not its MAC).
        var wire = new Impairments { Delay = TimeSpan.FromMicroseconds(100), RateBitsPerSecond = 1_000_000_000, QueueLimitBytes = 64 * 1024 };
        using var pair = new SimulatedPair(wire, wire with { Seed = 1 }, buffers: 2048, change: o => o.Name == "b"
            ? o with { Gateway = Net.GatewayIp, StaticNeighbors = [.. o.StaticNeighbors, new(Net.GatewayIp, Net.OtherMac)] }
            : o);
        var established = new TcpTransfer(pair, 2 << 20, 2 << 20, seed: 1);
        Assert.True(TcpTransfer.RunAll(pair, [established], TimeSpan.FromSeconds(5), until: () => established.Server is not null));
        Assert.Equal(NetError.None, pair.B.Tcp.Listen(FloodedPort, Backlog, null, out var flooded));
        var transfers = new List<TcpTransfer> { established };
        var random = new Random(4987);
        var frame = new byte[128];
        var table = pair.B.Tcp;
        long perConnection = TcpSocketOptions.Default.MaxSendBufferSize + TcpSocketOptions.Default.MaxReceiveBufferSize;
        int sent = 0, mostConnections = 0;
        long mostMemory = 0, cookiesBeforeClient = 0;
        bool done = TcpTransfer.RunAll(pair, transfers, TimeSpan.FromMinutes(10), now =>
        {
            for (int i = 0; i < PerStep && sent < Floods; i++, sent++)
            {
                int length = SpoofedSyn(random).Write(frame);
                pair.B.Receive(frame.AsSpan(0, length), now);
            }
            if (sent >= Floods / 4 && transfers.Count == 1)
            {
                cookiesBeforeClient = pair.B.TcpCounters.SynCookiesAccepted;
                transfers.Add(new TcpTransfer(pair, 64 * 1024, 64 * 1024, seed: 2, port: FloodedPort, listener: flooded));
            }
            mostConnections = Math.Max(mostConnections, table.Count);
            mostMemory = Math.Max(mostMemory, table.MemoryInUse);
            if (table.Count > 2 + Backlog || table.MemoryInUse > table.Count * perConnection)
            {
                Assert.Fail($"{table.Count} connections holding {table.MemoryInUse} bytes after {sent} SYNs");
            }
        });
        Assert.True(done, $"not done at {pair.Sim.Now} after {sent} SYNs: {string.Join(" | ", transfers)}");
        _output.WriteLine($"{sent} spoofed SYNs in {clock.Elapsed.TotalSeconds:F1} s ({pair.Sim.Now} virtual): cookies sent {pair.B.TcpCounters.SynCookiesSent}, " +
            $"accepted {pair.B.TcpCounters.SynCookiesAccepted}; at most {mostConnections} connections and {mostMemory} bytes; " +
            $"B transmit drops: {TcpSimulatorStressTests.DropSummary(pair.B, DropStage.Transmit)}");
        Assert.Equal(Floods, sent);
        Assert.Equal(2, transfers.Count);
        foreach (var transfer in transfers)
        {
            transfer.AssertIntact();
        }
        Assert.Equal(cookiesBeforeClient + 1, pair.B.TcpCounters.SynCookiesAccepted); // the client got in by a cookie
        Assert.True(pair.B.TcpCounters.SynCookiesSent > Floods / 2, $"{pair.B.TcpCounters.SynCookiesSent} cookies sent");
        Assert.Equal(0, pair.B.Counters.DropCount(DropReason.ListenQueueFull)); // no SYN went unanswered for want of room
        TcpSimulatorStressTests.AssertClosesCleanly(pair, transfers, TimeSpan.FromMinutes(10));
    }

    /// <summary>A SYN to the flooded port from a random address off the subnet (198.18.0.0/15) and port, with random options.</summary>
    private static WireSegment SpoofedSyn(Random random)
    {
        var options = new List<byte> { TcpOptions.KindMss, 4, 5, 180 };
        if (random.Next(2) == 0)
        {
            options.AddRange(WireSegment.TimestampOption((uint)random.Next(), 0));
        }
        if (random.Next(2) == 0)
        {
            options.AddRange([TcpOptions.KindNop, TcpOptions.KindWindowScale, 3, (byte)random.Next(15)]);
        }
        if (random.Next(2) == 0)
        {
            options.AddRange([TcpOptions.KindNop, TcpOptions.KindNop, TcpOptions.KindSackPermitted, 2]);
        }
        return new WireSegment
        {
            SourceMac = Net.OtherMac,
            DestinationMac = Net.PeerMac,
            Source = new Ipv4Address((uint)(0xC612_0000 | random.Next(1 << 17))),
            Destination = Net.PeerIp,
            SourcePort = (ushort)random.Next(1024, 65536),
            DestinationPort = FloodedPort,
            Sequence = (uint)random.NextInt64(1L << 32),
            Flags = TcpFlags.Syn,
            Window = 65535,
            Options = [.. options],
            Payload = [],
        };
    }
}
