using DpdkSharp.Generator.Emit.C;
using DpdkSharp.Generator.Model;
using DpdkSharp.Generator.Parsing;
using DpdkSharp.Generator.Tests.Infrastructure;

namespace DpdkSharp.Generator.Tests.Native;

public class LayoutCheckerTests
{
    public static TheoryData<string> Fixtures => new(
        "records", "bitfields", "packed_aligned", "flexible_arrays", "fixed_arrays", "enums", "types", "function_pointers", "functions", "macros", "docs_availability");

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Layout_checker_and_shim_compile_for_each_fixture(string fixture)
    {
        var output = FixtureGeneration.Generate(fixture + ".h");
        Gcc.Compile("-std=gnu11", "-Wall", "-Werror", "-Wno-deprecated-declarations", "-fsyntax-only", output.LayoutCheck);
        Gcc.Compile("-std=gnu11", "-Wall", "-Werror", "-Wno-deprecated-declarations", "-fsyntax-only", output.Shim);
        Assert.DoesNotContain("not checked", File.ReadAllText(output.LayoutCheck)); // every emitted record is reachable from C
        if (fixture != "enums" && fixture != "functions" && fixture != "function_pointers" && fixture != "macros" && fixture != "docs_availability")
        {
            Assert.Contains("_Static_assert(offsetof(", File.ReadAllText(output.LayoutCheck));
        }
    }

    [Fact]
    public void A_wrong_layout_fails_compilation()
    {
        var header = FixtureGeneration.Header("packed_aligned.h");
        var model = HeaderParser.Parse([header], []);
        var stats = model.FindRecord("queue_stats")!;
        var packets = stats.Fields.Single(f => f.Name == "packets");
        // What .NET's own layout rules would say (8, not clang's 64) for the over-aligned field.
        var wrong = stats with { Fields = [.. stats.Fields.Select(f => f == packets ? f with { OffsetBits = 64 } : f)] };

        var path = Path.Combine(Path.GetTempPath(), $"layout_wrong_{Guid.NewGuid():N}.c");
        File.WriteAllText(path, LayoutCheckEmitter.Emit([wrong], [header], out _));
        var (code, errors) = Gcc.Run("-std=gnu11", "-fsyntax-only", path);
        Assert.NotEqual(0, code);
        Assert.Contains("queue_stats.packets: offset 8", errors);

        File.WriteAllText(path, LayoutCheckEmitter.Emit([stats], [header], out var count));
        Assert.Equal(0, Gcc.Run("-std=gnu11", "-fsyntax-only", path).ExitCode);
        Assert.Equal(2 + 4, count); // size, alignment and four field offsets
    }
}
