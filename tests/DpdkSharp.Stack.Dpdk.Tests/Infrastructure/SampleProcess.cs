using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;

namespace DpdkSharp.Stack.Dpdk.Tests.Infrastructure;

/// <summary>
/// A sample program (samples/NAME, built beside this assembly's configuration) in a child process with its own
/// EAL, ready once it printed "ready:"; its standard output and error are collected in <see cref="Log"/>.
/// </summary>
public sealed class SampleProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private SampleProcess(Process process) => _process = process;

    /// <summary>Everything the sample printed so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>The sample's built entry assembly, in the configuration this test assembly was built in.</summary>
    public static string Dll(string sample, string assembly)
    {
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        return Path.GetFullPath(Path.Combine(ThisDirectory(), "..", "..", "..", "samples", sample, "bin", configuration, "net10.0", assembly));
    }

    private static string ThisDirectory([CallerFilePath] string here = "") => Path.GetDirectoryName(here)!;

    /// <summary>Starts the sample and waits (up to 60 s) for its "ready:" line; throws with its output if it never comes.</summary>
    public static SampleProcess Start(string dll, params string[] args)
    {
        Assert.True(File.Exists(dll), $"Build the sample first: {dll} is missing.");
        var sample = new SampleProcess(Shell.Start("dotnet", [dll, .. args]));
        sample._process.OutputDataReceived += (_, e) => sample.Append(e.Data);
        sample._process.ErrorDataReceived += (_, e) => sample.Append(e.Data);
        sample._process.BeginOutputReadLine();
        sample._process.BeginErrorReadLine();
        if (!SpinWait.SpinUntil(() => sample.Log.Contains("ready:", StringComparison.Ordinal) || sample._process.HasExited, TimeSpan.FromSeconds(60))
            || !sample.Log.Contains("ready:", StringComparison.Ordinal))
        {
            sample.Dispose();
            throw new InvalidOperationException($"the sample did not print 'ready:':\n{sample.Log}");
        }
        return sample;
    }

    /// <summary>SIGTERM, then its exit code (killed after 30 s).</summary>
    public int Stop()
    {
        Shell.Run("kill", "-TERM", _process.Id.ToString());
        if (!_process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the sample did not stop in 30 s:\n{Log}");
        }
        _process.WaitForExit(); // drains the output
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }
}
