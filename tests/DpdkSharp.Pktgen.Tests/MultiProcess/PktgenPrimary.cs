using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace DpdkSharp.Pktgen.Tests.MultiProcess;

/// <summary>
/// dpdksharp-pktgen running in a process of its own with <c>--json</c>, so DPDK's tools can attach to it as
/// secondaries while it runs: its interval reports are collected as they come, and it is stopped by SIGINT (its
/// Ctrl+C path: workers stopped, port closed, pool checked) or, when a test failed, killed.
/// </summary>
public sealed class PktgenPrimary : IDisposable
{
    private readonly Process _process;
    private readonly List<JsonElement> _reports = [];
    private readonly StringBuilder _other = new();
    private readonly Task<string> _stderr;

    private PktgenPrimary(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Collect(e.Data);
        _process.BeginOutputReadLine();
        _stderr = _process.StandardError.ReadToEndAsync();
    }

    public static PktgenPrimary Start(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(typeof(PktgenSession).Assembly.Location);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return new PktgenPrimary(Process.Start(start)!);
    }

    /// <summary>How many JSON reports came so far.</summary>
    public int ReportCount
    {
        get
        {
            lock (_reports)
            {
                return _reports.Count;
            }
        }
    }

    /// <summary>
    /// Waits for report number <paramref name="index"/> (0-based) and returns it: the interval reports count what the
    /// workers sent up to the moment they were merged, so one that came before a tool ran bounds what the tool saw from
    /// below, and one that came after it from above.
    /// </summary>
    public JsonElement WaitForReport(int index, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            lock (_reports)
            {
                if (_reports.Count > index)
                {
                    return _reports[index];
                }
            }

            if (_process.HasExited)
            {
                _process.WaitForExit();
                throw new InvalidOperationException($"dpdksharp-pktgen exited ({_process.ExitCode}) before report {index}: {Said()}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"dpdksharp-pktgen gave no report {index} in {timeout.TotalSeconds} s: {Said()}");
            }

            Thread.Sleep(50);
        }
    }

    /// <summary>Stops it as Ctrl+C does and returns its exit code, its last report (the summary) and its standard error.</summary>
    public (int ExitCode, JsonElement Summary, string Stderr) Interrupt(TimeSpan timeout)
    {
        ToolProcess.Check("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
        if (!_process.WaitForExit(timeout))
        {
            throw new TimeoutException($"dpdksharp-pktgen did not stop within {timeout.TotalSeconds} s of SIGINT: {Said()}");
        }

        _process.WaitForExit(); // the output events are all delivered after this one
        lock (_reports)
        {
            return (_process.ExitCode, _reports[^1], _stderr.Result);
        }
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

    /// <summary>Total frames the workers sent, from a report.</summary>
    public static long TxPackets(JsonElement report) => report.GetProperty("total").GetProperty("tx_packets").GetInt64();

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_reports)
        {
            if (line.StartsWith('{'))
            {
                _reports.Add(JsonDocument.Parse(line).RootElement.Clone());
            }
            else
            {
                _other.AppendLine(line);
            }
        }
    }

    private string Said()
    {
        lock (_reports)
        {
            return $"stdout: {_other}; stderr: {(_stderr.IsCompleted ? _stderr.Result : "(still open)")}";
        }
    }
}
