using DpdkSharp.Generator.Tests.Infrastructure;

namespace DpdkSharp.Generator.Tests.Emit;

/// <summary>
/// Constants of anonymous enums (issue #16, 1 and 2): selected, excluded and counted by their own names under an
/// include filter, and typed from clang's integer type for the enum (64-bit values compile).
/// </summary>
public class AnonymousEnumTests
{
    private static (GenerationReport Report, string CSharp, string[] All) Generate(GeneratorOptions extra)
    {
        var folder = Path.Combine(Path.GetTempPath(), "dpdksharp-anon-" + Guid.NewGuid().ToString("N"));
        var report = Pipeline.Run(extra with
        {
            Headers = [FixtureGeneration.Header("anonymous_enums.h")],
            Namespace = FixtureGeneration.Namespace,
        }, folder);
        var cs = File.ReadAllText(Path.Combine(folder, "cs", "anonymous_enums.cs"));
        return (report, cs, [.. Directory.GetFiles(Path.Combine(folder, "cs"), "*.cs").Order().Select(File.ReadAllText)]);
    }

    [Fact]
    public void Include_filter_matches_each_constant_by_its_own_name()
    {
        var (report, cs, _) = Generate(new GeneratorOptions { Include = ["^FX_", "^E_FX_"] });
        Assert.Contains("public const uint FX_L2_LEN_BITS = 7;", cs);
        Assert.Contains("public const uint FX_L3_LEN_BITS = 9;", cs);
        Assert.Contains("public const uint E_FX_SECONDARY = 1001;", cs);
        Assert.Contains("public const uint E_FX_NO_CONFIG = 1002;", cs);
        Assert.DoesNotContain("fx_min_errno", cs); // outside the filter: neither bound nor a skip
        Assert.DoesNotContain(report.Skipped, s => s.Name == "fx_min_errno");
        Assert.Equal(9, report.RootConstants);
        Assert.Equal(9, report.BoundConstants);
        Assert.Contains("constants: 9/9 (100.0 %)", report.ToText());
    }

    [Fact]
    public void Excluded_constants_are_reported_and_counted()
    {
        var (report, cs, _) = Generate(new GeneratorOptions
        {
            Include = ["^E_FX_"],
            Exclude = [new Exclusion("E_FX_NO_CONFIG", "no configuration in this test")],
        });
        Assert.Contains("E_FX_SECONDARY", cs);
        Assert.DoesNotContain("E_FX_NO_CONFIG", cs);
        var skip = Assert.Single(report.Skipped, s => s.Name == "E_FX_NO_CONFIG");
        Assert.Equal("constant", skip.Kind);
        Assert.Equal("excluded: no configuration in this test", skip.Reason);
        Assert.EndsWith("anonymous_enums.h", skip.Location!.File);
        Assert.Equal((1, 2), (report.BoundConstants, report.RootConstants));
    }

    [Fact]
    public void Sixty_four_bit_values_are_typed_from_the_enum_and_compile()
    {
        var (_, cs, all) = Generate(new GeneratorOptions());
        Assert.Contains("public const ulong FX_F_INDEX_MASK = 4294967295UL;", cs);
        Assert.Contains("public const ulong FX_F_CURRENT_CPU = 4294967295UL;", cs);
        Assert.Contains($"public const ulong FX_F_CTXLEN_MASK = {0xfffffUL << 32}UL;", cs);
        Assert.Contains("public const long FX_WIDE_NEGATIVE = -1L;", cs);
        Assert.Contains("public const long FX_WIDE_POSITIVE = 4294967296L;", cs);
        var compiled = InMemoryCompiler.Compile("anonymous_enums", all);
        Assert.True(compiled.Assembly is not null && !compiled.Problems.Any(), compiled.Describe());
    }
}
