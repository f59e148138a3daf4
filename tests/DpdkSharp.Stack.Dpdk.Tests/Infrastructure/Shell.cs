using System.Diagnostics;

namespace DpdkSharp.Stack.Dpdk.Tests.Infrastructure;

/// <summary>Runs the system tools the kernel tests drive (ip, ping, socat) and this assembly as a child.</summary>
public static class Shell
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public string All => Output + Error;
    }

    /// <summary>Runs <paramref name="file"/> to completion (killed after <paramref name="timeout"/>).</summary>
    public static Result Run(string file, IEnumerable<string> args, TimeSpan? timeout = null)
    {
        using var p = Start(file, args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromMinutes(1)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeout}");
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    public static Result Run(string file, params string[] args) => Run(file, (IEnumerable<string>)args);

    /// <summary>Runs and throws when the exit code is not 0.</summary>
    public static string Check(string file, params string[] args)
    {
        var r = Run(file, args);
        if (r.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({r.ExitCode}): {r.All}");
        }

        return r.Output;
    }

    /// <summary>Starts a process with redirected output; the caller owns it.</summary>
    public static Process Start(string file, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        return Process.Start(start)!;
    }

    /// <summary>This test assembly's scenario <paramref name="name"/>, in a new process (optionally inside a network namespace).</summary>
    public static Result RunScenario(string name, string? netns, params string[] args) => RunScenario(name, netns, TimeSpan.FromMinutes(2), args);

    /// <summary>As <see cref="RunScenario(string, string?, string[])"/>, killed after <paramref name="timeout"/>.</summary>
    public static Result RunScenario(string name, string? netns, TimeSpan timeout, params string[] args)
    {
        var assembly = typeof(Shell).Assembly.Location;
        var argv = new List<string>();
        if (netns is not null)
        {
            argv.AddRange(["netns", "exec", netns, "dotnet"]);
        }

        argv.AddRange(["exec", assembly, "scenario", name]);
        argv.AddRange(args);
        return Run(netns is null ? "dotnet" : "ip", argv, timeout);
    }

    /// <summary>Fails loudly (never skips) when the kernel tests cannot run here.</summary>
    public static void RequireRoot()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException("The DPDK and kernel tests need root (DPDK, TAP devices, network namespaces). Run them as root.");
        }
    }
}
