using System.Text.Json;

namespace DpdkSharp.Pktgen.Peers;

/// <summary>
/// dpdksharp-pktgen in its own process (<c>dotnet exec</c> of the tool's assembly beside the caller's), with
/// <c>--json</c>: it prints one JSON line per interval and a summary line at the end.
/// </summary>
public sealed class PktgenProcess : IDisposable
{
    private PktgenProcess(PeerProcess process) => Process = process;

    /// <summary>The process.</summary>
    public PeerProcess Process { get; }

    /// <summary>The tool's assembly, copied beside the caller's by the project reference.</summary>
    public static string ToolAssembly => Path.Combine(AppContext.BaseDirectory, "dpdksharp-pktgen.dll");

    /// <summary>
    /// Starts the tool: <paramref name="eal"/> arguments, <c>--</c>, <paramref name="tool"/> arguments and <c>--json</c>;
    /// inside network namespace <paramref name="netns"/> when given (<c>ip netns exec</c> execs it: the process is the tool).
    /// </summary>
    public static PktgenProcess Start(string name, IEnumerable<string> eal, IEnumerable<string> tool, string? netns = null)
    {
        // SIGINT back to its default first: a caller started in the background by a shell has it ignored, the child
        // inherits that, and .NET then leaves it ignored (seen: the tool ran on after Interrupt until killed).
        string[] command = ["dotnet", "exec", ToolAssembly, .. eal, "--", .. tool, "--json"];
        return new(netns is null
            ? PeerProcess.Start(name, "env", ["--default-signal=INT", .. command])
            : PeerProcess.Start(name, "env", ["--default-signal=INT", "ip", "netns", "exec", netns, .. command]));
    }

    /// <summary>Waits for its first interval line: its port is up (or the link wait gave up) and its workers run.</summary>
    public void WaitUntilRunning(TimeSpan timeout) =>
        Process.WaitForOutput(0, (text, from) => text.IndexOf("\"type\":\"interval\"", from, StringComparison.Ordinal), timeout, "its first interval line");

    /// <summary>
    /// Waits until the totals of its latest interval line satisfy <paramref name="done"/>; throws with its output if
    /// it exits first or <paramref name="timeout"/> passes.
    /// </summary>
    public PktgenSummary WaitForTotals(Func<PktgenSummary, bool> done, TimeSpan timeout, string what)
    {
        PktgenSummary? latest = null;
        Process.WaitForOutput(0, (text, _) =>
        {
            var lines = text.Split('\n');
            // The last element is the line being printed (or empty): only whole lines are read.
            var line = lines[..^1].LastOrDefault(l => l.StartsWith('{'));
            latest = line is null ? null : PktgenSummary.Parse(line);
            return latest is not null && done(latest) ? 0 : -1;
        }, timeout, what);
        return latest!;
    }

    /// <summary>
    /// Waits for it to exit (after its <c>--duration</c>, or after <see cref="PeerProcess.Interrupt"/>) and returns its
    /// summary; throws with its output when it failed, printed no summary or left mbufs out of its pool.
    /// </summary>
    public PktgenSummary WaitForSummary(TimeSpan timeout)
    {
        var exit = Process.WaitForExit(timeout);
        var line = Process.Output.Split('\n').LastOrDefault(l => l.Contains("\"type\":\"summary\"", StringComparison.Ordinal));
        if (exit != 0 || line is null || Process.Errors.Contains("mbufs still in use", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{Process.Name} failed (exit {exit}, {(line is null ? "no summary" : "summary printed")}).\n{Process.Describe()}");
        }

        return PktgenSummary.Parse(line);
    }

    /// <inheritdoc/>
    public void Dispose() => Process.Dispose();
}

/// <summary>The totals of a run, from the tool's JSON summary line.</summary>
public sealed record PktgenSummary(
    double ElapsedSeconds,
    long TxPackets,
    long TxBytes,
    long RxPackets,
    long RxBytes,
    long Lost,
    long Duplicates,
    long Reordered,
    long TooOld,
    long Bad,
    long TxSkipped,
    long AllocatedBytes,
    long[] RxPerQueue,
    long LatencyCount,
    long LatencyP50,
    long LatencyP99,
    long LatencyMax,
    string Json)
{
    /// <summary>Parses a summary line.</summary>
    public static PktgenSummary Parse(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var total = root.GetProperty("total");
        var latency = root.GetProperty("latency_ns_overall");
        long Total(string name) => total.GetProperty(name).GetInt64();
        long Latency(string name) => latency.GetProperty(name).GetInt64();
        return new PktgenSummary(
            root.GetProperty("elapsed_s").GetDouble(),
            Total("tx_packets"), Total("tx_bytes"), Total("rx_packets"), Total("rx_bytes"), Total("lost"), Total("duplicates"),
            Total("reordered"), Total("too_old"), Total("bad"), Total("tx_skipped"), Total("allocated_bytes"),
            root.GetProperty("rx_per_queue").EnumerateArray().Select(q => q.GetInt64()).ToArray(),
            Latency("count"), Latency("p50"), Latency("p99"), Latency("max"),
            line.Trim());
    }
}
