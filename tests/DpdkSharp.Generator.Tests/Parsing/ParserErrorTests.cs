using DpdkSharp.Generator.Clang;
using DpdkSharp.Generator.Parsing;

namespace DpdkSharp.Generator.Tests.Parsing;

/// <summary>Failures are <see cref="GeneratorException"/>s that say what to fix.</summary>
public class ParserErrorTests
{
    [Fact]
    public void AMissingHeaderIsNamed()
    {
        var e = Assert.Throws<GeneratorException>(() => HeaderParser.Parse(["no_such_header.h"], ["-I/tmp"], []));
        Assert.Equal("header not found: no_such_header.h (searched /tmp)", e.Message);
    }

    [Fact]
    public void AHeaderFoundOnTheIncludePathIsRecordedWithItsFullPath()
    {
        var header = ParsedFixtures.Header("enums.h");
        var model = HeaderParser.Parse(["enums.h"], ["-I", Path.GetDirectoryName(header)!], []);
        Assert.Equal([header], model.InputHeaders);
        Assert.NotNull(model.FindEnum("colour"));
    }

    [Fact]
    public void ClangErrorsStopTheRunEachWithFileLineAndColumn()
    {
        var path = ParsedFixtures.TempHeader("struct ok { int a; };\nint bad = ;\nunknown_type x;\n");
        var e = Assert.Throws<GeneratorException>(() => HeaderParser.Parse([path], [], []));
        Assert.StartsWith("clang reported 2 error(s):", e.Message);
        Assert.Contains($"\n  {path}:2:11: error: expected expression\n", e.Message);
        Assert.EndsWith($"\n  {path}:3:1: error: unknown type name 'unknown_type'", e.Message);
    }

    [Fact]
    public void AMissingIncludeIsAFatalErrorWithItsLocation()
    {
        var path = ParsedFixtures.TempHeader("#include <dpdksharp_missing.h>\nint f(void);\n");
        var e = Assert.Throws<GeneratorException>(() => HeaderParser.Parse([path], [], []));
        Assert.Contains($"{path}:1:10: fatal error: 'dpdksharp_missing.h' file not found", e.Message);
    }

    [Fact]
    public void WarningsDoNotStopTheRun()
    {
        var path = ParsedFixtures.TempHeader("#warning a warning\nint f();\nstatic int unused_static;\n");
        Assert.Single(HeaderParser.Parse([path], [], []).Functions, f => f.Name == "f");
    }

    [Fact]
    public void ClangFindsItsBuiltinHeaders()
    {
        var path = ParsedFixtures.TempHeader("#include <stddef.h>\n#include <stdarg.h>\n#include <stdbool.h>\nvoid f(size_t n, va_list ap, bool b);\n");
        var f = Assert.Single(HeaderParser.Parse([path], [], []).Functions, f => f.Name == "f");
        Assert.Equal(["size_t", "va_list", "_Bool"], f.Parameters.Select(p => p.Type.Spelling)); // bool is a macro
    }

    [Fact]
    public void NoHeadersIsAnError() =>
        Assert.Equal("no headers to parse", Assert.Throws<GeneratorException>(() => HeaderParser.Parse([], [], [])).Message);

    [Fact]
    public void AMissingLibclangNamesTheDebianPackages()
    {
        var e = Assert.Throws<GeneratorException>(() => LibClangLoader.Load(["libdpdksharp-no-such-clang.so.1"]));
        Assert.Contains("libclang 14 was not found (tried libdpdksharp-no-such-clang.so.1)", e.Message);
        Assert.Contains("libclang-14-dev", e.Message);
        Assert.Contains("libclang1-14", e.Message);
        Assert.Contains("eng/setup.sh", e.Message);
    }

    [Fact]
    public void TheDebianLibclangIsFound() => Assert.NotEqual(0, LibClangLoader.Load());

    [Fact]
    public void BuiltinHeadersAreFoundBesideTheLoadedLibclang()
    {
        LibClangLoader.EnsureLoaded();
        var resources = LibClangLoader.ResourceDirectory();
        Assert.NotNull(resources); // from the library's real path, not a hard-coded llvm-14 directory
        Assert.True(File.Exists(Path.Combine(resources, "include", "stddef.h")), resources);
    }
}
