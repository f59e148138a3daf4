using DpdkSharp.Generator.Tests.Emit;
using DpdkSharp.Generator.Tests.Infrastructure;

namespace DpdkSharp.Generator.Tests.Native;

/// <summary>Issue #16, 8: the shim and the layout checker include headers as found through -I, so the output can move.</summary>
public class IncludePathTests
{
    [Fact]
    public void Headers_found_through_include_directories_are_included_by_name()
    {
        using var temp = new TempHeaders();
        var include = Path.Combine(temp.Root, "include");
        temp.Write("include/lib/ip_lib.h", "#pragma once\nstruct ip_pair { int a; long b; };\nstatic inline int ip_sum(struct ip_pair *p) { return p->a + (int)p->b; }\n");
        temp.Write("include/ip_top.h", "#include <lib/ip_lib.h>\nint ip_top(void);\n");
        temp.Run(new GeneratorOptions
        {
            Headers = ["ip_top.h", Path.Combine(include, "lib", "ip_lib.h")], // by name, and by a path under -I
            ClangArgs = ["-I" + include],
        });

        // Moved elsewhere, the C output compiles with the same -I flag: no absolute paths inside.
        var moved = Path.Combine(temp.Root, "moved");
        Directory.Move(Path.Combine(temp.Output, "native"), moved);
        foreach (var file in new[] { Pipeline.LayoutCheckFile, GeneratorOptions.DefaultLibrary + ".c" })
        {
            var text = File.ReadAllText(Path.Combine(moved, file));
            Assert.Contains("#include <ip_top.h>", text);
            Assert.Contains("#include <lib/ip_lib.h>", text);
            Assert.DoesNotContain(temp.Root, text);
            Gcc.Compile("-std=gnu11", "-Wall", "-Werror", "-fsyntax-only", "-I" + include, Path.Combine(moved, file));
        }
    }

    [Fact]
    public void Headers_outside_include_directories_keep_their_full_path()
    {
        var output = FixtureGeneration.Generate("records.h");
        Assert.Contains($"#include \"{FixtureGeneration.Header("records.h")}\"", File.ReadAllText(output.LayoutCheck));
    }
}
