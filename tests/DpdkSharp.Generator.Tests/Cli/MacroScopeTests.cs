using DpdkSharp.Generator.Tests.Infrastructure;

namespace DpdkSharp.Generator.Tests.Cli;

/// <summary>Issue #16, 7: macros outside the include filter are not this binding's skips, nor constants to cover.</summary>
public class MacroScopeTests
{
    [Fact]
    public void Only_macros_in_scope_are_skips_and_counted()
    {
        var folder = Path.Combine(Path.GetTempPath(), "dpdksharp-scope-" + Guid.NewGuid().ToString("N"));
        var report = Pipeline.Run(new GeneratorOptions
        {
            Headers = [FixtureGeneration.Header("macro_scope.h")],
            Include = ["^FX_RING_"],
        }, folder);
        Assert.Equal(["FX_RING_FUNCTION_LIKE", "FX_RING_NOT_CONSTANT"], report.Skipped.Select(s => s.Name).Order());
        // The function-like macro is reported but is no constant: one of two constants bound.
        Assert.Equal((1, 2), (report.BoundConstants, report.RootConstants));
        Assert.Contains("skipped: 2 macro", report.ToText());
    }

    [Fact]
    public void Without_a_filter_every_macro_under_the_roots_is_in_scope()
    {
        var folder = Path.Combine(Path.GetTempPath(), "dpdksharp-scope-" + Guid.NewGuid().ToString("N"));
        var report = Pipeline.Run(new GeneratorOptions { Headers = [FixtureGeneration.Header("macro_scope.h")] }, folder);
        Assert.Contains(report.Skipped, s => s.Name == "fx_errno");
        Assert.Contains(report.Skipped, s => s.Name == "fx_htobe16");
    }
}
