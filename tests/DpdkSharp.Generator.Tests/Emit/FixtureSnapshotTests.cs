using DpdkSharp.Generator.Tests.Infrastructure;

namespace DpdkSharp.Generator.Tests.Emit;

/// <summary>Each fixture's generated C# matches its reviewed snapshot and compiles with zero diagnostics.</summary>
public class FixtureSnapshotTests
{
    private static readonly string[] Names =
    [
        "records", "bitfields", "packed_aligned", "flexible_arrays", "fixed_arrays", "enums", "macros",
        "types", "function_pointers", "functions", "docs_availability",
    ];

    public static TheoryData<string> Fixtures => new(Names);

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Generated_c_sharp_matches_snapshot_and_compiles(string fixture)
    {
        var output = FixtureGeneration.Generate(fixture + ".h");
        Snapshot.Verify(output.CSharp(fixture), fixture); // no groups: one file per header, named after it

        var result = InMemoryCompiler.Compile("fixture_" + fixture, output.AllCSharp());
        Assert.True(result.Assembly is not null && !result.Problems.Any(), result.Describe());
    }

    [Fact]
    public void All_fixtures_together_compile()
    {
        var output = FixtureGeneration.Generate([.. Names.Select(f => f + ".h")]);
        var result = InMemoryCompiler.Compile("fixtures_all", output.AllCSharp());
        Assert.True(result.Assembly is not null && !result.Problems.Any(), result.Describe());
    }
}
