namespace DpdkSharp.Stack.Tests.Tcp.Script;

/// <summary>
/// Receive-window autotuning (the queue doubles when the application keeps taking more than half of it per
/// round trip, as Linux grows its receive buffer) and the stack's memory bound
/// (<see cref="TcpStackOptions.MemoryLimit"/>), which stops growth but never a connection's initial queues.
/// </summary>
public class AutotuningScripts
{
    private const int Initial = 4096;
    private const int Max = 64 * 1024;

    private static readonly TcpSocketOptions Small = TcpSocketOptions.Default with
    {
        SendBufferSize = Initial,
        MaxSendBufferSize = Initial,
        ReceiveBufferSize = Initial,
        MaxReceiveBufferSize = Max,
    };

    /// <summary>A connection accepted through the table (whose memory bound applies), adopted by the script.</summary>
    private static TcpScript Open(long memoryLimit)
    {
        var s = TcpScript.WithTable(new TcpStackOptions { MemoryLimit = memoryLimit, DefaultSocketOptions = Small });
        Assert.Equal(NetError.None, s.Table!.Listen(8080, 16, null, out var listener));
        s.In(0, "S", 0, options: "mss 1000");
        s.Out(0, "S.", 0, ack: 1);
        s.In(0, ".", 1, ack: 1);
        Assert.True(s.Table.TryAccept(listener!, s, out var tcb));
        s.Adopt(tcb!);
        return s;
    }

    /// <summary>
    /// Rounds 50 ms apart: the peer fills the window we announce (a sender with a large congestion window),
    /// the application reads it all, and the delayed ACK (40 ms) announces the room that made. Returns the receive queue's size after each round.
    /// </summary>
    private static List<int> Stream(TcpScript s, int rounds)
    {
        var sizes = new List<int>();
        int seq = 1;
        int read = 0;
        long at = 10;
        for (int round = 0; round < rounds; round++, at += 50)
        {
            for (int burst = s.Tcb!.AdvertisedWindow; burst > 0;)
            {
                int len = Math.Min(1000, burst);
                Assert.True(s.In(at, ".", seq, ack: 1, len: len), "a segment inside the announced window was dropped");
                seq += len;
                burst -= len;
            }
            read += s.ReadBytes(at + 1).Length;
            Assert.Equal(seq - 1, read); // the application takes everything that arrived
            s.Tick(at + 45); // the delayed ACK announces the room the read made: the next burst can use it
            s.DiscardSent();
            sizes.Add(s.Tcb.ReceiveBufferCapacity);
        }
        return sizes;
    }

    [Fact]
    public void The_receive_window_grows_with_use_up_to_the_largest_receive_buffer()
    {
        var s = Open(memoryLimit: 1L << 30);
        Assert.Equal(Initial, s.Tcb!.ReceiveBufferCapacity);
        long before = s.Table!.MemoryInUse;

        var sizes = Stream(s, rounds: 12);

        Assert.Equal(Max, sizes[^1]);
        Assert.True(sizes.Zip(sizes.Skip(1)).All(p => p.Second >= p.First), string.Join(", ", sizes)); // it only grows ...
        Assert.Contains(Initial * 2, sizes);                                                              // ... by doubling
        Assert.True(s.Tcb.AdvertisedWindow > ushort.MaxValue / 2, $"window {s.Tcb.AdvertisedWindow}: the peer was not offered the room");
        Assert.Equal(before + Max - Initial, s.Table.MemoryInUse);                                        // accounted for
        Assert.Equal(0, s.Counters.MemoryPressure);
    }

    [Fact]
    public void The_memory_limit_stops_growth_but_not_the_initial_queues()
    {
        // Room for the initial queues and one doubling of the receive queue, no more.
        var s = Open(memoryLimit: Initial + Initial + Initial);

        var sizes = Stream(s, rounds: 12);

        Assert.Equal(2 * Initial, sizes[^1]);
        Assert.True(s.Counters.MemoryPressure > 0);
        Assert.Equal(3 * Initial, s.Table!.MemoryInUse);
        s.ExpectState(TcpState.Established);
    }

    [Fact]
    public void A_connection_gets_its_initial_queues_even_past_the_memory_limit_and_keeps_working()
    {
        var s = Open(memoryLimit: 0); // the bound is on growth: a connection cannot exist without its first queues

        var sizes = Stream(s, rounds: 6);

        Assert.All(sizes, size => Assert.Equal(Initial, size));
        Assert.Equal(2 * Initial, s.Table!.MemoryInUse);
        Assert.True(s.Counters.MemoryPressure > 0);
    }
}
