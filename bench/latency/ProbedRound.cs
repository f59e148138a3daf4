using System.Globalization;

namespace DpdkSharp.Bench.Latency;

/// <summary>
/// One cell's run in one round: the client's RESULT map and round trips (null when the cell failed), and the host's
/// cross-CPU round trip (<see cref="CoreRoundTrip"/>) read just before and just after it.
/// </summary>
internal sealed record CellRun(string Cell, Dictionary<string, string>? Result, Dictionary<string, List<double>>? Samples,
    double ProbeBeforeNs, double ProbeAfterNs)
{
    /// <summary>The CPUs the probe runs between: the machine's two vCPUs, which the host places near or far apart.</summary>
    private const int CpuA = 0;
    private const int CpuB = 1;

    /// <summary>
    /// Reads the probe between cells, when none of their processes is running (tens of milliseconds): the fastest of
    /// <paramref name="reads"/> short reads of <paramref name="roundTrips"/> exchanges (half of them timed). A thread
    /// of the ping-pong that another program on this shared machine preempts slows the mean of its read by as much as a
    /// change of state, and preemption only ever slows; a read shorter than a scheduler slice is often not preempted.
    /// </summary>
    public static double Probe(int reads = 10, int roundTrips = 4_000) =>
        Enumerable.Range(0, reads).Min(_ => CoreRoundTrip.MeasureNanoseconds(CpuA, CpuB, roundTrips));

    /// <summary>For the progress lines on stderr: the probes and this run's own p99s, so a slow round shows which state it ran in.</summary>
    public override string ToString()
    {
        string P99(string phase) => Samples?.GetValueOrDefault(phase) is { Count: > 0 } values
            ? Sh.F(Latency.Samples.Percentile(values.Order().ToList(), 0.99)) : "-";
        return string.Create(CultureInfo.InvariantCulture,
            $"{Cell}: probe {ProbeBeforeNs:F0}/{ProbeAfterNs:F0} ns, p99 idle {P99("idle")} µs, 10k {P99("10k")} µs{(Result is null ? " (failed)" : "")}");
    }
}

/// <summary>
/// Every cell's run in one round (one attempt at it). Matched: every probe of the round is on the same side of
/// <see cref="CoreRoundTrip.FarStateNs"/> (<see cref="CoreRoundTrip.SameState"/>), so all its cells ran with the vCPUs in one placement and the
/// round compares the stack with the kernel, not two placements.
/// </summary>
internal sealed record ProbedRound(int Index, int Attempt, string Load, List<CellRun> Cells)
{
    public double SlowestProbeNs => Cells.Max(c => Math.Max(c.ProbeBeforeNs, c.ProbeAfterNs));

    public double FastestProbeNs => Cells.Min(c => Math.Min(c.ProbeBeforeNs, c.ProbeAfterNs));

    public bool Matched => CoreRoundTrip.SameState(FastestProbeNs, SlowestProbeNs);

    /// <summary>
    /// The rounds made in the near state, when <paramref name="matched"/> rounds ran in both (some round's probes in the
    /// far band, some in the near); null when they all ran in one. Near: in the fastest round's band.
    /// </summary>
    public static List<ProbedRound>? NearState(List<ProbedRound> matched)
    {
        if (matched.Count == 0)
        {
            return null;
        }

        var fastest = matched.Min(r => r.SlowestProbeNs);
        var near = matched.Where(r => CoreRoundTrip.SameState(fastest, r.SlowestProbeNs)).ToList();
        return near.Count < matched.Count ? near : null;
    }
}
