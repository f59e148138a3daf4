using System.Globalization;
using System.Text;

namespace DpdkSharp.Bench.Latency;

/// <summary>The benchmark's JSON line (its keys are described in bench/latency/README.md).</summary>
internal static class Report
{
    private static readonly string[] Cells = ["kernel", .. Runner.Modes];

    /// <summary>
    /// <paramref name="cells"/>: each cell merged over the rounds counted; <paramref name="near"/>: over the near-state
    /// rounds alone (<see cref="ProbedRound.NearState"/>), null when the counted rounds ran in one state.
    /// </summary>
    public static string Json(Dictionary<string, Dictionary<string, string>?> cells, Dictionary<string, Dictionary<string, string>?>? near,
        int? nearRounds, HashSet<string> failedCells, ClientPlan plan, List<ProbedRound> rounds, int measured, TimeSpan elapsed)
    {
        var json = new StringBuilder("{\"bench\":\"latency\"");
        void Add(string key, string? value) => json.Append($",\"{key}\":{value ?? "null"}");

        Add("idle_requests", plan.IdleRequests.ToString(CultureInfo.InvariantCulture));
        Add("idle_interval_us", plan.IdleIntervalUs.ToString(CultureInfo.InvariantCulture));
        Add("steady_rate", plan.Rate.ToString(CultureInfo.InvariantCulture));
        Add("steady_seconds", plan.Seconds.ToString(CultureInfo.InvariantCulture));
        Add("rounds", rounds.Count.ToString(CultureInfo.InvariantCulture));
        long lost = 0;
        foreach (var cell in Cells)
        {
            var name = Name(cell);
            foreach (var key in (string[])["idle_p50_us", "idle_p99_us", "idle_p999_us", "idle_max_us", "idle_lost", "10k_p50_us", "10k_p99_us", "10k_p999_us", "10k_max_us", "10k_lost", "10k_rate"])
            {
                Add($"{name}_{key}", Get(cells, cell, key));
            }

            if (cell != "kernel")
            {
                foreach (var key in (string[])["idle_cpu_percent", "idle_cpu_ticks", "idle_cpu_percent_schedstat"])
                {
                    Add($"{name}_{key}", Get(cells, cell, key));
                }
            }
            lost += (long)(Num(cells, cell, "idle_lost") ?? 0) + (long)(Num(cells, cell, "10k_lost") ?? 0);
        }
        foreach (var mode in Runner.Modes)
        {
            var (worse, idle, steady) = Ratios(cells, mode);
            Add($"ratio_p99_{mode}_over_kernel", worse);
            Add($"ratio_idle_p99_{mode}_over_kernel", idle);
            Add($"ratio_10k_p99_{mode}_over_kernel", steady);
        }
        Add("lost", lost.ToString(CultureInfo.InvariantCulture));
        Add("failed_cells", $"\"{string.Join(',', failedCells)}\"");

        // The host's placement of the two vCPUs (CoreRoundTrip): which rounds ran in one state, and the percentiles of
        // the near-state rounds alone when both states occurred.
        Add("rounds_measured", measured.ToString(CultureInfo.InvariantCulture));
        Add("rounds_matched", rounds.Count(r => r.Matched).ToString(CultureInfo.InvariantCulture));
        Add("rounds_unmatched", $"\"{string.Join(',', rounds.Where(r => !r.Matched).Select(r => r.Index))}\"");
        Add("round_slowest_probe_ns", $"\"{string.Join(',', rounds.Select(r => r.SlowestProbeNs.ToString("0", CultureInfo.InvariantCulture)))}\"");
        Add("near_rounds", nearRounds?.ToString(CultureInfo.InvariantCulture));
        foreach (var cell in Cells)
        {
            Add($"near_{Name(cell)}_idle_p99_us", near is null ? null : Get(near, cell, "idle_p99_us"));
            Add($"near_{Name(cell)}_10k_p99_us", near is null ? null : Get(near, cell, "10k_p99_us"));
        }
        foreach (var mode in Runner.Modes)
        {
            Add($"near_ratio_p99_{mode}_over_kernel", near is null ? null : Ratios(near, mode).Worse);
        }

        Add("run_seconds", elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture));
        Add("load_average_1m", File.ReadAllText("/proc/loadavg").Split(' ')[0]);
        Add("load_average_1m_per_round", $"\"{string.Join(',', rounds.Select(r => r.Load))}\"");
        Add("note", "\"round trips from a kernel UDP socket in a namespace, 32-byte payload; idle: one request in flight, one every 2.5 ms; 10k: open loop (achieved rate in _10k_rate) after an unmeasured second of it, a reply later than 100 ms is lost; stack: net_tap, zero-copy echo handler, reactor unpinned, poll = busy polling; kernel: veth pair to a System.Net.Sockets echo in a second namespace; idle_cpu: reactor thread utime+stime (10 ms ticks) over a quiet window after the client, schedstat for sub-tick resolution; ratio_p99 = the worse of idle and 10k; rounds: every cell once per round with its share of the requests, in rotated order, each cell run between two reads of the CPU 0-1 cache-line round trip; a round whose reads differ by 2x or more is run again (up to twice, at most as many re-runs as rounds) and, if it never matches, left out; percentiles over the matched rounds' samples (all rounds' if none matched), idle_cpu the worst round's; near_*: the rounds within 2x of the fastest round's slowest read, when some were not\"");
        return json.Append('}').ToString();
    }

    private static string Name(string cell) => cell == "kernel" ? "kernel" : $"mode_{cell}";

    private static string? Get(Dictionary<string, Dictionary<string, string>?> cells, string cell, string key) =>
        cells.GetValueOrDefault(cell) is { } c && c.TryGetValue(key, out var v) && v != "NaN" ? v : null;

    private static double? Num(Dictionary<string, Dictionary<string, string>?> cells, string cell, string key) =>
        Get(cells, cell, key) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : null;

    // The headline ratio is the worse of the two loads: the target (1.5x) holds only if both meet it.
    private static (string? Worse, string? Idle, string? Steady) Ratios(Dictionary<string, Dictionary<string, string>?> cells, string mode)
    {
        double? idle = Num(cells, mode, "idle_p99_us") / Num(cells, "kernel", "idle_p99_us");
        double? steady = Num(cells, mode, "10k_p99_us") / Num(cells, "kernel", "10k_p99_us");
        return (Ratio(idle is null || steady is null ? null : Math.Max(idle.Value, steady.Value)), Ratio(idle), Ratio(steady));
    }

    private static string? Ratio(double? value) => value is double v ? v.ToString("0.00", CultureInfo.InvariantCulture) : null;
}
