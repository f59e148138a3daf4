using DpdkSharp.Packaging.Tests.Infrastructure;

namespace DpdkSharp.Packaging.Tests;

/// <summary>The dpdksharp-gen tool installs from the feed the way its readme says and runs, libclang and all.</summary>
[Collection(PackedFeedCollection.Name)]
public sealed class ToolTests(PackedFeed feed)
{
    [Fact]
    public void The_dpdksharp_gen_tool_installs_from_the_feed_prints_its_help_and_binds_a_real_header()
    {
        var work = feed.NewFolder("tool");
        var tools = Path.Combine(work, "tools");
        var install = Tool.Check("dotnet", ["tool", "install", "--tool-path", tools, "--add-source", feed.Feed, "dpdksharp-gen"],
            TimeSpan.FromMinutes(3), work, feed.Environment);
        Assert.Contains(feed.Version, install.Output);
        Assert.Contains("dpdksharp-gen", Tool.Check("dotnet", ["tool", "list", "--tool-path", tools], TimeSpan.FromMinutes(1), work).Output);

        var gen = Path.Combine(tools, "dpdksharp-gen");
        var help = Tool.Check(gen, ["--help"], TimeSpan.FromMinutes(1), work);
        Assert.Contains("--output", help.Output);
        Assert.Contains("--header", help.Output);

        // zlib's header (eng/setup.sh installs zlib1g-dev): parsed by the libclang the tool loads.
        var output = Path.Combine(work, "zlib");
        var run = Tool.Check(gen, ["--header", "zlib.h", "--clang-arg", "-I/usr/include", "--output", output,
            "--namespace", "Zlib.Interop", "--class", "Z", "--library", "z"], TimeSpan.FromMinutes(1), work);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(output, "cs"), "*.cs"));
        Assert.Contains("deflate", string.Concat(Directory.GetFiles(Path.Combine(output, "cs"), "*.cs").Select(File.ReadAllText)));
        Assert.True(File.Exists(Path.Combine(output, "native", "layout_check.c")), run.All);
    }
}
