using System.Diagnostics;
using DpdkSharp.Runtime;
using Xunit.Abstractions;

namespace DpdkSharp.Pktgen.Tests;

/// <summary>sendrecv against reflect over a net_ring pair in one process, and against a reflector that misbehaves on purpose.</summary>
public sealed class SendRecvTests(PktgenFixture fixture, ITestOutputHelper output) : PktgenTest(fixture)
{
    private static PktgenSettings Settings(PktgenMode mode, double rate) => new()
    {
        Mode = mode,
        RatePps = rate,
        Sizes = FrameTemplates.ParseSizes("imix"),
        Flows = 8,
        OnEalLcores = false,
        MaxLag = TimeSpan.FromSeconds(1),
    };

    [Fact]
    public void Sendrecv_against_reflect_at_a_fixed_rate_loses_nothing_and_measures_latency_without_allocating()
    {
        const double rate = 10_000;
        using var reflect = new PktgenSession(Settings(PktgenMode.Reflect, 0), Fixture.Peer, Fixture.Pool);
        using var sendrecv = new PktgenSession(Settings(PktgenMode.SendRecv, rate), Fixture.Generator, Fixture.Pool);
        reflect.Start();
        sendrecv.Start();
        var clock = Stopwatch.StartNew();
        var intervals = new List<IntervalReport>();
        while (clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            Thread.Sleep(1000);
            intervals.Add(sendrecv.Collect());
            output.WriteLine(intervals[^1].ToConsoleLine());
        }

        var final = sendrecv.Stop(TimeSpan.FromMilliseconds(300));
        var reflected = reflect.Stop(TimeSpan.Zero);
        output.WriteLine(final.ToJson("summary"));
        var t = final.Totals;
        Assert.True(t.TxPackets > rate * 4, $"only {t.TxPackets} frames sent in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(t.TxPackets, t.RxPackets);
        Assert.Equal(0, t.Lost);
        Assert.Equal(0, t.Bad);
        Assert.Equal(0, t.Duplicates);
        Assert.Equal(0, t.Reordered);
        Assert.Equal(0, t.TooOld);
        Assert.Equal(t.TxPackets, reflected.Totals.TxPackets);
        Assert.Equal(t.RxPackets, final.OverallLatency.Count);
        Assert.True(final.OverallLatency.P50 > 0 && final.OverallLatency.P50 <= final.OverallLatency.P99, final.ToJson());
        Assert.Contains(intervals, i => i.Latency.Count > 0);
        Assert.Equal(0, t.AllocatedBytes);
        Assert.Equal(0, reflected.Totals.AllocatedBytes);
    }

    [Fact]
    public void The_overall_latency_leaves_out_the_intervals_that_began_within_the_latency_warm_up()
    {
        var warmup = TimeSpan.FromSeconds(1.2);
        using var reflect = new PktgenSession(Settings(PktgenMode.Reflect, 0), Fixture.Peer, Fixture.Pool);
        using var sendrecv = new PktgenSession(Settings(PktgenMode.SendRecv, 10_000) with { LatencyWarmup = warmup }, Fixture.Generator, Fixture.Pool);
        reflect.Start();
        sendrecv.Start();
        var intervals = new List<IntervalReport>();
        for (var i = 0; i < 6; i++)
        {
            Thread.Sleep(500);
            intervals.Add(sendrecv.Collect());
        }

        intervals.Add(sendrecv.Stop(TimeSpan.FromMilliseconds(300)));
        reflect.Stop(TimeSpan.Zero);
        var final = intervals[^1];
        output.WriteLine(final.ToJson("summary"));
        var counted = intervals.Where(i => i.Elapsed - i.Seconds >= warmup.TotalSeconds).Sum(i => i.Latency.Count);
        var left = intervals.Where(i => i.Elapsed - i.Seconds < warmup.TotalSeconds).Sum(i => i.Latency.Count);
        Assert.True(left > 0 && counted > 0, $"{left} samples in the warm-up's intervals, {counted} after");
        Assert.Equal(counted, final.OverallLatency.Count);
        Assert.Equal(final.Totals.RxPackets, counted + left); // each interval still reports every frame's latency
    }

    [Fact]
    public void Reordered_duplicated_and_corrupted_frames_from_a_misbehaving_reflector_are_each_counted()
    {
        using var sendrecv = new PktgenSession(Settings(PktgenMode.SendRecv, 10_000) with { Flows = 1 }, Fixture.Generator, Fixture.Pool);
        using var stop = new CancellationTokenSource();
        var reflector = new MisbehavingReflector(Fixture.Peer, Fixture.Pool);
        var thread = new Thread(() => reflector.Run(stop.Token));
        thread.Start();
        sendrecv.Start();
        Thread.Sleep(TimeSpan.FromSeconds(3));
        // The generator stops sending first, so the reflector sends back everything in flight before it stops.
        sendrecv.StopTransmitting();
        Thread.Sleep(300);
        stop.Cancel();
        thread.Join();
        var final = sendrecv.Stop(TimeSpan.FromMilliseconds(300));
        output.WriteLine(final.ToJson("summary"));
        output.WriteLine($"reflector: swapped {reflector.Swapped}, duplicated {reflector.Duplicated}, corrupted {reflector.Corrupted}");
        var t = final.Totals;
        Assert.True(reflector.Swapped > 100 && reflector.Duplicated > 100 && reflector.Corrupted > 100, "the reflector had too little to do");
        Assert.Equal(reflector.Swapped, t.Reordered);
        Assert.Equal(reflector.Duplicated, t.Duplicates);
        Assert.Equal(reflector.Corrupted, t.Bad);
        Assert.Equal(0, t.TooOld);
        // A corrupted frame is received but not counted as arrived: it is lost as far as the sequence goes.
        Assert.Equal(reflector.Corrupted, t.Lost);
    }
}
