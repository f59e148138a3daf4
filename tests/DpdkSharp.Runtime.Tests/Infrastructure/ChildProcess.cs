using System.Diagnostics;

namespace DpdkSharp.Runtime.Tests.Infrastructure;

/// <summary>Runs a scenario of <see cref="Program"/> in a new process (this test assembly, via <c>dotnet exec</c>).</summary>
public static class ChildProcess
{
    public sealed record Result(int ExitCode, string Output);

    public static Result RunScenario(string name, params string[] args) => RunScenarioUnder([], name, args);

    /// <summary>Runs the scenario under a wrapper command (e.g. <c>setpriv</c> with capabilities dropped).</summary>
    public static Result RunScenarioUnder(IReadOnlyList<string> wrapper, string name, params string[] args)
    {
        var assembly = typeof(ChildProcess).Assembly.Location;
        var start = new ProcessStartInfo(wrapper.Count > 0 ? wrapper[0] : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in wrapper.Skip(1).Concat(wrapper.Count > 0 ? ["dotnet"] : []).Concat(["exec", assembly, "scenario", name]).Concat(args))
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"scenario {name} did not finish in 2 minutes");
        }
        return new Result(process.ExitCode, stdout.Result + stderr.Result);
    }
}
