using DpdkSharp.Pktgen.Peers;
using Xunit.Abstractions;

namespace DpdkSharp.Pktgen.Tests;

/// <summary>
/// Against DPDK's own C tools on one net_memif link, each side its own process: dpdk-testpmd's macswap forwarding
/// reflects our sendrecv, and dpdk-testpmd's txonly generates for our rx, whose count must be testpmd's own.
/// Placement: both processes' lcores may run on either CPU (see <see cref="PeerTiming"/>).
/// </summary>
[Collection(PeerCollection.Name)]
public sealed class TestpmdPeerTests(ITestOutputHelper output)
{
    private const string Cpus = PeerTiming.Cpus;
    private static readonly TimeSpan Startup = PeerTiming.Startup;
    private static readonly string[] Tolerant = PeerTiming.TolerantSendrecv;
    private static readonly string[] TestpmdPool = ["--total-num-mbufs=16384", "--no-mlockall"];

    [Fact]
    public void Sendrecv_against_testpmd_macswap_on_memif_gets_its_frames_back_intact_and_measures_latency()
    {
        const int Rate = 10_000, Seconds = 5;
        using var link = new MemifLink(log2RingSize: 14); // 1.6 s of frames at this rate: preemption delays, never drops
        using var testpmd = Testpmd.Start("testpmd macswap", PeerEal.For(Cpus, link.ServerVdev), ["--forward-mode=macswap", .. TestpmdPool], Startup);
        link.WaitUntilListening(Startup, () => testpmd.Process.HasExited, testpmd.Process.Describe);
        testpmd.Command("start");
        using var sendrecv = PktgenProcess.Start("sendrecv", PeerEal.For(Cpus, link.ClientVdev),
            ["sendrecv", "--rate-pps", $"{Rate}", "--duration", $"{Seconds}", "--sizes", "imix", "--src-ports", "1024-1031", .. Tolerant]);
        var s = sendrecv.WaitForSummary(Startup + TimeSpan.FromSeconds(Seconds * 4));
        output.WriteLine(s.Json);
        output.WriteLine(testpmd.Command("stop"));
        Assert.Equal(0, testpmd.Quit(TimeSpan.FromSeconds(30)));

        PeerTiming.AssertScheduleRan(s, Rate, Seconds);
        // Every frame is accounted for: back intact, or counted lost. testpmd (not us) may lose a handful: one run
        // in about ten lost 4 of 50,000 on this shared VM (our own reflect across processes loses none, see
        // TwoProcessTests), so a loss is allowed up to 0.1 % and everything else must be exact.
        Assert.Equal(s.TxPackets, s.RxPackets + s.Lost);
        Assert.True(s.Lost <= s.TxPackets / 1000, s.Json);
        Assert.Equal(0, s.Bad);
        Assert.Equal(0, s.Duplicates);
        Assert.Equal(0, s.Reordered);
        Assert.Equal(0, s.TooOld);
        Assert.Equal(s.RxPackets, s.LatencyCount);
        Assert.True(s.LatencyP50 > 0 && s.LatencyP50 <= s.LatencyP99 && s.LatencyP99 <= s.LatencyMax, s.Json);
    }

    [Fact]
    public void Rx_counts_every_frame_testpmd_txonly_sent_as_testpmd_counts_them()
    {
        using var link = new MemifLink(log2RingSize: 12);
        // Our rx is the server: testpmd's client port needs a listener when it starts.
        using var rx = PktgenProcess.Start("rx", PeerEal.For(Cpus, link.ServerVdev), ["rx", "--duration", "0"]);
        link.WaitUntilListening(Startup, () => rx.Process.HasExited, rx.Process.Describe);
        using var testpmd = Testpmd.Start("testpmd txonly", PeerEal.For(Cpus, link.ClientVdev), ["--forward-mode=txonly", "--txpkts=60", .. TestpmdPool], Startup);
        rx.WaitUntilRunning(Startup);
        testpmd.Command("start");
        Thread.Sleep(TimeSpan.FromSeconds(2)); // unpaced: as fast as our rx takes them (a full ring refuses, it never drops)
        output.WriteLine(testpmd.Command("stop"));
        // Read while the link is up: memif reports 0 for every counter once its peer has gone.
        var (sent, _) = testpmd.PortStats(0);
        output.WriteLine(sent.ToString());
        // Then let our rx empty the ring before either side leaves it.
        rx.WaitForTotals(t => t.RxPackets >= sent.TxPackets, TimeSpan.FromSeconds(60), $"rx to count testpmd's {sent.TxPackets} frames");
        Assert.Equal(0, testpmd.Quit(TimeSpan.FromSeconds(30)));
        rx.Process.Interrupt();
        var r = rx.WaitForSummary(TimeSpan.FromSeconds(60));
        output.WriteLine(r.Json);

        Assert.True(sent.TxPackets > 10_000, $"testpmd sent only {sent.TxPackets} frames in 2 s");
        Assert.Equal(0, sent.TxErrors);
        Assert.Equal(sent.TxPackets, r.RxPackets);
        Assert.Equal(sent.TxBytes + 4 * sent.TxPackets, r.RxBytes); // testpmd counts frames without FCS, the tool with
        Assert.Equal(r.RxPackets, r.Bad); // testpmd's payload is not ours: every frame counted, none taken for a sequence
        Assert.Equal(0, r.TxPackets);
    }
}
