namespace DpdkSharp.Bindings.Tests;

/// <summary>
/// The build step itself: a no-op build does not run the generator, and the bindings also generate and
/// compile (C# with zero warnings, shim and layout checker with gcc) against DPDK 24.11 and 25.11 headers
/// fetched by eng/fetch-dpdk-headers.sh (eng/test.sh fetches them), and so do the runtime, the stack and the packet generator on top of them.
/// </summary>
public class BuildTests
{
    private static readonly string Project = Path.Combine("bindings", "DpdkSharp.Bindings", "DpdkSharp.Bindings.csproj");

    [Fact]
    public void A_no_op_build_does_not_run_the_generator()
    {
        // The first build makes sure everything is up to date (it may regenerate after a change); the second is the no-op.
        var first = ProcessRunner.Run("dotnet", RepoPaths.Root(), "build", Project, "-nologo");
        Assert.True(first.ExitCode == 0, first.Output);
        var second = ProcessRunner.Run("dotnet", RepoPaths.Root(), "build", Project, "-nologo", "-v:n");
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("Skipping target \"GenerateDpdkBindings\" because all output files are up-to-date", second.Output);
        Assert.DoesNotContain("DpdkSharp: generating bindings", second.Output);
    }

    [Theory]
    [InlineData("24.11")]
    [InlineData("25.11")]
    public void Bindings_generate_and_compile_for_other_dpdk_versions(string version)
    {
        BuildWithoutWarnings(Project, version);
        var generated = RepoPaths.Generated(version);
        Assert.True(File.Exists(Path.Combine(generated, "shim.stamp")), "the shim and layout checker did not compile");
        Assert.Contains(Directory.GetFiles(Path.Combine(generated, "cs")), f => f.EndsWith("mbuf.cs"));
    }

    [Theory]
    [InlineData("24.11")]
    [InlineData("25.11")]
    public void The_runtime_the_stack_and_the_packet_generator_compile_against_the_bindings_of_other_dpdk_versions(string version)
    {
        // What a user who regenerates the bindings for their DPDK builds next: signatures that changed between
        // releases (rte_pcapng_copy in 23.11, rte_lpm6's addresses in 24.11) go through the shim's stable entry points.
        BuildWithoutWarnings(Path.Combine("runtime", "DpdkSharp.Runtime", "DpdkSharp.Runtime.csproj"), version);
        // Everything above the runtime, the parts that reach DPDK beside it included (the memif guard's layout checks,
        // capture): ASP.NET Core brings the stack, Stack.Dpdk and Hosting with it.
        BuildWithoutWarnings(Path.Combine("stack", "DpdkSharp.AspNetCore", "DpdkSharp.AspNetCore.csproj"), version);
        BuildWithoutWarnings(Path.Combine("tools", "DpdkSharp.Pktgen", "DpdkSharp.Pktgen.csproj"), version);
    }

    /// <summary>Builds <paramref name="project"/> against DPDK <paramref name="version"/>'s fetched headers, into folders of that version's own.</summary>
    private static void BuildWithoutWarnings(string project, string version)
    {
        var root = Path.Combine(RepoPaths.Root(), ".dpdk-versions", version, "root");
        Assert.True(Directory.Exists(root), $"DPDK {version} headers are not fetched: run bash eng/fetch-dpdk-headers.sh {version}");
        var build = ProcessRunner.Run("dotnet", RepoPaths.Root(), "build", project, "-nologo",
            $"-p:DpdkVersion={version}", $"-p:IntermediateOutputPath=obj/v{version}/", $"-p:OutDir=bin/v{version}/");
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.Contains("0 Warning(s)", build.Output);
    }

    [Fact]
    public void The_api_diff_between_versions_names_layout_changes()
    {
        var output = Path.Combine(Path.GetTempPath(), $"api-diff-{Guid.NewGuid():N}.md");
        var run = ProcessRunner.Run("bash", RepoPaths.Root(), "eng/api-diff.sh", "22.11", "24.11", output);
        Assert.True(run.ExitCode == 0, run.Output);
        var text = File.ReadAllText(output);
        Assert.Contains("# API changes: DPDK 22.11 → DPDK 24.11", text);
        Assert.Contains("`rte_mbuf`:", text);
        Assert.Contains("`rte_eth_link`: field val64 added", text);
    }
}
