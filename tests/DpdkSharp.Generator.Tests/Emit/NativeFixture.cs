using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DpdkSharp.Generator.Tests.Infrastructure;

namespace DpdkSharp.Generator.Tests.Emit;

/// <summary>
/// End to end against real C: a fixture header goes through the pipeline; its C implementation
/// (<c>Emit/Native/&lt;name&gt;.c</c>) and the generated shim are compiled by gcc into the library the stubs name;
/// the generated C# plus a probe class are compiled in memory and the probe runs against that library. What C
/// writes, C# must read, and the other way round: layout, bit-fields and calls are checked by C's compiler.
/// </summary>
internal static class NativeFixture
{
    /// <summary>Generates, builds and loads; returns the probe's result (its <c>Probe.Run()</c> as a string).</summary>
    public static string Run(string header, string probe, [CallerFilePath] string caller = "")
    {
        var native = Path.Combine(Path.GetDirectoryName(caller)!, "Native");
        var headerPath = File.Exists(Path.Combine(native, header + ".h"))
            ? Path.Combine(native, header + ".h")
            : FixtureGeneration.Header(header + ".h");
        var output = Path.Combine(Path.GetTempPath(), "dpdksharp-native-" + Guid.NewGuid().ToString("N"));
        try
        {
            var report = Pipeline.Run(new GeneratorOptions
            {
                Headers = [headerPath],
                Namespace = FixtureGeneration.Namespace,
                LibraryName = FixtureGeneration.Library,
                ShimLibraryName = FixtureGeneration.Library, // the fixture's C and the shim are one library here
                ShimPrefix = FixtureGeneration.Prefix,
                ApiClass = "Native",
            }, output);

            var library = Path.Combine(output, "lib" + FixtureGeneration.Library + ".so");
            Infrastructure.Gcc.Compile("-std=gnu11", "-O1", "-fPIC", "-shared", "-Wall", "-Werror", "-Wno-deprecated-declarations",
                "-I", Path.GetDirectoryName(headerPath)!, "-o", library,
                Path.Combine(output, "native", FixtureGeneration.Library + ".c"), Path.Combine(native, header + ".c"));

            var sources = Directory.GetFiles(Path.Combine(output, "cs"), "*.cs").Order().Select(File.ReadAllText).Append(probe);
            var compiled = InMemoryCompiler.Compile("native_" + header + "_" + Guid.NewGuid().ToString("N"), [.. sources]);
            Assert.True(compiled.Assembly is not null && !compiled.Problems.Any(), compiled.Describe());
            var assembly = compiled.Assembly!;
            var handle = NativeLibrary.Load(library);
            NativeLibrary.SetDllImportResolver(assembly, (name, _, _) => name == FixtureGeneration.Library ? handle : 0);
            // Exported variables are looked up in this handle (NativeLibrary.Load by name ignores resolvers).
            assembly.GetType(FixtureGeneration.Namespace + ".GeneratedLibrary")?.GetProperty("Handle")!.SetValue(null, handle);
            var run = assembly.GetType(FixtureGeneration.Namespace + ".Probe")!.GetMethod("Run")!;
            try
            {
                return (string)run.Invoke(null, null)!;
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw e.InnerException;
            }
        }
        finally
        {
            // The loaded library stays mapped after deletion; the folder is only scratch.
            try { Directory.Delete(output, recursive: true); } catch (IOException) { }
        }
    }
}
