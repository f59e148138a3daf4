using DpdkSharp.Generator.Tests.Infrastructure;

namespace DpdkSharp.Generator.Tests.Emit;

/// <summary>Issue #16, 8: glibc's FILE is opaque, not its internals; more records can be listed opaque.</summary>
public class OpaqueRecordTests
{
    private static (GenerationReport Report, string[] All, string External, string Own, string Checker) Generate(params string[] opaque)
    {
        var folder = Path.Combine(Path.GetTempPath(), "dpdksharp-opaque-" + Guid.NewGuid().ToString("N"));
        var report = Pipeline.Run(new GeneratorOptions
        {
            Headers = [FixtureGeneration.Header("opaque_records.h")],
            OpaqueRecords = [.. opaque],
        }, folder);
        string Read(string f) => File.ReadAllText(Path.Combine(folder, "cs", f + ".cs"));
        return (report, [.. Directory.GetFiles(Path.Combine(folder, "cs"), "*.cs").Order().Select(File.ReadAllText)],
            Read("External"), Read("opaque_records"), File.ReadAllText(Path.Combine(folder, "native", Pipeline.LayoutCheckFile)));
    }

    [Fact]
    public void File_is_opaque_and_its_internals_are_not_bound()
    {
        var (_, all, external, own, checker) = Generate();
        Assert.Contains("public partial struct FILE\n{\n}", external); // glibc names struct _IO_FILE FILE (and __FILE)
        Assert.DoesNotContain("_IO_marker", external);
        Assert.DoesNotContain("_IO_read_ptr", external);
        Assert.Contains("FILE* f", own);
        Assert.Contains("public nint more;", own); // a record listed by nobody keeps its fields
        Assert.DoesNotContain("sizeof(struct _IO_FILE)", checker);
        var compiled = InMemoryCompiler.Compile("opaque_records", all);
        Assert.True(compiled.Assembly is not null && !compiled.Problems.Any(), compiled.Describe());
    }

    [Fact]
    public void Listed_records_are_opaque_unless_used_by_value()
    {
        var (_, all, _, own, checker) = Generate("fx_handle", "fx_pair");
        Assert.Contains("public partial struct fx_handle\n{\n}", own); // only ever behind a pointer
        Assert.DoesNotContain("sizeof(struct fx_handle)", checker);
        Assert.Contains("public int b;", own); // fx_pair is returned by value: it keeps its fields
        Assert.Contains("sizeof(struct fx_pair) == 8", checker);
        var compiled = InMemoryCompiler.Compile("opaque_listed", all);
        Assert.True(compiled.Assembly is not null && !compiled.Problems.Any(), compiled.Describe());
    }
}
