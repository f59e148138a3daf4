using System.Runtime.InteropServices;
using DpdkSharp.Generator.Tests.Infrastructure;
using Program = DpdkSharp.Generator.Cli.Program;

namespace DpdkSharp.Generator.Tests.Native;

/// <summary>
/// Issue #16, 5: exported functions import the real library and static inline wrappers the shim, each named from
/// the command line; the shim's source is named after the shim, never after the real library it would hide.
/// </summary>
public class TwoLibrariesTests
{
    [Fact]
    public void Exported_and_inline_functions_import_their_own_libraries()
    {
        var output = Path.Combine(Path.GetTempPath(), "dpdksharp-two-" + Guid.NewGuid().ToString("N"));
        var header = FixtureGeneration.Header("two_libraries.h");
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = Program.Run(["--header", header, "--output", output, "--library", "tl_real", "--namespace", "TwoLibs",
            "--class", "Api", "--shim-prefix", "tl"], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());

        var native = Path.Combine(output, "native");
        Assert.True(File.Exists(Path.Combine(native, "tl_real_shim.c"))); // default: <library>_shim
        Assert.False(File.Exists(Path.Combine(native, "tl_real.c")));
        var cs = File.ReadAllText(Path.Combine(output, "cs", "two_libraries.cs"));
        Assert.Contains("[LibraryImport(\"tl_real\")]", cs);
        Assert.Contains("[LibraryImport(\"tl_real_shim\", EntryPoint = \"tl_tl_twice\")]", cs);
        Assert.Contains("public static unsafe partial class Api", cs);

        // The real library, and the shim linked against it (found beside it at load time).
        var real = Path.Combine(output, "libtl_real.so");
        var implementation = Path.Combine(output, "tl_real_impl.c");
        File.WriteAllText(implementation, "int tl_add(int a, int b) { return a + b + 1000; }\n");
        Gcc.Compile("-shared", "-fPIC", "-Wl,-soname,libtl_real.so", "-o", real, implementation);
        var shim = Path.Combine(output, "libtl_real_shim.so");
        Gcc.Compile("-shared", "-fPIC", "-Wall", "-Werror", "-I", Path.GetDirectoryName(header)!, "-o", shim,
            Path.Combine(native, "tl_real_shim.c"), "-L", output, "-ltl_real", "-Wl,-rpath,$ORIGIN", "-Wl,--no-undefined");

        var probe = "namespace TwoLibs; public static class Probe { public static string Run() => $\"{Api.tl_add(1, 2)} {Api.tl_twice(5)}\"; }";
        var compiled = InMemoryCompiler.Compile("two_libraries_" + Guid.NewGuid().ToString("N"),
            [.. Directory.GetFiles(Path.Combine(output, "cs"), "*.cs").Order().Select(File.ReadAllText), probe]);
        Assert.True(compiled.Assembly is not null && !compiled.Problems.Any(), compiled.Describe());
        var handles = new Dictionary<string, nint> { ["tl_real"] = NativeLibrary.Load(real), ["tl_real_shim"] = NativeLibrary.Load(shim) };
        // Any other name fails the call: each stub must name exactly its own library.
        NativeLibrary.SetDllImportResolver(compiled.Assembly!, (name, _, _) => handles.GetValueOrDefault(name));
        var run = compiled.Assembly!.GetType("TwoLibs.Probe")!.GetMethod("Run")!;
        Assert.Equal("1003 1010", (string)run.Invoke(null, null)!);
    }

    [Fact]
    public void Shim_library_can_be_named_and_options_files_are_overridden()
    {
        var output = Path.Combine(Path.GetTempPath(), "dpdksharp-two-" + Guid.NewGuid().ToString("N"));
        var options = Path.GetTempFileName();
        File.WriteAllText(options, """{ "namespace": "FromFile", "libraryName": "from_file", "shimLibraryName": "file_shim" }""");
        var code = Program.Run(["--options", options, "--header", FixtureGeneration.Header("two_libraries.h"), "--output", output,
            "--namespace", "FromFlag", "--shim-library", "flag_shim"], new StringWriter(), new StringWriter());
        Assert.Equal(0, code);
        var cs = File.ReadAllText(Path.Combine(output, "cs", "two_libraries.cs"));
        Assert.Contains("namespace FromFlag;", cs);
        Assert.Contains("[LibraryImport(\"from_file\")]", cs);
        Assert.Contains("[LibraryImport(\"flag_shim\", EntryPoint = \"dpdksharp_tl_twice\")]", cs);
        Assert.True(File.Exists(Path.Combine(output, "native", "flag_shim.c")));
    }
}
