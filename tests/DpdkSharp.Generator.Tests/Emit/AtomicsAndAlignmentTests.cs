using DpdkSharp.Generator.Tests.Infrastructure;

namespace DpdkSharp.Generator.Tests.Emit;

/// <summary>_Atomic fields carry a remark; an alignment C# cannot declare is documented (issue #16, held-out check).</summary>
public class AtomicsAndAlignmentTests
{
    [Fact]
    public void Atomic_fields_and_foreign_alignments_are_documented()
    {
        var output = FixtureGeneration.Generate("atomics_alignment.h");
        var cs = output.CSharp("atomics_alignment");
        Assert.Equal(2, cs.Split("C11 _Atomic in C").Length - 1); // packets and drops (through its typedef), not plain
        Assert.Contains("public nuint packets;", cs);
        Assert.Contains("Alignment: 64 in C, 8 in C#", cs);
        Assert.DoesNotContain("Alignment: 8 in C", cs); // fx_counters: C and C# agree
        var compiled = InMemoryCompiler.Compile("atomics_alignment", output.AllCSharp());
        Assert.True(compiled.Assembly is not null && !compiled.Problems.Any(), compiled.Describe());
        Gcc.Compile("-std=gnu11", "-Wall", "-Werror", "-fsyntax-only", output.LayoutCheck);
    }
}
