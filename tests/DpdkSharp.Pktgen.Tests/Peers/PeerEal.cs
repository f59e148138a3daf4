using System.Globalization;

namespace DpdkSharp.Pktgen.Peers;

/// <summary>EAL arguments for one process of a two-process run (ours or testpmd), so both sides are set up alike.</summary>
public static class PeerEal
{
    private static int _next;

    /// <summary>
    /// A hugetlbfs mount whose 2-MB pages every process started after this is set uses instead of anonymous 4-KB
    /// memory (the pktgen benchmark: with 4-KB pages the mbufs' cache sets depend on which physical pages a run gets,
    /// and the rate with it); null, the default, for <c>--no-huge</c>.
    /// </summary>
    public static string? HugeDir { get; set; }

    /// <summary>
    /// A main lcore and <paramref name="workers"/> worker lcores, all on <paramref name="cpus"/> (a CPU, <c>1</c>, or a
    /// set, <c>(0,1)</c>); no hugepages unless <see cref="HugeDir"/> is set (memif's rings are memfd-backed in 22.11,
    /// so a peer needs no shared hugepages; the page files are unlinked once mapped, so a crashed process leaves none),
    /// 256 MB, no PCI, no shared config or telemetry files, a file prefix of its own and one vdev.
    /// </summary>
    public static string[] For(string cpus, string vdev, int workers = 1)
    {
        var lcores = string.Join(',', Enumerable.Range(0, workers + 1).Select(l => string.Create(CultureInfo.InvariantCulture, $"{l}@{cpus}")));
        var prefix = string.Create(CultureInfo.InvariantCulture, $"dpdksharp-peer-{Environment.ProcessId}-{Interlocked.Increment(ref _next)}");
        string[] memory = HugeDir is { } dir ? ["--huge-dir", dir, "--huge-unlink"] : ["--no-huge"];
        return ["--lcores", lcores, .. memory, "-m", "256", "--no-pci", "--no-shconf", "--no-telemetry", "--file-prefix", prefix, "--vdev", vdev];
    }
}
