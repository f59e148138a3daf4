using DpdkSharp.Generator.Tests.Infrastructure;

namespace DpdkSharp.Generator.Tests.Emit;

/// <summary>Issue #16, 6: variadic functions are skipped with a true reason; va_list twins carry a remark.</summary>
public class VariadicTests
{
    [Fact]
    public void Variadic_skip_says_what_is_true_and_va_list_twins_say_how_to_call_them()
    {
        var output = FixtureGeneration.Generate("variadic.h");
        var skip = Assert.Single(output.Report.Skipped, s => s.Name == "fx_printf");
        Assert.Equal("variadic: [LibraryImport] cannot pass C variable arguments; bind a hand-written fixed-arity C wrapper instead", skip.Reason);
        Assert.DoesNotContain("shim offers", skip.Reason);

        var cs = output.CSharp("variadic");
        foreach (var name in new[] { "fx_vprintf", "fx_vmprintf" })
        {
            var stub = cs.IndexOf($" {name}(", StringComparison.Ordinal);
            Assert.True(stub > 0, $"{name} not bound");
            var docs = cs[cs.LastIndexOf("/// <summary>", stub, StringComparison.Ordinal)..stub];
            Assert.Contains("Takes a C va_list", docs);
        }
        Assert.Contains("__va_list_tag* arguments", cs);
        var compiled = InMemoryCompiler.Compile("variadic", output.AllCSharp());
        Assert.True(compiled.Assembly is not null && !compiled.Problems.Any(), compiled.Describe());
    }
}
