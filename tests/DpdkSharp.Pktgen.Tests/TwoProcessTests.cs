using DpdkSharp.Pktgen.Peers;
using Xunit.Abstractions;

namespace DpdkSharp.Pktgen.Tests;

/// <summary>
/// sendrecv and reflect each in its own process on a net_memif link, as the tool is used: the tool's command line,
/// EAL arguments, JSON summary and exit are part of what is tested (placement and timing: <see cref="PeerTiming"/>).
/// </summary>
[Collection(PeerCollection.Name)]
public sealed class TwoProcessTests(ITestOutputHelper output)
{
    private const string Cpus = PeerTiming.Cpus;
    private static readonly TimeSpan Startup = PeerTiming.Startup;
    private static readonly string[] Tolerant = PeerTiming.TolerantSendrecv;

    [Fact]
    public void Sendrecv_against_reflect_in_another_process_for_ten_seconds_loses_nothing_and_measures_latency_without_allocating()
    {
        const int Rate = 10_000, Seconds = 10;
        using var link = new MemifLink(log2RingSize: 14);
        using var reflect = PktgenProcess.Start("reflect", PeerEal.For(Cpus, link.ServerVdev), ["reflect", "--duration", "0"]);
        link.WaitUntilListening(Startup, () => reflect.Process.HasExited, reflect.Process.Describe);
        using var sendrecv = PktgenProcess.Start("sendrecv", PeerEal.For(Cpus, link.ClientVdev),
            ["sendrecv", "--rate-pps", $"{Rate}", "--duration", $"{Seconds}", "--sizes", "imix", "--src-ports", "1024-1087", .. Tolerant]);
        var s = sendrecv.WaitForSummary(Startup + TimeSpan.FromSeconds(Seconds * 4));
        reflect.Process.Interrupt();
        var r = reflect.WaitForSummary(TimeSpan.FromSeconds(60));
        output.WriteLine(s.Json);
        output.WriteLine(r.Json);

        PeerTiming.AssertScheduleRan(s, Rate, Seconds);
        Assert.Equal(0, s.Lost);
        Assert.Equal(0, s.Bad);
        Assert.Equal(0, s.Duplicates);
        Assert.Equal(0, s.Reordered);
        Assert.Equal(0, s.TooOld);
        Assert.Equal(s.TxPackets, s.RxPackets);
        Assert.Equal(s.TxPackets, r.RxPackets);
        Assert.Equal(s.RxPackets, r.TxPackets);
        Assert.Equal(0, r.TxSkipped);
        Assert.Equal(s.RxPackets, s.LatencyCount);
        Assert.True(s.LatencyP50 > 0 && s.LatencyP50 <= s.LatencyP99 && s.LatencyP99 <= s.LatencyMax, s.Json);
        Assert.Equal(0, s.AllocatedBytes);
        Assert.Equal(0, r.AllocatedBytes);
    }
}
