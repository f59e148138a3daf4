using System.Diagnostics;
using System.Globalization;

namespace DpdkSharp.Bench.Latency;

/// <summary>
/// The benchmark: the kernel reference (client namespace to echo namespace over a veth pair) and each RX mode's
/// stack in a process of its own, in rounds (each cell once per round, in rotated order); one JSON line on stdout.
/// A cell that fails in a round is named in <c>failed_cells</c> and makes the exit code 1; its keys come from the
/// rounds that succeeded (null if none did). Every namespace named after the prefix is deleted at the end, whatever happened.
/// Every cell run is framed by two reads of the host's cross-CPU round trip (<see cref="CoreRoundTrip"/>); a round
/// whose reads disagree is run again (<see cref="ProbedRound"/>), and <see cref="Report"/> writes the line.
/// </summary>
internal static class Runner
{
    public static readonly string[] Modes = ["poll", "interrupt", "adaptive"];
    private static readonly TimeSpan CellTimeout = TimeSpan.FromSeconds(100);

    /// <summary>A round the host split is run again at most this many times.</summary>
    private const int MaxAgainPerRound = 2;

    public static int Run(string prefix, ClientPlan plan, int rounds)
    {
        var watch = Stopwatch.StartNew();
        var cells = (string[])["kernel", .. Modes];
        var failedCells = new HashSet<string>();
        var kept = new List<ProbedRound>();
        var measured = 0;
        // Each round runs every cell with its share of the requests, the cells in a rotated order: a burst of load on
        // this shared machine lands on all of them alike instead of on whichever cell ran at that moment.
        var share = plan with
        {
            IdleRequests = (plan.IdleRequests + rounds - 1) / rounds,
            Seconds = plan.Seconds / rounds,
        };
        try
        {
            // The host moves the two vCPUs between two placements (bench/pktgen/README.md); a round it moved them in
            // compares two machines, so it is run again, up to twice, within a budget of as many re-runs as rounds:
            // a run takes at most twice its rounds' time.
            var again = 0;
            for (int round = 0; round < rounds; round++)
            {
                for (int attempt = 0; ; attempt++)
                {
                    var r = RunRound(prefix, cells, round, attempt, share, failedCells);
                    measured++;
                    var retry = !r.Matched && attempt < MaxAgainPerRound && again < rounds;
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"round {round}: probes {r.FastestProbeNs:F0}-{r.SlowestProbeNs:F0} ns{(r.Matched ? "" : retry ? ": the host moved the CPUs, measuring again" : ": the host moved the CPUs, left out of the percentiles")}"));
                    if (!retry)
                    {
                        kept.Add(r);
                        break;
                    }

                    again++;
                }
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable(Samples.EnvironmentVariable, null);
            Sh.DeleteNamespaces(prefix);
        }

        // The percentiles are the matched rounds' (all rounds', when none matched: rounds_matched says so).
        var matched = kept.Where(r => r.Matched).ToList();
        var counted = matched.Count > 0 ? matched : kept;
        var near = ProbedRound.NearState(matched);
        Console.WriteLine(Report.Json(Merge(cells, counted), near is null ? null : Merge(cells, near), near?.Count, failedCells, plan, kept,
            measured, watch.Elapsed));
        return failedCells.Count == 0 ? 0 : 1;
    }

    /// <summary>Every cell once, in the round's rotation, each between two reads of the host's cross-CPU round trip.</summary>
    private static ProbedRound RunRound(string prefix, string[] cells, int round, int attempt, ClientPlan share, HashSet<string> failedCells)
    {
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        var runs = new List<CellRun>();
        for (int k = 0; k < cells.Length; k++)
        {
            var cell = cells[(k + round) % cells.Length];
            var samplesPath = Path.Combine(Path.GetTempPath(), $"{prefix}-{cell}-{round}-{attempt}.samples");
            Environment.SetEnvironmentVariable(Samples.EnvironmentVariable, samplesPath);
            var before = CellRun.Probe();
            Dictionary<string, string>? result = null;
            Dictionary<string, List<double>>? samples = null;
            try
            {
                result = cell == "kernel" ? Kernel(prefix, share) : Stack(prefix, cell, share);
                samples = Samples.Read(samplesPath);
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"cell {cell} round {round} failed: {e.Message}");
                result = null;
                failedCells.Add(cell);
            }
            finally
            {
                File.Delete(samplesPath);
            }

            var run = new CellRun(cell, result, samples, before, CellRun.Probe());
            Console.Error.WriteLine($"round {round}{(attempt > 0 ? $" (again, {attempt})" : "")} {run}");
            runs.Add(run);
        }

        return new ProbedRound(round, attempt, load, runs);
    }

    /// <summary>Each cell's runs in <paramref name="rounds"/> merged (<see cref="Merge(List{CellRun})"/>); null for a cell with none.</summary>
    private static Dictionary<string, Dictionary<string, string>?> Merge(string[] cells, List<ProbedRound> rounds) =>
        cells.ToDictionary(c => c, c =>
        {
            var runs = rounds.SelectMany(r => r.Cells).Where(run => run.Cell == c && run.Result is not null).ToList();
            return runs.Count == 0 ? null : Merge(runs);
        });

    /// <summary>
    /// One cell's rounds as one RESULT map: percentiles of all round trips together, losses summed, the achieved rate
    /// averaged, and the idle CPU of the worst round (the target is a bound, so the worst round is the one that counts).
    /// </summary>
    private static Dictionary<string, string> Merge(List<CellRun> rounds)
    {
        var merged = new Dictionary<string, string>();
        double Sum(string key) => rounds.Sum(r => r.Result!.TryGetValue(key, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : 0);
        foreach (var phase in (string[])["idle", "10k"])
        {
            var all = rounds.SelectMany(r => r.Samples?.GetValueOrDefault(phase) ?? []).ToList();
            all.Sort();
            merged[$"{phase}_n"] = all.Count.ToString(CultureInfo.InvariantCulture);
            merged[$"{phase}_lost"] = Sum($"{phase}_lost").ToString(CultureInfo.InvariantCulture);
            if (all.Count > 0)
            {
                merged[$"{phase}_p50_us"] = Sh.F(Samples.Percentile(all, 0.50));
                merged[$"{phase}_p99_us"] = Sh.F(Samples.Percentile(all, 0.99));
                merged[$"{phase}_p999_us"] = Sh.F(Samples.Percentile(all, 0.999));
                merged[$"{phase}_max_us"] = Sh.F(all[^1]);
            }
        }
        merged["10k_rate"] = Sh.F(Sum("10k_rate") / rounds.Count);
        merged["bad"] = Sum("bad").ToString(CultureInfo.InvariantCulture);
        foreach (var key in (string[])["idle_cpu_percent", "idle_cpu_ticks", "idle_cpu_percent_schedstat"])
        {
            var values = rounds.Select(r => r.Result!.GetValueOrDefault(key)).Where(v => v is not null && v != "NaN")
                .Select(v => double.Parse(v!, CultureInfo.InvariantCulture)).ToList();
            if (values.Count > 0)
            {
                merged[key] = Sh.F(values.Max());
            }
        }
        return merged;
    }

    /// <summary>Two namespaces joined by a veth pair (10.78.0.1 client, 10.78.0.2 echo).</summary>
    private static Dictionary<string, string> Kernel(string prefix, ClientPlan plan)
    {
        string client = $"{prefix}-kc", server = $"{prefix}-ks";
        Sh.AddNamespace(client);
        Sh.AddNamespace(server);
        Sh.Check("ip", "link", "add", $"{prefix}a", "netns", client, "type", "veth", "peer", "name", $"{prefix}b", "netns", server);
        Sh.Check("ip", "-n", client, "addr", "add", "10.78.0.1/24", "dev", $"{prefix}a");
        Sh.Check("ip", "-n", server, "addr", "add", "10.78.0.2/24", "dev", $"{prefix}b");
        Sh.Check("ip", "-n", client, "link", "set", $"{prefix}a", "up");
        Sh.Check("ip", "-n", server, "link", "set", $"{prefix}b", "up");
        using var echo = Sh.Start("ip", ["netns", "exec", server, "dotnet", Sh.Self, "echo", "10.78.0.2", "7", CellTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)]);
        try
        {
            var ready = echo.StandardOutput.ReadLineAsync();
            if (!ready.Wait(TimeSpan.FromSeconds(30)) || ready.Result != "READY")
            {
                throw new InvalidOperationException("the kernel echo did not start");
            }

            var r = Sh.InNamespace(client, CellTimeout, ["client", "10.78.0.2", "7", .. plan.ToArgs()]);
            return r.ExitCode == 0 ? Sh.ParseResult(r.Output) : throw new InvalidOperationException($"kernel client exited {r.ExitCode}: {r.Output}");
        }
        finally
        {
            if (!echo.HasExited)
            {
                echo.Kill(entireProcessTree: true);
            }

            echo.WaitForExit(5000);
            Sh.Run("ip", ["netns", "del", client], TimeSpan.FromSeconds(30));
            Sh.Run("ip", ["netns", "del", server], TimeSpan.FromSeconds(30));
        }
    }

    private static Dictionary<string, string> Stack(string prefix, string mode, ClientPlan plan)
    {
        var r = Sh.Run("dotnet", [Sh.Self, "stack", mode, $"{prefix}t", $"{prefix}-t{mode}", .. plan.ToArgs()], CellTimeout);
        Console.Error.Write(r.Error);
        return r.ExitCode == 0 ? Sh.ParseResult(r.Output) : throw new InvalidOperationException($"stack {mode} exited {r.ExitCode}: {r.Output}");
    }
}
