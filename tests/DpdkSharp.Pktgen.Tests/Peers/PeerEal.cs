using System.Globalization;

namespace DpdkSharp.Pktgen.Peers;

/// <summary>EAL arguments for one process of a two-process run (ours or testpmd), so both sides are set up alike.</summary>
public static class PeerEal
{
    private static int _next;

    /// <summary>
    /// A main lcore and <paramref name="workers"/> worker lcores, all on <paramref name="cpus"/> (a CPU, <c>1</c>, or a
    /// set, <c>(0,1)</c>); no hugepages (memif's rings are memfd-backed in 22.11, so a peer needs no shared
    /// hugepages), 256 MB, no PCI, no shared config or telemetry files, a file prefix of its own and one vdev.
    /// </summary>
    public static string[] For(string cpus, string vdev, int workers = 1)
    {
        var lcores = string.Join(',', Enumerable.Range(0, workers + 1).Select(l => string.Create(CultureInfo.InvariantCulture, $"{l}@{cpus}")));
        var prefix = string.Create(CultureInfo.InvariantCulture, $"dpdksharp-peer-{Environment.ProcessId}-{Interlocked.Increment(ref _next)}");
        return ["--lcores", lcores, "--no-huge", "-m", "256", "--no-pci", "--no-shconf", "--no-telemetry", "--file-prefix", prefix, "--vdev", vdev];
    }
}
