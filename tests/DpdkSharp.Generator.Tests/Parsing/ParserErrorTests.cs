using DpdkSharp.Generator.Clang;
using DpdkSharp.Generator.Parsing;

namespace DpdkSharp.Generator.Tests.Parsing;

/// <summary>Failures are <see cref="GeneratorException"/>s that say what to fix.</summary>
public class ParserErrorTests
{
    [Fact]
    public void A_missing_header_is_named()
    {
        var e = Assert.Throws<GeneratorException>(() => HeaderParser.Parse(["no_such_header.h"], ["-I/tmp"], []));
        Assert.Equal("header not found: no_such_header.h (searched /tmp)", e.Message);
    }

    [Fact]
    public void A_header_found_on_the_include_path_is_recorded_with_its_full_path()
    {
        var header = ParsedFixtures.Header("enums.h");
        var model = HeaderParser.Parse(["enums.h"], ["-I", Path.GetDirectoryName(header)!], []);
        Assert.Equal([header], model.InputHeaders);
        Assert.NotNull(model.FindEnum("colour"));
    }

    [Fact]
    public void Clang_errors_stop_the_run_each_with_file_line_and_column()
    {
        var path = ParsedFixtures.TempHeader("struct ok { int a; };\nint bad = ;\nunknown_type x;\n");
        var e = Assert.Throws<GeneratorException>(() => HeaderParser.Parse([path], [], []));
        Assert.StartsWith("clang reported 2 error(s):", e.Message);
        Assert.Contains($"\n  {path}:2:11: error: expected expression\n", e.Message);
        Assert.EndsWith($"\n  {path}:3:1: error: unknown type name 'unknown_type'", e.Message);
    }

    [Fact]
    public void A_missing_include_is_a_fatal_error_with_its_location()
    {
        var path = ParsedFixtures.TempHeader("#include <dpdksharp_missing.h>\nint f(void);\n");
        var e = Assert.Throws<GeneratorException>(() => HeaderParser.Parse([path], [], []));
        Assert.Contains($"{path}:1:10: fatal error: 'dpdksharp_missing.h' file not found", e.Message);
    }

    [Fact]
    public void Warnings_do_not_stop_the_run()
    {
        var path = ParsedFixtures.TempHeader("#warning a warning\nint f();\nstatic int unused_static;\n");
        Assert.Single(HeaderParser.Parse([path], [], []).Functions, f => f.Name == "f");
    }

    [Fact]
    public void Clang_finds_its_builtin_headers()
    {
        var path = ParsedFixtures.TempHeader("#include <stddef.h>\n#include <stdarg.h>\n#include <stdbool.h>\nvoid f(size_t n, va_list ap, bool b);\n");
        var f = Assert.Single(HeaderParser.Parse([path], [], []).Functions, f => f.Name == "f");
        Assert.Equal(["size_t", "va_list", "_Bool"], f.Parameters.Select(p => p.Type.Spelling)); // bool is a macro
    }

    [Fact]
    public void No_headers_is_an_error() =>
        Assert.Equal("no headers to parse", Assert.Throws<GeneratorException>(() => HeaderParser.Parse([], [], [])).Message);

    [Fact]
    public void A_missing_libclang_names_the_debian_packages()
    {
        var e = Assert.Throws<GeneratorException>(() => LibClangLoader.Load(["libdpdksharp-no-such-clang.so.1"]));
        Assert.Contains("libclang 14 was not found (tried libdpdksharp-no-such-clang.so.1)", e.Message);
        Assert.Contains("libclang-14-dev", e.Message);
        Assert.Contains("libclang1-14", e.Message);
        Assert.Contains("eng/setup.sh", e.Message);
    }

    [Fact]
    public void The_debian_libclang_is_found() => Assert.NotEqual(0, LibClangLoader.Load());

    [Fact]
    public void Builtin_headers_are_found_beside_the_loaded_libclang()
    {
        LibClangLoader.EnsureLoaded();
        var resources = LibClangLoader.ResourceDirectory();
        Assert.NotNull(resources); // from the library's real path, not a hard-coded llvm-14 directory
        Assert.True(File.Exists(Path.Combine(resources, "include", "stddef.h")), resources);
    }
}
