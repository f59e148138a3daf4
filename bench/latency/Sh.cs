using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace DpdkSharp.Bench.Latency;

/// <summary>Child processes: ip(8) commands and this binary re-invoked (inside a namespace or not).</summary>
internal static class Sh
{
    public sealed record Result(int ExitCode, string Output, string Error);

    /// <summary>This assembly, for <c>dotnet &lt;dll&gt; &lt;verb&gt;</c>.</summary>
    public static string Self => Assembly.GetEntryAssembly()!.Location;

    public static Result Run(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        using var p = Start(file, args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit(5000);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeout}: {Tail(stderr)}");
        }
        p.WaitForExit(); // the output readers reach the end
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    public static string Check(string file, params string[] args)
    {
        var r = Run(file, args, TimeSpan.FromSeconds(30));
        if (r.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({r.ExitCode}): {r.Output}{r.Error}");
        }

        return r.Output;
    }

    public static Process Start(string file, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        return Process.Start(start)!;
    }

    /// <summary>This binary's <paramref name="verb"/> inside <paramref name="netns"/>; its stderr is passed on to ours.</summary>
    public static Result InNamespace(string netns, TimeSpan timeout, params string[] verb)
    {
        var r = Run("ip", ["netns", "exec", netns, "dotnet", Self, .. verb], timeout);
        Console.Error.Write(r.Error);
        return r;
    }

    /// <summary>
    /// A namespace for the run: IPv6 off before any interface arrives, so no router solicitations, MLD
    /// or DAD reach the stack and wake it during the idle measurements.
    /// </summary>
    public static void AddNamespace(string netns)
    {
        Check("ip", "netns", "add", netns);
        Check("ip", "netns", "exec", netns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
        Check("ip", "-n", netns, "link", "set", "lo", "up");
    }

    /// <summary>Deletes every namespace named <paramref name="prefix"/>-*; their veth and TAP interfaces go with them.</summary>
    public static void DeleteNamespaces(string prefix)
    {
        var list = Run("ip", ["netns", "list"], TimeSpan.FromSeconds(30)).Output;
        foreach (var line in list.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = line.Split(' ')[0];
            if (name.StartsWith(prefix + "-", StringComparison.Ordinal))
            {
                Run("ip", ["netns", "del", name], TimeSpan.FromSeconds(30));
            }
        }
    }

    /// <summary>The <c>RESULT k=v ...</c> line a child printed, as a map.</summary>
    public static Dictionary<string, string> ParseResult(string output)
    {
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"no RESULT line in: {output}");
        return line["RESULT ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(kv => kv.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
    }

    public static string F(double value) => value.ToString("0.0##", CultureInfo.InvariantCulture);

    private static string Tail(Task<string> stderr) =>
        stderr.Wait(1000) ? stderr.Result[Math.Max(0, stderr.Result.Length - 2000)..] : "";
}
