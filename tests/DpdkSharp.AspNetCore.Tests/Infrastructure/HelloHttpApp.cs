using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using DpdkSharp.Stack.Dpdk.Tests.Infrastructure;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace DpdkSharp.AspNetCore.Tests.Infrastructure;

/// <summary>
/// The HelloHttp sample in a child process: on DPDK's net_tap with the kernel end moved into a network
/// namespace made for it (kernel 10.79.0.1/24, app 10.79.0.2/24), or on kernel sockets. Clients run in
/// the namespace. Dispose stops the app (SIGTERM, then kill) and deletes the namespace, also after a failure.
/// </summary>
public sealed class HelloHttpApp : IDisposable
{
    public const string KernelAddress = "10.79.0.1";
    public const string AppAddress = "10.79.0.2";
    public const int HttpPort = 8080;
    public const int H2cPort = 8081;
    public const int TlsPort = 8443;

    private static int s_instances;
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _namespaceMade;

    private HelloHttpApp(string? iface, string? netns, string[] args)
    {
        Interface = iface;
        Namespace = netns;
        _process = Shell.Start("dotnet", [SampleDll(), .. args]);
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        if (!_ready.Task.Wait(TimeSpan.FromSeconds(90)) || !Log.Contains("ready:", StringComparison.Ordinal))
        {
            Dispose();
            throw new InvalidOperationException($"HelloHttp did not print 'ready:' in 90 s:\n{Log}");
        }
    }

    /// <summary>The TAP interface, or null on kernel sockets.</summary>
    public string? Interface { get; }

    /// <summary>The clients' namespace, or null on kernel sockets.</summary>
    public string? Namespace { get; }

    /// <summary>Everything the app printed so far.</summary>
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

    /// <summary>Starts the app on DPDK (with <paramref name="extraArgs"/> on its command line) and moves the TAP's kernel end into a new namespace.</summary>
    public static HelloHttpApp StartOnDpdk(params string[] extraArgs)
    {
        Shell.RequireRoot();
        int n = Interlocked.Increment(ref s_instances);
        // Linux interface names have 15 characters at most: "dh" + a 7-digit pid + "x" + n fits.
        string iface = $"dh{Environment.ProcessId}x{n}", netns = $"dpdksharp-aspnet-{Environment.ProcessId}-{n}";
        var app = new HelloHttpApp(iface, netns, ["--iface", iface, "--address", $"{AppAddress}/24", .. extraArgs]);
        try
        {
            app.MoveKernelEndIntoNamespace();
        }
        catch
        {
            app.Dispose();
            throw;
        }
        return app;
    }

    /// <summary>
    /// Starts the app on a DPDK virtual device other than a TAP (--vdev <paramref name="vdev"/>, e.g. a net_memif
    /// port) with <paramref name="address"/> and <paramref name="mac"/>; its clients are the caller's business.
    /// </summary>
    public static HelloHttpApp StartOnVdev(string vdev, string address, string mac, params string[] extraArgs)
    {
        Shell.RequireRoot();
        return new(null, null, ["--vdev", vdev, "--address", address, "--mac", mac, .. extraArgs]);
    }

    /// <summary>Starts the app on kernel sockets (no --iface) on the given ports.</summary>
    public static HelloHttpApp StartOnKernel(int port, int h2cPort, int tlsPort) =>
        new(null, null, ["--port", $"{port}", "--h2c-port", $"{h2cPort}", "--tls-port", $"{tlsPort}"]);

    /// <summary>Runs a command where the clients are (the namespace, or here on kernel sockets).</summary>
    public Shell.Result Client(TimeSpan timeout, params string[] command) =>
        Namespace is null ? Shell.Run(command[0], command[1..], timeout) : Shell.Run("ip", ["netns", "exec", Namespace, .. command], timeout);

    /// <summary>curl from the clients' side (30 s at most), output as text.</summary>
    public Shell.Result Curl(params string[] args) => Client(TimeSpan.FromSeconds(40), ["curl", "-sS", "-m", "30", .. args]);

    /// <summary>Starts a long-running client command in the background (the caller waits for or kills it).</summary>
    public Process StartClient(params string[] command) =>
        Namespace is null ? Shell.Start(command[0], command[1..]) : Shell.Start("ip", ["netns", "exec", Namespace, .. command]);

    /// <summary>The sha256 (hex) of what <paramref name="url"/> returns, hashed on the client's side, and curl's exit code.</summary>
    public (string Sha256, int Exit) DownloadSha256(string url, TimeSpan timeout)
    {
        var r = Client(timeout, "bash", "-c", $"set -o pipefail; curl -sS -m {(int)timeout.TotalSeconds} '{url}' | sha256sum | cut -d' ' -f1");
        return (r.Output.Trim(), r.ExitCode);
    }

    /// <summary>SIGTERM, then waits for the exit (killed after <paramref name="timeout"/>); returns the exit code.</summary>
    public int Stop(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            Shell.Run("kill", "-TERM", $"{_process.Id}");
        }
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            throw new TimeoutException($"HelloHttp did not exit within {timeout} of SIGTERM:\n{Log}");
        }
        _process.WaitForExit(); // drains the output readers
        return _process.ExitCode;
    }

    /// <summary>The expected sha256 of /bytes/<paramref name="n"/>: byte i is i % 251.</summary>
    public static string ExpectedBytesSha256(long n)
    {
        var block = new byte[251 * 4096];
        for (int i = 0; i < block.Length; i++)
        {
            block[i] = (byte)(i % 251);
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (long left = n; left > 0; left -= block.Length)
        {
            hash.AppendData(block, 0, (int)Math.Min(left, block.Length));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                Stop(TimeSpan.FromSeconds(30));
            }
        }
        catch (TimeoutException)
        {
            // Killed: the namespace still goes below.
        }
        finally
        {
            if (_namespaceMade)
            {
                Shell.Run("ip", "netns", "del", Namespace!);
                _namespaceMade = false;
            }
            _process.Dispose();
        }
    }

    private void MoveKernelEndIntoNamespace()
    {
        Shell.Check("ip", "netns", "add", Namespace!);
        _namespaceMade = true;
        Shell.Check("ip", "link", "set", Interface!, "netns", Namespace!);
        Shell.Check("ip", "-n", Namespace!, "addr", "add", $"{KernelAddress}/24", "dev", Interface!);
        Shell.Check("ip", "-n", Namespace!, "link", "set", Interface!, "up");
        Shell.Check("ip", "-n", Namespace!, "link", "set", "lo", "up");
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            _ready.TrySetResult(); // the process ended: the wait for ready ends too, and fails on the log
            return;
        }
        lock (_log)
        {
            _log.AppendLine(line);
        }
        if (line.StartsWith("ready:", StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }

    private static string SampleDll() => BuiltDll(Path.Combine("samples", "HelloHttp"), "DpdkSharp.Samples.HelloHttp.dll");

    /// <summary>The HTTP load generator (bench/http), built with the tests.</summary>
    public static string LoadGeneratorDll() => BuiltDll(Path.Combine("bench", "http"), "DpdkSharp.Bench.Http.dll");

    private static string BuiltDll(string project, string name, [CallerFilePath] string here = "")
    {
        var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", ".."));
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        var dll = Path.Combine(root, project, "bin", configuration, "net10.0", name);
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build {project} ({configuration}) first: {dll} is missing.");
    }
}
