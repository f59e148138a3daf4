using DpdkSharp.Pktgen.Peers;
using Xunit.Abstractions;

namespace DpdkSharp.Pktgen.Tests;

/// <summary>
/// A reflector outlives its peers: each sendrecv that leaves its net_memif link (killed mid-traffic, or exiting at
/// the end of its run) makes the reflector's EAL interrupt thread unmap the link's rings while its worker polls them.
/// DPDK 22.11's memif PMD does not keep the two apart, and the reflector died of SIGSEGV at the first peer that left
/// (the runtime's MemifDisconnectGuard does now).
/// </summary>
[Collection(PeerCollection.Name)]
public sealed class ReflectPeerDisconnectTests(ITestOutputHelper output)
{
    private const string Cpus = PeerTiming.Cpus;
    private static readonly TimeSpan Startup = PeerTiming.Startup;

    [Fact]
    public void Reflect_survives_a_peer_killed_mid_traffic_and_one_that_exits_and_serves_the_next_without_loss_or_leaked_mbufs()
    {
        const int Rate = 10_000, Seconds = 3;
        using var link = new MemifLink(log2RingSize: 14);
        using var reflect = PktgenProcess.Start("reflect", PeerEal.For(Cpus, link.ServerVdev), ["reflect", "--duration", "0"]);
        link.WaitUntilListening(Startup, () => reflect.Process.HasExited, reflect.Process.Describe);

        // Killed while frames flow both ways: the worker is mid-burst when the link goes.
        using (var killed = PktgenProcess.Start("sendrecv killed", PeerEal.For(Cpus, link.ClientVdev), ["sendrecv", "--rate-pps", "100000", "--duration", "0"]))
        {
            var before = killed.WaitForTotals(t => t.RxPackets >= 20_000, Startup, "20,000 frames reflected");
            output.WriteLine($"killed peer had {before.RxPackets} frames back");
        }

        Assert.False(reflect.Process.HasExited, reflect.Process.Describe());
        var exited = RunPeer(link, "sendrecv exiting", Rate, 1);
        Assert.False(reflect.Process.HasExited, reflect.Process.Describe());
        var last = RunPeer(link, "sendrecv last", Rate, Seconds);

        reflect.Process.Interrupt();
        var r = reflect.WaitForSummary(TimeSpan.FromSeconds(60)); // exit 0, a summary, every mbuf back in its pool
        output.WriteLine(exited.Json);
        output.WriteLine(last.Json);
        output.WriteLine(r.Json);

        Assert.Equal(exited.TxPackets, exited.RxPackets);
        PeerTiming.AssertScheduleRan(last, Rate, Seconds);
        Assert.Equal(0, last.Lost);
        Assert.Equal(0, last.Bad);
        Assert.Equal(0, last.Duplicates);
        Assert.Equal(last.TxPackets, last.RxPackets);
        Assert.True(r.RxPackets >= 20_000 + exited.TxPackets + last.TxPackets, r.Json);
        Assert.Equal(0, r.AllocatedBytes);
    }

    private PktgenSummary RunPeer(MemifLink link, string name, int rate, int seconds)
    {
        using var sendrecv = PktgenProcess.Start(name, PeerEal.For(Cpus, link.ClientVdev),
            ["sendrecv", "--rate-pps", $"{rate}", "--duration", $"{seconds}", .. PeerTiming.TolerantSendrecv]);
        var summary = sendrecv.WaitForSummary(Startup + TimeSpan.FromSeconds(seconds * 4 + 6));
        output.WriteLine($"{name}: tx {summary.TxPackets} rx {summary.RxPackets} lost {summary.Lost} skipped {summary.TxSkipped}");
        return summary;
    }
}
