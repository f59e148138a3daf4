using System.Globalization;
using DpdkSharp.Pktgen.Peers;
using Xunit.Abstractions;

namespace DpdkSharp.Pktgen.Tests;

/// <summary>
/// Flows spread over a multi-queue reflector, and the tool reports how. None of DPDK 22.11's virtual devices hashes
/// in the driver: net_ring, net_null and net_memif have no RSS (memif's server queue i is its client's queue i),
/// and net_tap advertises RSS types but applies them only through rte_flow RSS actions (a BPF program), its
/// queues otherwise filled by the kernel's tun queue selection. net_af_packet with <c>qpairs=N</c> is the one that
/// spreads by a flow hash: its N sockets form a PACKET_FANOUT_HASH group, so the kernel picks each frame's queue
/// from the frame's flow hash (addresses and ports), as a NIC's RSS does. So: a veth pair in a namespace this test
/// creates, sendrecv with 64 flows (source ports) on one end, reflect with 4 queues on the other.
/// </summary>
[Collection(PeerCollection.Name)]
public sealed class RssTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Startup = PeerTiming.Startup;

    [Fact]
    public void Reflect_on_four_af_packet_queues_receives_the_flows_spread_over_every_queue_and_reports_each()
    {
        const int Rate = 10_000, Seconds = 5, Queues = 4;
        using var veth = new VethNamespace($"dpdksharp-rss-{Environment.ProcessId}");
        // Large rings (framecnt): a preempted worker delays frames rather than losing them (sendrecv's one queue
        // takes what the reflector's four send back).
        var rings = "blocksz=4096,framesz=2048,framecnt=4096";
        var sendrecvRings = "blocksz=4096,framesz=2048,framecnt=16384";
        using var reflect = PktgenProcess.Start("reflect",
            PeerEal.For(PeerTiming.Cpus, $"net_af_packet0,iface={VethNamespace.B},qpairs={Queues},{rings}", workers: Queues),
            ["reflect", "--queues", $"{Queues}", "--duration", "0"], veth.Name);
        reflect.WaitUntilRunning(Startup);
        using var sendrecv = PktgenProcess.Start("sendrecv", PeerEal.For(PeerTiming.Cpus, $"net_af_packet0,iface={VethNamespace.A},{sendrecvRings}"),
            ["sendrecv", "--rate-pps", $"{Rate}", "--duration", $"{Seconds}", "--src-ports", "1024-1087", "--dst-mac", veth.MacOfB,
             .. PeerTiming.TolerantSendrecv], veth.Name);
        var s = sendrecv.WaitForSummary(Startup + TimeSpan.FromSeconds(Seconds * 4));
        reflect.Process.Interrupt();
        var r = reflect.WaitForSummary(TimeSpan.FromSeconds(60));
        output.WriteLine(s.Json);
        output.WriteLine(r.Json);

        Assert.Equal(Queues, r.RxPerQueue.Length);
        Assert.Equal(r.RxPackets, r.RxPerQueue.Sum());
        // Five busy-polling workers share the two CPUs here (the reflector's four and sendrecv's): the sender gets less
        // of one than in the other tests; a tenth of the schedule is still thousands of frames over 64 flows.
        PeerTiming.AssertScheduleRan(s, Rate, Seconds, sentAtLeast: 0.1);
        // 64 flows over 4 queues by hash: about a quarter each; a queue with under 5 % would mean no spreading.
        Assert.All(r.RxPerQueue, q => Assert.True(q > r.RxPackets * 0.05, $"rx per queue [{string.Join(' ', r.RxPerQueue)}]"));
        Assert.Equal(0, s.Bad);
        Assert.Equal(0, s.Duplicates);
        Assert.Equal(s.TxPackets, r.RxPackets);
        // Every frame came in whole and once; what the return path lost (the kernel drops from a full af_packet ring
        // of a starved sendrecv, seen at 3 % on a machine at load 40) is not what this test is about.
        Assert.Equal(r.RxPackets, r.TxPackets + r.TxSkipped);
        output.WriteLine($"lost on the way back: {s.Lost} of {s.TxPackets}");
    }
}

/// <summary>A network namespace with a veth pair (A, B) in it, up, IPv6 off (no router solicitations on the link); deleted on dispose.</summary>
internal sealed class VethNamespace : IDisposable
{
    public const string A = "pgrss0";
    public const string B = "pgrss1";

    public VethNamespace(string name)
    {
        Name = name;
        Run("ip", "netns", "add", name);
        try
        {
            In("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
            In("sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1");
            In("ip", "link", "add", A, "type", "veth", "peer", "name", B);
            In("ip", "link", "set", A, "up");
            In("ip", "link", "set", B, "up");
            MacOfB = In("cat", $"/sys/class/net/{B}/address").Trim();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Name { get; }

    public string MacOfB { get; } = "";

    public void Dispose() => Run("ip", "netns", "del", Name);

    private string In(params string[] command) => Run(["ip", "netns", "exec", Name, .. command]);

    private static string Run(params string[] command)
    {
        using var process = PeerProcess.Start(command[0], command[0], command[1..]);
        var exit = process.WaitForExit(TimeSpan.FromSeconds(30));
        if (exit != 0)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{string.Join(' ', command)} failed ({exit}):\n{process.Describe()}"));
        }

        return process.Output;
    }
}
