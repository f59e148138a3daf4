using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace DpdkSharp.Pktgen.Peers;

/// <summary>
/// DPDK's own <c>dpdk-testpmd</c> (Debian's dpdk-dev), driven through its interactive prompt on a pipe: a command
/// is written, and its output is everything up to the next <c>testpmd&gt; </c> prompt. Its standard output goes
/// through <c>stdbuf -oL</c>: testpmd prints with stdio, which a pipe would otherwise hold until exit.
/// </summary>
public sealed partial class Testpmd : IDisposable
{
    private const string Prompt = "testpmd> ";
    private readonly PeerProcess _process;
    private int _consumed;

    private Testpmd(PeerProcess process) => _process = process;

    /// <summary>The process.</summary>
    public PeerProcess Process => _process;

    /// <summary>
    /// Starts testpmd with <paramref name="eal"/> arguments, then <c>-i</c> and <paramref name="application"/>
    /// arguments, and waits for its first prompt (its ports configured and started).
    /// </summary>
    public static Testpmd Start(string name, IEnumerable<string> eal, IEnumerable<string> application, TimeSpan timeout)
    {
        const string Executable = "dpdk-testpmd";
        if (!File.Exists("/usr/bin/" + Executable))
        {
            throw new InvalidOperationException($"/usr/bin/{Executable} is missing: install Debian's dpdk-dev (bash eng/setup.sh does).");
        }

        var process = PeerProcess.Start(name, "stdbuf", ["-oL", Executable, .. eal, "--", "-i", .. application]);
        var testpmd = new Testpmd(process);
        try
        {
            testpmd._consumed = process.WaitForOutput(0, FindPrompt, timeout, "its first prompt");
            return testpmd;
        }
        catch
        {
            testpmd.Dispose();
            throw;
        }
    }

    /// <summary>Runs one command and returns what it printed before the next prompt.</summary>
    public string Command(string command, TimeSpan? timeout = null)
    {
        var from = _consumed;
        _process.WriteLine(command);
        var end = _process.WaitForOutput(from, FindPrompt, timeout ?? TimeSpan.FromSeconds(30), $"the prompt after '{command}'");
        _consumed = end;
        return _process.Output[from..(end - Prompt.Length)];
    }

    /// <summary><c>show port stats</c>: the port's counters since it started (or since testpmd cleared them).</summary>
    /// <returns>The counters and when they were read (the midpoint of the command's round trip).</returns>
    public (TestpmdPortStats Stats, double Seconds) PortStats(int port)
    {
        var before = Stopwatch.GetTimestamp();
        var text = Command(string.Create(CultureInfo.InvariantCulture, $"show port stats {port}"));
        var after = Stopwatch.GetTimestamp();
        return (TestpmdPortStats.Parse(text), (before + after) / 2.0 / Stopwatch.Frequency);
    }

    /// <summary>Quits (ports stopped and closed) and waits for the process to exit; returns its exit code.</summary>
    public int Quit(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return _process.WaitForExit(timeout); // nothing to quit: its exit code says how it went
        }

        _process.WriteLine("quit");
        return _process.WaitForExit(timeout);
    }

    /// <inheritdoc/>
    public void Dispose() => _process.Dispose();

    private static int FindPrompt(string text, int from)
    {
        var at = text.IndexOf(Prompt, from, StringComparison.Ordinal);
        return at < 0 ? -1 : at + Prompt.Length;
    }
}

/// <summary>testpmd's "NIC statistics" block for one port (<c>rte_eth_stats_get</c>, as testpmd prints it).</summary>
public sealed partial record TestpmdPortStats(long RxPackets, long RxMissed, long RxBytes, long RxErrors, long RxNoMbuf,
    long TxPackets, long TxErrors, long TxBytes)
{
    /// <summary>Parses the block; throws with the text when a counter is missing.</summary>
    public static TestpmdPortStats Parse(string text)
    {
        var counters = Counter().Matches(text).ToDictionary(m => m.Groups[1].Value, m => long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
        long Get(string name) => counters.TryGetValue(name, out var v) ? v : throw new FormatException($"testpmd printed no {name}:\n{text}");
        return new TestpmdPortStats(Get("RX-packets"), Get("RX-missed"), Get("RX-bytes"), Get("RX-errors"), Get("RX-nombuf"),
            Get("TX-packets"), Get("TX-errors"), Get("TX-bytes"));
    }

    [GeneratedRegex(@"([RT]X-[a-z]+):\s+(\d+)")]
    private static partial Regex Counter();
}
