using System.Globalization;
using System.Text.Json;
using DpdkSharp.Pktgen.Peers;

namespace DpdkSharp.Bench.Pktgen;

/// <summary>
/// dpdksharp-pktgen against dpdk-testpmd on one net_memif link (memfd-backed rings), each side its
/// own process, on a 2-vCPU machine: the process measured (generator or reflector) has both its lcores on CPU 1,
/// its peer both of its own on CPU 0, so each busy-polling loop has a CPU. Ours and testpmd's runs alternate within
/// each round (which goes first alternates too) and the medians are reported: the machine is shared and noisy.
/// <list type="bullet">
/// <item>tx: our <c>tx</c> and testpmd <c>txonly</c> (60-byte frames + FCS, burst 32, unpaced) into testpmd <c>rxonly</c>;
/// the rate is what the sink counts over the window.</item>
/// <item>reflect: our <c>reflect</c> and testpmd <c>macswap</c> driven by testpmd <c>flowgen</c> (which generates and
/// drains what comes back); the rate is what the driver gets back. Each round also runs testpmd <c>io</c> (frames sent back
/// untouched) as the ceiling this driver allows any reflector.</item>
/// <item>the highest rate our <c>sendrecv</c> sustains against our <c>reflect</c> with loss and skipped under 0.001 %:
/// doubling, then halving the interval, bounded in trials and time; then p99 latency at half that rate, over the
/// window after a one-second warm-up (the run's first second is the new process's start-up).</item>
/// </list>
/// Usage: DpdkSharp.Bench.Pktgen [rounds=3] [seconds=3] [search-budget-seconds=120]
/// </summary>
public static class Program
{
    private const string MeasuredCpu = "1";
    private const string PeerCpu = "0";
    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan LatencyWarmup = TimeSpan.FromSeconds(1);
    private static readonly string[] TestpmdPool = ["--total-num-mbufs=16384", "--no-mlockall", "--txpkts=60"];
    private static long s_allocatedBytes;
    private static long s_packets;

    public static int Main(string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var budget = TimeSpan.FromSeconds(args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 120);
        var window = TimeSpan.FromSeconds(seconds);
        // eng/bench.sh mounts hugetlbfs and reserves pages for the run: every process of it (ours and testpmd) then
        // runs on 2-MB pages, as DPDK deployments do; without it, --no-huge.
        PeerEal.HugeDir = Environment.GetEnvironmentVariable("PKTGEN_BENCH_HUGE_DIR") is { Length: > 0 } huge ? huge : null;
        var memory = PeerEal.HugeDir is null ? "--no-huge" : "2-MB hugepages";

        var tx = new List<Pair>();
        var reflect = new List<Pair>();
        // testpmd's io mode forwards frames without touching them: what any reflector gets at most from this driver.
        var reflectCeiling = new List<Sample>();
        for (var round = 0; round < rounds; round++)
        {
            var oursFirst = round % 2 == 0;
            tx.Add(MatchedPair(oursFirst, ours => MeasureTx(ours, window), "tx"));
            reflect.Add(MatchedPair(oursFirst, ours => MeasureReflect(ours, window), "reflect"));
            reflectCeiling.Add(Probed(() => Attempt(() => Measure(false, window, "flowgen", "reflect", "io"), "reflect (testpmd io)")));
            Console.Error.WriteLine($"reflect ceiling: testpmd io {reflectCeiling[^1]}");
        }

        var (maxRate, trials, atHalf) = SearchSendrecvRate(TimeSpan.FromSeconds(2), window, budget);

        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("benchmark", "pktgen");
            json.WriteString("link", $"net_memif (copy mode, memfd rings, {memory}), one queue, 64-byte frames");
            json.WriteString("placement", "measured process: main + worker lcore on CPU 1; its peer: main + worker lcore on CPU 0");
            json.WriteNumber("rounds", rounds);
            json.WriteNumber("window_s", seconds);
            WritePairs(json, "tx", tx);
            WritePairs(json, "reflect", reflect);
            WriteCeiling(json, reflectCeiling);
            json.WriteNumber("sendrecv_max_pps_loss_under_0.001pct", Math.Round(maxRate));
            json.WriteNumber("sendrecv_search_trials", trials);
            json.WriteNumber("p99_latency_ns_at_half_rate", atHalf?.LatencyP99 ?? 0);
            json.WriteNumber("p50_latency_ns_at_half_rate", atHalf?.LatencyP50 ?? 0);
            json.WriteNumber("latency_warmup_s", LatencyWarmup.TotalSeconds);
            json.WriteNumber("allocated_bytes_per_packet", s_packets > 0 ? Math.Round((double)s_allocatedBytes / s_packets, 6) : 0);
            json.WriteEndObject();
        }

        Console.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        return 0;
    }

    // A rate and the host's cross-CPU round trip (CoreRoundTrip) read just before and just after it.
    private readonly record struct Sample(double Rate, double RoundTripBeforeNs, double RoundTripAfterNs)
    {
        public double RoundTripNs => Math.Max(RoundTripBeforeNs, RoundTripAfterNs);

        public bool Steady => CoreRoundTrip.SameState(RoundTripBeforeNs, RoundTripAfterNs);

        // For the progress lines on stderr.
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Rate / 1e6:F3} Mpps (CPU round trip {RoundTripBeforeNs:F0}/{RoundTripAfterNs:F0} ns)");
    }

    // Ours and testpmd's measurement of one round. Matched: the host kept the two CPUs in one state through both, so
    // the ratio compares the two programs and not two placements of the vCPUs.
    private sealed record Pair(Sample Ours, Sample Testpmd)
    {
        public double Ratio => Ours.Rate / Testpmd.Rate;

        public bool Matched => Ours.Steady && Testpmd.Steady && CoreRoundTrip.SameState(Ours.RoundTripNs, Testpmd.RoundTripNs);
    }

    // A round's pair, measured again (up to twice more) when the host moved the vCPUs during it: such a pair's ratio is
    // that of two machines. One that never matches is kept, and counted out of the ratio's median (WritePairs).
    private static Pair MatchedPair(bool oursFirst, Func<bool, double> measure, string what)
    {
        Pair pair = null!;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            Sample ours, testpmd;
            if (oursFirst)
            {
                ours = Probed(() => Attempt(() => measure(true), $"{what} (ours)"));
                testpmd = Probed(() => Attempt(() => measure(false), $"{what} (testpmd)"));
            }
            else
            {
                testpmd = Probed(() => Attempt(() => measure(false), $"{what} (testpmd)"));
                ours = Probed(() => Attempt(() => measure(true), $"{what} (ours)"));
            }

            pair = new Pair(ours, testpmd);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{what}: ours {ours}, testpmd {testpmd}, ratio {pair.Ratio:F3}{(pair.Matched ? "" : attempt < 2 ? ": the host moved the CPUs, measuring again" : ": the host moved the CPUs, left out of the medians")}"));
            if (pair.Matched)
            {
                break;
            }
        }

        return pair;
    }

    private static Sample Probed(Func<double> measure)
    {
        var before = CpuRoundTrip();
        var rate = measure();
        return new Sample(rate, before, CpuRoundTrip());
    }

    private static double CpuRoundTrip() => CoreRoundTrip.MeasureNanoseconds(
        int.Parse(PeerCpu, CultureInfo.InvariantCulture), int.Parse(MeasuredCpu, CultureInfo.InvariantCulture));

    // Medians over the matched pairs (over all, when none matched: then *_pairs_matched says so), and every pair's
    // ratio with its round trip, so a reader sees which state each ran in.
    private static void WritePairs(Utf8JsonWriter json, string what, List<Pair> pairs)
    {
        var counted = pairs.Any(p => p.Matched) ? pairs.Where(p => p.Matched).ToList() : pairs;
        json.WriteNumber($"{what}_mpps_ours", Round(Median(counted.Select(p => p.Ours.Rate)) / 1e6));
        json.WriteNumber($"{what}_mpps_testpmd", Round(Median(counted.Select(p => p.Testpmd.Rate)) / 1e6));
        json.WriteNumber($"ratio_{what}_over_testpmd", Round(Median(counted.Select(p => p.Ratio))));
        json.WriteNumber($"{what}_pairs_matched", pairs.Count(p => p.Matched));
        json.WriteString($"{what}_rounds", string.Join(", ", pairs.Select(p => string.Create(CultureInfo.InvariantCulture,
            $"{p.Ratio:F3} at {Math.Max(p.Ours.RoundTripNs, p.Testpmd.RoundTripNs):F0} ns{(p.Matched ? "" : " (unmatched)")}"))));
    }

    // The reflect ceiling: testpmd io's rate (median over the runs the host kept in one state, all of them if none) and
    // each run's rate with its slowest probe. When ours, macswap and io all reflect about as fast, the driver set the
    // rate and the reflect ratio cannot tell the reflectors apart (bench/pktgen/README.md).
    private static void WriteCeiling(Utf8JsonWriter json, List<Sample> ceiling)
    {
        var counted = ceiling.Any(c => c.Steady) ? ceiling.Where(c => c.Steady).ToList() : ceiling;
        json.WriteNumber("reflect_mpps_testpmd_io", Round(Median(counted.Select(c => c.Rate)) / 1e6));
        json.WriteString("reflect_io_rounds", string.Join(", ", ceiling.Select(c => string.Create(CultureInfo.InvariantCulture,
            $"{c.Rate / 1e6:F3} Mpps at {c.RoundTripNs:F0} ns{(c.Steady ? "" : " (unsteady)")}"))));
    }

    // A measurement whose processes failed (testpmd 22.11 crashes when a memif peer leaves mid-poll; the window
    // below stops its loop first, but a process that dies anyway must not end the whole run) is done again, once.
    private static T Attempt<T>(Func<T> measure, string what)
    {
        try
        {
            return measure();
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            Console.Error.WriteLine($"{what}: failed, measuring again: {e.Message.Split('\n')[0]}");
            return measure();
        }
    }

    // Generator on CPU 1 into testpmd rxonly on CPU 0; the rate is what the sink received over the window.
    private static double MeasureTx(bool ours, TimeSpan window) => Measure(ours, window, "rxonly", "tx", "txonly");

    // Reflector on CPU 1, driven by testpmd flowgen on CPU 0; the rate is what came back to the driver.
    private static double MeasureReflect(bool ours, TimeSpan window) => Measure(ours, window, "flowgen", "reflect", "macswap");

    // The peer, testpmd in peerMode, is the memif server and counts what it receives; the measured process is the client.
    private static double Measure(bool ours, TimeSpan window, string peerMode, string ourMode, string testpmdMode)
    {
        using var link = new MemifLink();
        using var peer = Testpmd.Start($"peer ({peerMode})", PeerEal.For(PeerCpu, link.ServerVdev), [$"--forward-mode={peerMode}", .. TestpmdPool], Startup);
        peer.Command("start");
        return ours
            ? MeasureOurs(PktgenProcess.Start(ourMode, PeerEal.For(MeasuredCpu, link.ClientVdev), [ourMode, "--duration", "0"]), peer, window)
            : MeasureTestpmd(testpmdMode, link.ClientVdev, peer, window);
    }

    private static double MeasureOurs(PktgenProcess process, Testpmd counter, TimeSpan window)
    {
        using (process)
        {
            process.WaitUntilRunning(Startup);
            var rate = Window(counter, window);
            process.Process.Interrupt();
            var summary = process.WaitForSummary(TimeSpan.FromSeconds(60));
            Count(summary);
            Quit(counter);
            return rate;
        }
    }

    private static double MeasureTestpmd(string mode, string vdev, Testpmd counter, TimeSpan window)
    {
        using var measured = Testpmd.Start(mode, PeerEal.For(MeasuredCpu, vdev), [$"--forward-mode={mode}", .. TestpmdPool], Startup);
        measured.Command("start");
        var rate = Window(counter, window);
        measured.Command("stop");
        Quit(measured);
        Quit(counter);
        return rate;
    }

    // One second to settle (link up, loops warm), then the counter's received frames over the window.
    private static double Window(Testpmd counter, TimeSpan window)
    {
        Thread.Sleep(1000);
        var (first, t0) = counter.PortStats(0);
        Thread.Sleep(window);
        var (last, t1) = counter.PortStats(0);
        // Stop the peer's loop before either side leaves the link: testpmd 22.11 crashed (SIGSEGV) polling a memif
        // port whose client was disconnecting.
        counter.Command("stop");
        return (last.RxPackets - first.RxPackets) / (t1 - t0);
    }

    // After the window was read: a testpmd that crashes on its way out (its memif peer gone) has already counted.
    private static void Quit(Testpmd testpmd)
    {
        var exit = testpmd.Quit(TimeSpan.FromSeconds(60));
        if (exit != 0)
        {
            Console.Error.WriteLine($"{testpmd.Process.Name}: exited with {exit} after its window was read (kept)");
        }
    }

    // A trial is our sendrecv (client, CPU 1) against our reflect (server, CPU 0), which stays for the next trials.
    // Sustained: loss and frames the pacer had to skip (the sender could not keep the rate) both under 0.001 % of
    // what was sent.
    private static (double Rate, int Trials, PktgenSummary? AtHalf) SearchSendrecvRate(TimeSpan trial, TimeSpan window, TimeSpan budget)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        double pass = 0, fail = double.PositiveInfinity, rate = 250_000;
        var trials = 0;
        Reflector? reflector = null;
        PktgenSummary Run(double pps, TimeSpan duration, TimeSpan latencyWarmup = default)
        {
            if (reflector is not { Alive: true })
            {
                reflector?.Dispose();
                reflector = null;
                reflector = Reflector.Start(PeerCpu, Startup);
            }

            return RunSendrecv(reflector.ClientVdev, pps, duration, latencyWarmup);
        }

        try
        {
            while (clock.Elapsed < budget && trials < 16 && (double.IsInfinity(fail) || pass == 0 || fail / pass > 1.05) && rate >= 1000)
            {
                trials++;
                var summary = Attempt(() => Run(rate, trial), $"sendrecv at {rate:F0} pps");
                var ok = summary.Lost * 100_000 < summary.TxPackets && summary.TxSkipped * 100_000 < summary.TxPackets;
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"sendrecv at {rate:F0} pps: tx {summary.TxPackets} lost {summary.Lost} skipped {summary.TxSkipped} p99 {summary.LatencyP99} ns -> {(ok ? "sustained" : "not sustained")}"));
                if (ok)
                {
                    pass = rate;
                }
                else
                {
                    fail = rate;
                }

                rate = double.IsInfinity(fail) ? rate * 2 : pass > 0 ? (pass + fail) / 2 : fail / 4;
            }

            // The latency run is longer by its warm-up, which its overall latency leaves out (--latency-warmup-s): the
            // first second of a new sendrecv process is its start-up (first-call compilation, then the tiered
            // compiler's thread taking a CPU from a polling lcore), and that, not the link, was the p99.
            var atHalf = pass > 0 ? Attempt(() => Run(pass / 2, window + LatencyWarmup, LatencyWarmup), "sendrecv at half") : null;
            if (atHalf is not null)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"sendrecv at {pass / 2:F0} pps: lost {atHalf.Lost} p50 {atHalf.LatencyP50} ns p99 {atHalf.LatencyP99} ns"));
            }

            if (reflector is { Alive: true })
            {
                Count(reflector.Finish());
            }

            return (pass, trials, atHalf);
        }
        finally
        {
            reflector?.Dispose();
        }
    }

    private static PktgenSummary RunSendrecv(string clientVdev, double rate, TimeSpan duration, TimeSpan latencyWarmup)
    {
        using var sendrecv = PktgenProcess.Start("sendrecv", PeerEal.For(MeasuredCpu, clientVdev),
        [
            "sendrecv", "--rate-pps", rate.ToString("F0", CultureInfo.InvariantCulture),
            "--duration", duration.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            "--latency-warmup-s", latencyWarmup.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        ]);
        var summary = sendrecv.WaitForSummary(Startup + duration * 4);
        Count(summary);
        return summary;
    }

    private static void Count(PktgenSummary summary)
    {
        s_allocatedBytes += summary.AllocatedBytes;
        s_packets += summary.TxPackets + summary.RxPackets;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static double Round(double value) => Math.Round(value, 3);
}
