using DpdkSharp.Generator.Tests.Infrastructure;

namespace DpdkSharp.Generator.Tests.Emit;

/// <summary>Issue #16, 4: integer constants cast to pointer types (SQLITE_TRANSIENT) are bound, typed as C types them.</summary>
public class PointerConstantTests
{
    [Fact]
    public void Casts_to_pointer_types_become_typed_properties()
    {
        var output = FixtureGeneration.Generate("pointer_constants.h");
        var cs = output.CSharp("pointer_constants");
        Assert.Contains("public static delegate* unmanaged[Cdecl]<void*, void> FX_STATIC => (delegate* unmanaged[Cdecl]<void*, void>)unchecked((nuint)0x0UL);", cs);
        Assert.Contains("public static delegate* unmanaged[Cdecl]<void*, void> FX_TRANSIENT => (delegate* unmanaged[Cdecl]<void*, void>)unchecked((nuint)0xFFFFFFFFFFFFFFFFUL);", cs);
        Assert.Contains("public static void* FX_ANY_DATA => (void*)unchecked((nuint)0xFFFFFFFFFFFFFFFFUL);", cs);
        var skip = Assert.Single(output.Report.Skipped, s => s.Name == "FX_HASH_FUNC");
        Assert.StartsWith("the address of a function or object", skip.Reason);
        Assert.Equal((3, 4), (output.Report.BoundConstants, output.Report.RootConstants));

        const string probe = """
            namespace Fixtures;
            public static unsafe class Probe
            {
                public static string Run() => $"{(nint)Native.FX_STATIC} {(nint)Native.FX_TRANSIENT} {(nint)Native.FX_ANY_DATA}";
            }
            """;
        var compiled = InMemoryCompiler.Compile("pointer_constants", [.. output.AllCSharp(), probe]);
        Assert.True(compiled.Assembly is not null && !compiled.Problems.Any(), compiled.Describe());
        Assert.Equal("0 -1 -1", compiled.Assembly!.GetType("Fixtures.Probe")!.GetMethod("Run")!.Invoke(null, null));
    }
}
