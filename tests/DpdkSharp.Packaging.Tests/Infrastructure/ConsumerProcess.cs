using System.Collections.Concurrent;
using System.Diagnostics;

namespace DpdkSharp.Packaging.Tests.Infrastructure;

/// <summary>
/// A consumer app running as a server: every line it prints is kept (stderr marked), <see cref="WaitReady"/> waits for
/// its "ready:" line, and disposal closes its standard input (the consumer programs stop on that), waits for a graceful
/// exit and kills it only if none comes.
/// </summary>
public sealed class ConsumerProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ManualResetEventSlim _ready = new();
    private bool _stopped;

    /// <summary>Starts <c>dotnet &lt;app&gt;.dll args</c> in <paramref name="workingDirectory"/>.</summary>
    public ConsumerProcess(string app, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        _process = Tool.Start("dotnet", [app, .. args], workingDirectory, environment);
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            _lines.Enqueue(e.Data);
            if (e.Data.StartsWith("ready:", StringComparison.Ordinal))
            {
                _ready.Set();
            }
        };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { _lines.Enqueue("stderr: " + e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The lines printed so far.</summary>
    public IEnumerable<string> Lines => _lines;

    /// <summary>Everything printed so far, for assertion messages.</summary>
    public string Log => string.Join('\n', _lines);

    /// <summary>The exit code (after <see cref="Stop"/>).</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Whether the app printed its "ready:" line within <paramref name="timeout"/>.</summary>
    public bool WaitReady(TimeSpan timeout) => _ready.Wait(timeout);

    /// <summary>Closes the app's standard input and waits for it to exit (killed after 30 s). Idempotent.</summary>
    public void Stop()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        _process.StandardInput.Close();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit(); // and its output's last lines
    }

    /// <summary><see cref="Stop"/>, then the process and the event are released.</summary>
    public void Dispose()
    {
        Stop();
        _process.Dispose();
        _ready.Dispose();
    }
}
