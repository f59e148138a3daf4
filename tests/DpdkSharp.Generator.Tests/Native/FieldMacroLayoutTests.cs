using DpdkSharp.Generator.Tests.Infrastructure;

namespace DpdkSharp.Generator.Tests.Native;

/// <summary>Issue #16, 3: the layout checker names fields whose names are also macros (glibc's si_pid, sa_handler).</summary>
public class FieldMacroLayoutTests
{
    [Fact]
    public void Checker_compiles_and_asserts_the_fields_behind_the_macros()
    {
        var output = FixtureGeneration.Generate("field_macros.h");
        var checker = File.ReadAllText(output.LayoutCheck);
        Assert.Contains("#undef si_pid", checker);
        Assert.Contains("#undef sa_handler", checker);
        Assert.DoesNotContain("#undef si_signo", checker); // not a macro: left alone
        Assert.Contains(", si_pid) == 0", checker); // offsetof the field inside _kill's type
        Assert.Contains(", sa_sigaction) == 0", checker);
        Gcc.Compile("-std=gnu11", "-Wall", "-Werror", "-fsyntax-only", output.LayoutCheck);

        // Without the #undefs the same assertions do not compile: what the fix is for.
        var without = Path.Combine(output.Folder, "native", "without_undef.c");
        File.WriteAllLines(without, File.ReadAllLines(output.LayoutCheck).Where(l => !l.StartsWith("#undef ", StringComparison.Ordinal)));
        var (code, errors) = Gcc.Run("-std=gnu11", "-fsyntax-only", without);
        Assert.NotEqual(0, code);
        Assert.Contains("si_pid", errors);
    }
}
