using DpdkSharp.Pktgen.Peers;

namespace DpdkSharp.Pktgen.Tests;

/// <summary>Tests whose DPDK runs in child processes only: none of them needs the in-process EAL.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PeerCollection
{
    public const string Name = "pktgen peers";
}

/// <summary>
/// How the two-process tests live with a shared 2-vCPU machine (seen: a load average of 50 from other builds, so a
/// busy-polling worker gets a few percent of a CPU): every lcore may run on either CPU (pinning one side to a
/// CPU only gives the scheduler less choice), starting takes as long as it takes, and sendrecv may fall seconds
/// behind its schedule and catch up (--max-lag-ms) and waits seconds for frames in flight (--drain-ms): what is
/// delayed is then still counted, and only what is really lost counts as lost.
/// </summary>
internal static class PeerTiming
{
    public const string Cpus = "(0,1)";

    public static readonly TimeSpan Startup = TimeSpan.FromSeconds(120);

    public static readonly string[] TolerantSendrecv = ["--max-lag-ms", "3000", "--drain-ms", "6000"];

    /// <summary>
    /// The sender's schedule covered the run (frames sent or, when the machine held the sender back beyond
    /// --max-lag-ms, skipped: never sent, so never lost), and at least a quarter of it was really sent.
    /// </summary>
    public static void AssertScheduleRan(PktgenSummary s, int rate, int seconds, double sentAtLeast = 0.25)
    {
        Assert.True(s.TxPackets + s.TxSkipped >= rate * seconds * 0.95,
            $"sent {s.TxPackets} and skipped {s.TxSkipped} of {rate * seconds} scheduled ({rate} pps for {seconds} s)");
        Assert.True(s.TxPackets >= rate * seconds * sentAtLeast,
            $"only {s.TxPackets} of {rate * seconds} frames sent (skipped {s.TxSkipped}): the machine starved the sender");
    }
}
