using System.Diagnostics;
using System.Text;

namespace DpdkSharp.Pktgen.Peers;

/// <summary>
/// A child process whose standard output and error are collected as they come (character by character: testpmd's
/// prompt ends without a newline), so a caller can wait for something it prints. Disposing kills it if it still
/// runs (by its id, with its children).
/// </summary>
public sealed class PeerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Thread[] _readers;

    private PeerProcess(string name, Process process)
    {
        Name = name;
        _process = process;
        _readers = [Reader(process.StandardOutput, _stdout), Reader(process.StandardError, _stderr)];
    }

    /// <summary>What the caller calls it in messages.</summary>
    public string Name { get; }

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>Whether it has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Everything it printed on standard output so far.</summary>
    public string Output
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    /// <summary>Everything it printed on standard error so far.</summary>
    public string Errors
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts <paramref name="file"/> with <paramref name="arguments"/>, standard input a pipe.</summary>
    public static PeerProcess Start(string name, string file, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return new PeerProcess(name, Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start"));
    }

    /// <summary>Writes a line to its standard input.</summary>
    public void WriteLine(string line)
    {
        _process.StandardInput.Write(line + "\n");
        _process.StandardInput.Flush();
    }

    /// <summary>
    /// Waits until <paramref name="find"/> finds something in the output from <paramref name="from"/> on (it returns
    /// the index just past it, or -1), and returns that index; throws if the process exits first or
    /// <paramref name="timeout"/> passes.
    /// </summary>
    public int WaitForOutput(int from, Func<string, int, int> find, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var exited = _process.HasExited;
            var found = find(Output, from);
            if (found >= 0)
            {
                return found;
            }

            if (exited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"{Name}: {(exited ? "exited" : $"nothing after {timeout.TotalSeconds} s")} while waiting for {what}.\n{Describe()}");
            }

            Thread.Sleep(20);
        }
    }

    /// <summary>Sends SIGINT (what Ctrl+C sends): both dpdksharp-pktgen and testpmd stop cleanly on it.</summary>
    public void Interrupt()
    {
        using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill!.WaitForExit();
    }

    /// <summary>Waits for it to exit and returns its exit code; kills it and throws after <paramref name="timeout"/>.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            throw new TimeoutException($"{Name} did not exit within {timeout.TotalSeconds} s; killed.\n{Describe()}");
        }

        _process.WaitForExit(); // the readers reach the end of both streams
        foreach (var reader in _readers)
        {
            reader.Join();
        }

        return _process.ExitCode;
    }

    /// <summary>Its name, exit code and the last of what it printed: for failure messages.</summary>
    public string Describe()
    {
        static string Tail(string text) => text.Length <= 3000 ? text : "..." + text[^3000..];
        var exit = _process.HasExited ? $"exit code {_process.ExitCode}" : "running";
        return $"--- {Name} ({exit}) stdout:\n{Tail(Output)}\n--- {Name} stderr:\n{Tail(Errors)}";
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private static Thread Reader(StreamReader stream, StringBuilder into)
    {
        var thread = new Thread(() =>
        {
            var buffer = new char[4096];
            int n;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                lock (into)
                {
                    into.Append(buffer, 0, n);
                }
            }
        })
        { IsBackground = true };
        thread.Start();
        return thread;
    }
}
