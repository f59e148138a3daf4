using System.Globalization;

namespace DpdkSharp.Bench.Latency;

/// <summary>
/// A client's round trips, handed to the runner in a file (named by <see cref="EnvironmentVariable"/>) so that rounds of
/// one cell are merged before the percentiles are taken: a p99 of 4 rounds of 500 is not a mean of their p99s.
/// </summary>
internal static class Samples
{
    /// <summary>Where a client writes its samples; unset: it writes none (run by hand).</summary>
    public const string EnvironmentVariable = "DPDKSHARP_LATENCY_SAMPLES";

    /// <summary>Writes two lines, <c>idle</c> and <c>10k</c>, each the round trips in microseconds.</summary>
    public static void Write(string path, long[] idleTicks, long[] steadyTicks, long frequency)
    {
        static string Line(string name, long[] ticks, long frequency) =>
            name + " " + string.Join(' ', ticks.Select(t => (t * 1e6 / frequency).ToString("0.###", CultureInfo.InvariantCulture)));
        File.WriteAllLines(path, [Line("idle", idleTicks, frequency), Line("10k", steadyTicks, frequency)]);
    }

    /// <summary>The samples of a file <see cref="Write"/> wrote, by phase name.</summary>
    public static Dictionary<string, List<double>> Read(string path)
    {
        var phases = new Dictionary<string, List<double>>();
        foreach (var line in File.ReadAllLines(path))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length > 0)
            {
                phases[parts[0]] = parts.Skip(1).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToList();
            }
        }
        return phases;
    }

    /// <summary>The nearest-rank percentile of sorted values (as the client computes it).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double q)
    {
        int rank = Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1);
        return sorted[rank];
    }
}
