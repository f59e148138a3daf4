namespace DpdkSharp.Stack.Tests.Tcp;

/// <summary>Whole connections between two stacks over the simulated link: handshake, transfer both ways, closes.</summary>
public class TcpSimulationTests
{
    private static Impairments Wire(int seed, double loss = 0, double reorder = 0, double duplication = 0) => new()
    {
        Seed = seed,
        Delay = TimeSpan.FromMicroseconds(50),
        RateBitsPerSecond = 1_000_000_000,
        QueueLimitBytes = 4 * 1024 * 1024,
        Loss = loss,
        Reorder = reorder,
        ReorderDelay = TimeSpan.FromMicroseconds(200),
        Duplication = duplication,
    };

    [Fact]
    public void A_megabyte_each_way_arrives_intact_and_both_sides_close_cleanly()
    {
        using var pair = new SimulatedPair(Wire(1), Wire(2));
        var transfer = new TcpTransfer(pair, 1 << 20, 1 << 20, seed: 7);
        Assert.True(transfer.Run(TimeSpan.FromSeconds(30)), $"client {transfer.Client}; server {transfer.Server}");
        transfer.AssertIntact();
        Assert.Equal(0, pair.A.TcpCounters.RetransmittedSegments);
        Assert.True(transfer.Client.Negotiated.Timestamps && transfer.Client.Negotiated.Sack && transfer.Client.Negotiated.WindowScaling);
        pair.Sim.RunFor(TimeSpan.FromSeconds(61)); // TIME-WAIT ends
        Assert.Equal(0, pair.A.Tcp.Count);
        Assert.Equal(0, pair.B.Tcp.Count);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void Five_percent_loss_with_reordering_and_duplication_still_delivers_every_byte(int seed)
    {
        using var pair = new SimulatedPair(Wire(seed, 0.05, 0.05, 0.02), Wire(seed + 100, 0.05, 0.05, 0.02));
        var transfer = new TcpTransfer(pair, 1 << 20, 512 * 1024, seed);
        Assert.True(transfer.Run(TimeSpan.FromSeconds(120)), $"seed {seed} at {pair.Sim.Now}: client {transfer.Client}; server {transfer.Server}; got {transfer.ReceivedByServer.Length}/{transfer.ReceivedByClient.Length}");
        transfer.AssertIntact();
        Assert.True(pair.A.TcpCounters.RetransmittedSegments > 0);
    }
}
