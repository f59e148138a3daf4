using System.Diagnostics;
using System.Text;

namespace DpdkSharp.Packaging.Tests.Infrastructure;

/// <summary>Runs the tools the packaging tests drive (bash, dotnet, ip, socat) as a user would from a shell.</summary>
public static class Tool
{
    public sealed record Result(string Command, int ExitCode, string Output, string Error, TimeSpan Elapsed)
    {
        public string All => $"$ {Command}\n(exit {ExitCode}, {Elapsed.TotalSeconds:F1} s)\n{Output}{Error}";
    }

    /// <summary>Runs to completion; the whole process tree is killed and a <see cref="TimeoutException"/> thrown after <paramref name="timeout"/>.</summary>
    public static Result Run(string file, IEnumerable<string> args, TimeSpan timeout, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, string? input = null)
    {
        using var p = Start(file, args, workingDirectory, environment);
        var command = $"{file} {string.Join(' ', p.StartInfo.ArgumentList)}";
        var started = Stopwatch.StartNew();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            p.StandardInput.Write(input);
        }

        p.StandardInput.Close();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            throw new TimeoutException($"`{command}` did not finish in {timeout.TotalSeconds} s:\n{stdout.Result}{stderr.Result}");
        }
        p.WaitForExit();
        return new Result(command, p.ExitCode, stdout.Result, stderr.Result, started.Elapsed);
    }

    /// <summary>Runs and throws, with everything it printed, unless it exits 0.</summary>
    public static Result Check(string file, IEnumerable<string> args, TimeSpan timeout, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, string? input = null)
    {
        var r = Run(file, args, timeout, workingDirectory, environment, input);
        if (r.ExitCode != 0)
        {
            throw new InvalidOperationException($"failed:\n{r.All}");
        }

        return r;
    }

    /// <summary>Starts with every stream redirected; the caller owns the process.</summary>
    public static Process Start(string file, IEnumerable<string> args, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        // The test host runs inside MSBuild's and VSTest's environment; a user's shell has none of it, and these
        // would point the child's dotnet at this SDK's internals.
        foreach (var name in (string[])["MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly", "DOTNET_HOST_PATH"])
        {
            start.Environment.Remove(name);
        }
        // No build server, compiler server or node outlives a child build.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["UseSharedCompilation"] = "false";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        if (environment is not null)
        {
            foreach (var (k, v) in environment)
            {
                start.Environment[k] = v;
            }
        }

        return Process.Start(start)!;
    }

    /// <summary>Fails (never skips) with what to install when <paramref name="command"/> is not on PATH.</summary>
    public static void Require(string command, string why)
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, command)));
        if (!found)
        {
            throw new InvalidOperationException($"The packaging tests need `{command}` ({why}) on PATH: install it with sudo bash eng/setup.sh.");
        }
    }
}
