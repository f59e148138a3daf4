using DpdkSharp.Packaging.Tests.Infrastructure;

namespace DpdkSharp.Packaging.Tests;

/// <summary>
/// DpdkSharpRegenerateBindings, as its user meets it: a fresh console app outside the repository references
/// DpdkSharp.Runtime by version from the feed and turns the property on; its build generates the bindings and the native
/// shim for the installed DPDK with the generator inside the DpdkSharp.Bindings package (no tool installed), compiles
/// them, and the app runs on them: a burst round a net_ring port, every mbuf back in its pool.
/// </summary>
[Collection(PackedFeedCollection.Name)]
public sealed class RegeneratingConsumerTests(PackedFeed feed)
{
    private const string Property = "<DpdkSharpRegenerateBindings>true</DpdkSharpRegenerateBindings>";
    // Generation, the shim and a compile of ~4 MB of C# on a busy 2-vCPU machine.
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(8);

    [Fact]
    public void An_app_with_DpdkSharpRegenerateBindings_on_builds_bindings_and_shim_for_the_installed_DPDK_and_runs_a_net_ring_burst_on_them()
    {
        var app = feed.NewFolder("regenerating");
        ConsumerProject.Write(app, feed, "DpdkSharp.Runtime", "RegeneratingConsumer", Property);
        Tool.Check("dotnet", ["restore", "-nologo", "-v:q"], BuildTimeout, app, feed.Environment);

        // Without DPDK's development files (pkg-config finds no libdpdk.pc): the build stops first and says what to install.
        var noDpdk = Tool.Run("dotnet", ["build", "--no-restore", "-c", "Release", "-nologo", "-v:q"], BuildTimeout, app,
            new Dictionary<string, string>(feed.Environment) { ["PKG_CONFIG_LIBDIR"] = Path.Combine(app, "no-pkgconfig") });
        Assert.NotEqual(0, noDpdk.ExitCode);
        Assert.Contains("DpdkSharpRegenerateBindings is true", noDpdk.Output);
        Assert.Contains("pkg-config finds no libdpdk", noDpdk.Output);
        Assert.Contains("apt-get install libdpdk-dev", noDpdk.Output);
        Assert.False(Directory.Exists(Path.Combine(app, "obj", "dpdksharp", $"dpdk-{Major(feed.DpdkVersion)}", "cs")), noDpdk.All);

        var build = Tool.Check("dotnet", ["build", "--no-restore", "-c", "Release", "-nologo", "-v:n"], BuildTimeout, app, feed.Environment);
        Assert.Contains($"DpdkSharp: generating bindings for DPDK {Major(feed.DpdkVersion)}", build.Output);
        var generated = Path.Combine(app, "obj", "dpdksharp", $"dpdk-{Major(feed.DpdkVersion)}");
        Assert.Contains(Directory.GetFiles(Path.Combine(generated, "cs"), "*.cs"), f => Path.GetFileName(f) == "ethdev.cs");
        Assert.True(File.Exists(Path.Combine(generated, "report.json")), build.All);

        // The output has what this build made, not what the package carries.
        var output = ConsumerProject.Output(app);
        var regenerated = Path.Combine(app, "obj", "Release", "net10.0", "dpdksharp", "DpdkSharp.Bindings.dll");
        Assert.Equal(File.ReadAllBytes(regenerated), File.ReadAllBytes(Path.Combine(output, "DpdkSharp.Bindings.dll")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(app, "obj", "dpdksharp", "dpdk-shim", "libdpdksharp_shim.so")),
            File.ReadAllBytes(ConsumerProject.Shim(output)));
        var package = Path.Combine(feed.NuGetPackages, "dpdksharp.bindings", feed.Version);
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(package, "lib", "net10.0", "DpdkSharp.Bindings.dll")), File.ReadAllBytes(regenerated));

        var run = Tool.Run("dotnet", [Path.Combine(output, "Consumer.dll")], TimeSpan.FromSeconds(90), app, feed.Environment);
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Contains($"regenerated for DPDK {feed.DpdkVersion}", run.Output);
        Assert.Contains($"bindings: generated {feed.DpdkVersion}, loaded DPDK {feed.DpdkVersion}", run.Output);
        Assert.Contains("round trip: 32 sent, 32 received, 32 intact", run.Output);
        Assert.Contains("pool in use: 0", run.Output);

        // Built again unchanged: nothing is generated or compiled a second time.
        var again = Tool.Check("dotnet", ["build", "--no-restore", "-c", "Release", "-nologo", "-v:n"], BuildTimeout, app, feed.Environment);
        Assert.DoesNotContain("DpdkSharp: generating", again.Output);
        Assert.DoesNotContain("DpdkSharp: compiling", again.Output);
    }

    /// <summary>"22.11.11" -> "22.11": the header manifests and generated folders are per release.</summary>
    private static string Major(string version) => string.Join('.', version.Split('.').Take(2));
}
