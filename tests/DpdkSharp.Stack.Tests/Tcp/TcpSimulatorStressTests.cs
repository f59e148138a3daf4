using System.Net.Sockets;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace DpdkSharp.Stack.Tests.Tcp;

/// <summary>
/// Randomized whole transfers over the seeded simulator: each seed picks sizes (0 bytes to a few
/// MB each way), impairments per direction, socket options per side and sometimes several
/// connections at once; every byte stream must arrive intact, every connection close cleanly and
/// leave the table, and every buffer and byte of queue memory come back. A failure names its seed
/// and how to replay exactly that seed (<see cref="SeedVariable"/>).
/// </summary>
public class TcpSimulatorStressTests
{
    /// <summary>The environment variable <see cref="The_seed_named_in_the_environment_replays_exactly"/> reads.</summary>
    public const string SeedVariable = "DPDKSHARP_TCP_SEED";

    private const int Batches = 8;
    private const int SeedsPerBatch = 200;

    private readonly ITestOutputHelper _output;

    public TcpSimulatorStressTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<int> BatchNumbers()
    {
        var data = new TheoryData<int>();
        for (int batch = 0; batch < Batches; batch++)
        {
            data.Add(batch);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(BatchNumbers))]
    public void Random_transfers_under_random_impairments_arrive_intact_and_close_cleanly(int batch)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long transfers = 0, bytes = 0;
        for (int seed = batch * SeedsPerBatch; seed < (batch + 1) * SeedsPerBatch; seed++)
        {
            var result = RunSeed(seed);
            transfers += result.Transfers;
            bytes += result.Bytes;
        }
        _output.WriteLine($"batch {batch}: {SeedsPerBatch} seeds, {transfers} transfers, {bytes} bytes in {clock.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>Replays the seed in <see cref="SeedVariable"/> (seed 0 when unset), as a failure message asks.</summary>
    [Fact]
    public void The_seed_named_in_the_environment_replays_exactly()
    {
        int seed = int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), out int s) ? s : 0;
        var first = RunSeed(seed);
        var second = RunSeed(seed);
        _output.WriteLine($"seed {seed}: {first.Describe}");
        Assert.Equal(first, second); // the same seed gives the same run, step for step
    }

    /// <summary>What one seed did, enough to tell two runs apart.</summary>
    internal readonly record struct SeedResult(int Transfers, long Bytes, long Steps, long EndNanoseconds, long SegmentsA, long SegmentsB, long Retransmitted)
    {
        public string Describe => $"{Transfers} transfers, {Bytes} bytes, {Steps} steps, ended at {EndNanoseconds} ns, segments {SegmentsA}/{SegmentsB}, retransmitted {Retransmitted}";
    }

    /// <summary>One seed's whole run; throws with the seed and the replay line on any failure.</summary>
    internal static SeedResult RunSeed(int seed)
    {
        var scenario = Scenario.From(seed);
        try
        {
            return scenario.Run();
        }
        catch (Exception e)
        {
            throw new XunitException(
                $"seed {seed} failed ({scenario}). Replay exactly: {SeedVariable}={seed} dotnet test tests/DpdkSharp.Stack.Tests --filter \"FullyQualifiedName~{nameof(TcpSimulatorStressTests)}.{nameof(The_seed_named_in_the_environment_replays_exactly)}\"{Environment.NewLine}{e}");
        }
    }

    /// <summary>Everything a seed decides, drawn from one <see cref="Random"/> seeded with it (nothing else is random).</summary>
    private sealed record Scenario(int Seed, Impairments FromA, Impairments FromB, int Buffers, (int ToServer, int ToClient, TcpSocketOptions Client, TcpSocketOptions Server)[] Connections)
    {
        public static Scenario From(int seed)
        {
            var random = new Random(seed);
            var fromA = Wire(random);
            var fromB = Wire(random);
            int buffers = random.Next(4) == 0 ? 256 : 1024;
            int count = random.Next(8) == 0 ? random.Next(2, 6) : 1;
            var connections = new (int, int, TcpSocketOptions, TcpSocketOptions)[count];
            for (int i = 0; i < count; i++)
            {
                connections[i] = (Size(random), Size(random), Options(random), Options(random));
            }
            return new Scenario(seed, fromA, fromB, buffers, connections);
        }

        /// <summary>Mostly small transfers, a few of megabytes (the run's time goes where the bytes are).</summary>
        private static int Size(Random random) => random.Next(100) switch
        {
            < 15 => 0,
            < 55 => random.Next(1, 4 * 1024),
            < 85 => random.Next(4 * 1024, 64 * 1024),
            < 98 => random.Next(64 * 1024, 512 * 1024),
            _ => random.Next(512 * 1024, 3 * 1024 * 1024),
        };

        private static Impairments Wire(Random random)
        {
            bool rated = random.Next(3) == 0;
            var delay = TimeSpan.FromMicroseconds(random.Next(5, 20_000));
            return new Impairments
            {
                Seed = random.Next(),
                Loss = random.Next(3) == 0 ? 0 : random.NextDouble() * 0.10,
                Reorder = random.Next(2) == 0 ? 0 : random.NextDouble() * 0.10,
                ReorderDelay = TimeSpan.FromMicroseconds(random.Next(10, 5_000)),
                Duplication = random.Next(2) == 0 ? 0 : random.NextDouble() * 0.05,
                Corruption = random.Next(2) == 0 ? 0 : random.NextDouble() * 0.03,
                Delay = delay,
                Jitter = random.Next(2) == 0 ? TimeSpan.Zero : delay * random.NextDouble(),
                RateBitsPerSecond = rated ? (long)Math.Pow(10, 6 + 4 * random.NextDouble()) : 0,
                QueueLimitBytes = rated ? random.Next(8 * 1024, 2 * 1024 * 1024) : int.MaxValue,
            };
        }

        private static TcpSocketOptions Options(Random random)
        {
            bool small = random.Next(3) == 0;
            int send = small ? random.Next(512, 16 * 1024) : random.Next(16 * 1024, 256 * 1024);
            int receive = small ? random.Next(512, 16 * 1024) : random.Next(16 * 1024, 256 * 1024);
            return new TcpSocketOptions
            {
                NoDelay = random.Next(2) == 0,
                SelectiveAcknowledgments = random.Next(4) != 0,
                Timestamps = random.Next(4) != 0,
                WindowScaling = random.Next(4) != 0,
                CongestionControl = random.Next(2) == 0 ? TcpCongestionControl.NewReno : TcpCongestionControl.Cubic,
                SendBufferSize = send,
                MaxSendBufferSize = small ? send * random.Next(1, 4) : 4 * 1024 * 1024,
                ReceiveBufferSize = receive,
                MaxReceiveBufferSize = small ? receive * random.Next(1, 4) : 6 * 1024 * 1024,
                MaxSegmentSize = random.Next(3) == 0 ? random.Next(64, 1461) : null,
                DelayedAckTimeout = TimeSpan.FromMilliseconds(random.Next(0, 200)),
                TimeWaitDuration = TimeSpan.FromSeconds(random.Next(1, 61)),
            };
        }

        public SeedResult Run()
        {
            var pair = new SimulatedPair(FromA, FromB, buffers: Buffers);
            var transfers = new TcpTransfer[Connections.Length];
            long bytes = 0;
            for (int i = 0; i < Connections.Length; i++)
            {
                var (toServer, toClient, client, server) = Connections[i];
                transfers[i] = new TcpTransfer(pair, toServer, toClient, Seed * 8 + i, client, server, (ushort)(TcpTransfer.Port + i));
                bytes += toServer + toClient;
            }
            bool done = TcpTransfer.RunAll(pair, transfers, TimeSpan.FromMinutes(20));
            Assert.True(done, $"not done at {pair.Sim.Now}: {string.Join(" | ", transfers.Select(t => t.ToString()))}");
            foreach (var transfer in transfers)
            {
                transfer.AssertIntact();
            }
            AssertClosesCleanly(pair, transfers, TimeSpan.FromMinutes(20));
            var result = new SeedResult(transfers.Length, bytes, pair.Sim.Steps, pair.Sim.Now.Nanoseconds,
                pair.A.TcpCounters.SegmentsSent, pair.B.TcpCounters.SegmentsSent,
                pair.A.TcpCounters.RetransmittedSegments + pair.B.TcpCounters.RetransmittedSegments);
            pair.Dispose();
            return result;
        }

        public override string ToString() =>
            $"{Connections.Length} connection(s) of {string.Join(", ", Connections.Select(c => $"{c.ToServer}/{c.ToClient} bytes"))}; from A {FromA}; from B {FromB}; {Buffers} buffers; " +
            $"options {string.Join(", ", Connections.Select(c => $"client {c.Client} server {c.Server}"))}";
    }

    /// <summary>
    /// After the transfers: both ends of every connection end without error, the tables empty once
    /// TIME-WAIT is over, queue memory and the connection counters return to zero, once nothing
    /// is in flight every buffer is back in its pool, and the drops counted by reason are the frames dropped.
    /// </summary>
    internal static void AssertClosesCleanly(SimulatedPair pair, IReadOnlyList<TcpTransfer> transfers, TimeSpan limit)
    {
        bool empty = pair.Sim.RunUntil(() => pair.A.Tcp.Count == 0 && pair.B.Tcp.Count == 0, pair.Sim.Now + limit);
        Assert.True(empty, $"connections left at {pair.Sim.Now}: {string.Join(" | ", transfers.Select(t => t.ToString()))}");
        foreach (var transfer in transfers)
        {
            Assert.Equal(TcpState.Closed, transfer.Client.State);
            Assert.Equal(TcpState.Closed, transfer.Server!.State);
            Assert.Equal(SocketError.Success, transfer.Client.Error);
            Assert.Equal(SocketError.Success, transfer.Server.Error);
        }
        Assert.Equal(0, pair.A.Tcp.MemoryInUse);
        Assert.Equal(0, pair.B.Tcp.MemoryInUse);
        Assert.Equal(0, pair.A.TcpCounters.Connections);
        Assert.Equal(0, pair.B.TcpCounters.Connections);
        Assert.True(pair.Sim.RunUntil(() => pair.Link.Pending == 0, pair.Sim.Now + TimeSpan.FromMinutes(1)), "frames still in flight");
        Assert.Equal(0, pair.PoolA.Outstanding);
        Assert.Equal(0, pair.PoolB.Outstanding);
        foreach (var core in new[] { pair.A, pair.B })
        {
            // Every frame dropped counted under exactly one reason, and no reason counted for a frame that was not dropped.
            Assert.True(core.Counters.FramesDropped == core.Counters.TotalDrops(DropStage.Receive),
                $"{core.Counters.FramesDropped} frames dropped, {core.Counters.TotalDrops(DropStage.Receive)} drops counted: {DropSummary(core)}");
        }
    }

    /// <summary>A core's drops at one stage by reason, on one line.</summary>
    internal static string DropSummary(NetworkInterfaceCore core, DropStage stage = DropStage.Receive) =>
        string.Join(", ", Enum.GetValues<DropReason>().Where(r => core.Counters.DropCount(r, stage) > 0).Select(r => $"{r} {core.Counters.DropCount(r, stage)}"));
}
