using System.Diagnostics;
using DpdkSharp.Generator.Tests.Infrastructure;

namespace DpdkSharp.Generator.Tests.Real;

/// <summary>
/// The generator over the installed DPDK with the repository's own options (headers/dpdk.json and the version's
/// manifest) and <c>pkg-config --cflags libdpdk</c>, as the bindings build runs it; generated once per test class.
/// DPDK is a prerequisite of this repository (eng/setup.sh): without it these tests fail, naming the fix.
/// </summary>
public sealed class InstalledDpdk : IDisposable
{
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "dpdksharp-dpdk-" + Guid.NewGuid().ToString("N"));
    public GenerationReport Report { get; }
    public string Version { get; }
    /// <summary>The clang/gcc arguments the generator ran with (pkg-config's plus -DALLOW_EXPERIMENTAL_API).</summary>
    public IReadOnlyList<string> Cflags { get; }

    public InstalledDpdk()
    {
        var repo = Path.GetFullPath(Path.Combine(Snapshot.ProjectDirectory(ThisFile()), "..", ".."));
        var full = PkgConfig("--modversion");
        Version = string.Join('.', full.Split('.').Take(2));
        var options = GeneratorOptions.Load([Path.Combine(repo, "headers", "dpdk.json"), Path.Combine(repo, "headers", Version, "headers.json")]);
        Cflags = [.. PkgConfig("--cflags").Split(' ', StringSplitOptions.RemoveEmptyEntries), "-DALLOW_EXPERIMENTAL_API"];
        options = options.Merge(new GeneratorOptions { ClangArgs = [.. Cflags] });
        Report = Pipeline.Run(options, Folder);
    }

    /// <summary>Every generated C# file's text, by file name.</summary>
    public Dictionary<string, string> CSharp() =>
        Directory.GetFiles(Path.Combine(Folder, "cs"), "*.cs").ToDictionary(f => Path.GetFileName(f), File.ReadAllText);

    private static string ThisFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;

    private static string PkgConfig(string what)
    {
        var info = new ProcessStartInfo("pkg-config", [what, "libdpdk"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, "pkg-config libdpdk failed: install DPDK with sudo bash eng/setup.sh");
        return output;
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
