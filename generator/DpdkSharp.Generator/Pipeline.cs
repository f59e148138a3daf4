using System.Diagnostics;
using DpdkSharp.Generator.Emit.C;
using DpdkSharp.Generator.Emit.CSharp;
using DpdkSharp.Generator.Model;
using DpdkSharp.Generator.Parsing;
using DpdkSharp.Generator.Selection;

namespace DpdkSharp.Generator;

/// <summary>
/// Headers to bindings: parse (libclang → C model), select, emit C# into <c>&lt;output&gt;/cs</c> and the C shim
/// and layout checker into <c>&lt;output&gt;/native</c>.
/// </summary>
public static class Pipeline
{
    public const string LayoutCheckFile = "layout_check.c";

    public static GenerationReport Run(GeneratorOptions options, string outputDir)
    {
        var clock = Stopwatch.StartNew();
        options.Validate();
        PrepareOutput(outputDir);

        var (model, set) = Parse(options);
        var emitter = new CSharpEmitter(set, options);
        var files = emitter.Emit();
        var written = new List<string>();
        foreach (var (name, content) in files)
            written.Add(Write(Path.Combine(outputDir, "cs", name), content));

        var shim = ShimEmitter.Emit(set.Functions.Where(f => f.IsInline), model.InputHeaders, options.ShimPrefix);
        written.Add(Write(Path.Combine(outputDir, "native", options.LibraryName + ".c"), shim));
        var layout = LayoutCheckEmitter.Emit(set.Records, model.InputHeaders, out var assertions);
        written.Add(Write(Path.Combine(outputDir, "native", LayoutCheckFile), layout));

        return new GenerationReport
        {
            Emitted = emitter.Emitted,
            Skipped = [.. set.Skipped, .. emitter.Skipped],
            RootExportedFunctions = set.RootFunctions.Count(f => !f.IsInline),
            RootInlineFunctions = set.RootFunctions.Count(f => f.IsInline),
            BoundExportedFunctions = emitter.Emitted.GetValueOrDefault("function"),
            BoundInlineFunctions = emitter.Emitted.GetValueOrDefault("inline function"),
            LayoutAssertions = assertions,
            Files = written,
            ElapsedMilliseconds = clock.ElapsedMilliseconds,
        };
    }

    /// <summary>Parses and selects: the model and what of it is bound (also used by the API diff).</summary>
    public static (CModel Model, BindingSet Set) Parse(GeneratorOptions options)
    {
        var includeDirs = HeaderParser.IncludeDirectories(options.ClangArgs);
        var roots = options.HeaderRoots.Count > 0 ? options.HeaderRoots : null;
        var model = HeaderParser.Parse(options.Headers, options.ClangArgs, roots);
        var set = Selector.Select(model, options, roots ?? HeaderParser.DefaultRoots(model.InputHeaders, includeDirs));
        return (model, set);
    }

    private static void PrepareOutput(string outputDir)
    {
        try
        {
            Directory.CreateDirectory(outputDir);
            var probe = Path.Combine(outputDir, ".write-probe");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GeneratorException($"output directory is not writable: {outputDir}: {e.Message}");
        }
    }

    private static string Write(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }
}
