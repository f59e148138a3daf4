using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DpdkSharp.Generator.Tests.Infrastructure;

/// <summary>
/// Compiles generated C# in memory the way the bindings project does: net10.0 references, unsafe code,
/// runtime marshalling disabled, and .NET's own LibraryImport generator run over the sources (its output
/// is what actually calls native code, so its diagnostics count too).
/// </summary>
internal static class InMemoryCompiler
{
    public sealed record Result(Assembly? Assembly, ImmutableArray<Diagnostic> Diagnostics)
    {
        /// <summary>Warnings and errors (hidden/info diagnostics are not part of the zero-diagnostics bar).</summary>
        public IEnumerable<Diagnostic> Problems =>
            Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning);

        public string Describe() => string.Join(Environment.NewLine, Problems.Select(d => d.ToString()));
    }

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        // The running test host is net10.0: its trusted platform assemblies are the reference set.
        var tpa = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return [.. tpa.Where(p => Path.GetFileName(p).StartsWith("System.") || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
                      .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    });

    private static readonly Lazy<ImmutableArray<ISourceGenerator>> Generators = new(() =>
    {
        var dll = FindLibraryImportGenerator();
        var reference = new Microsoft.CodeAnalysis.Diagnostics.AnalyzerFileReference(dll, new AssemblyLoader());
        return reference.GetGenerators(LanguageNames.CSharp);
    });

    /// <summary>Compiles, runs the LibraryImport generator, and loads the assembly when there are no errors.</summary>
    public static Result Compile(string assemblyName, params string[] sources)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, parse, path: $"source{i}.cs")).ToList();
        trees.Add(CSharpSyntaxTree.ParseText(
            "[assembly: System.Runtime.CompilerServices.DisableRuntimeMarshalling]", parse, path: "assemblyinfo.cs"));

        var compilation = CSharpCompilation.Create(assemblyName, trees, References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary,
                allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable,
                optimizationLevel: OptimizationLevel.Release, deterministic: true));

        CSharpGeneratorDriver.Create(Generators.Value, parseOptions: parse)
            .RunGeneratorsAndUpdateCompilation(compilation, out var generated, out var generatorDiagnostics);

        using var stream = new MemoryStream();
        var emit = generated.Emit(stream);
        var diagnostics = generatorDiagnostics.AddRange(emit.Diagnostics);
        if (!emit.Success)
        {
            return new Result(null, diagnostics);
        }

        stream.Position = 0;
        return new Result(System.Runtime.Loader.AssemblyLoadContext.Default.LoadFromStream(stream), diagnostics);
    }

    private static string FindLibraryImportGenerator()
    {
        // <dotnet root>/packs/Microsoft.NETCore.App.Ref/<version>/analyzers/dotnet/cs/, matching the running runtime.
        var runtimeDir = RuntimeEnvironment.GetRuntimeDirectory(); // <root>/shared/Microsoft.NETCore.App/<version>/
        var root = Path.GetFullPath(Path.Combine(runtimeDir, "..", "..", ".."));
        var packs = Path.Combine(root, "packs", "Microsoft.NETCore.App.Ref");
        var candidates = Directory.Exists(packs)
            ? Directory.GetDirectories(packs).OrderByDescending(d => Version.TryParse(Path.GetFileName(d), out var v) ? v : new Version())
            : Enumerable.Empty<string>();
        foreach (var dir in candidates)
        {
            var dll = Path.Combine(dir, "analyzers", "dotnet", "cs", "Microsoft.Interop.LibraryImportGenerator.dll");
            if (File.Exists(dll))
            {
                return dll;
            }
        }
        throw new InvalidOperationException($"LibraryImport generator not found under {packs}");
    }

    private sealed class AssemblyLoader : IAnalyzerAssemblyLoader
    {
        public void AddDependencyLocation(string fullPath) { }
        public Assembly LoadFromPath(string fullPath) => Assembly.LoadFrom(fullPath);
    }
}
