using System.Diagnostics;
using DpdkSharp.Generator.Clang;
using DpdkSharp.Generator.Model;

namespace DpdkSharp.Generator.Parsing;

/// <summary>
/// Parses C headers with libclang into a <see cref="CModel"/>: one translation unit for declarations (an
/// in-memory umbrella that includes every header), one more to evaluate macros.
/// </summary>
internal static class HeaderParser
{
    private const string UmbrellaName = "dpdksharp_umbrella.c";

    /// <param name="headers">Paths, or names found on the <c>-I</c> directories of <paramref name="clangArgs"/>.</param>
    /// <param name="clangArgs">Include paths, defines, target flags (e.g. <c>pkg-config --cflags libdpdk</c>).</param>
    /// <param name="macroRoots">The header roots (<see cref="CModel.Roots"/>); empty: the headers' and <c>-I</c> directories.</param>
    public static CModel Parse(IReadOnlyList<string> headers, IReadOnlyList<string> clangArgs, IReadOnlyList<string>? macroRoots = null)
    {
        if (headers.Count == 0)
        {
            throw new GeneratorException("no headers to parse");
        }

        LibClangLoader.EnsureLoaded();
        var includeDirs = IncludeDirectories(clangArgs);
        var resolved = headers.Select(h => Resolve(h, includeDirs)).ToList();
        var umbrella = string.Concat(resolved.Select(h => $"#include \"{h}\"\n"));
        var args = Arguments(clangArgs);

        var model = new CModel();
        model.InputHeaders.AddRange(resolved);
        model.Includes.AddRange(resolved.Select(h => IncludeSpelling(h, includeDirs)));
        model.Roots.AddRange((macroRoots is { Count: > 0 } ? macroRoots : DefaultRoots(resolved, includeDirs))
            .Select(r => Path.GetFullPath(r).TrimEnd('/') + "/").Distinct());
        var roots = model.Roots;

        List<MacroEvaluator.Candidate> candidates;
        using (var unit = TranslationUnit.Parse(UmbrellaName, umbrella, args,
                   LibClang.DetailedPreprocessingRecord | LibClang.SkipFunctionBodies, tolerateErrors: false))
        {
            var topLevel = unit.Cursor.Children();
            var sources = new SourceFiles();
            var availability = new AvailabilityReader(sources, new MacroTable(topLevel, sources));
            new DeclarationWalker(topLevel, model, availability).Walk();
            foreach (var c in topLevel.Where(c => c.Kind == CXCursorKind.MacroDefinition && LibClang.clang_Cursor_isMacroFunctionLike(c) == 0))
            {
                model.ObjectLikeMacros.Add(c.Spelling());
            }

            candidates = MacroEvaluator.Collect(topLevel, sources, roots, model);
        }
        if (candidates.Count > 0)
        {
            using var unit = TranslationUnit.Parse(UmbrellaName, MacroEvaluator.EvaluationSource(umbrella, candidates), args,
                LibClang.SkipFunctionBodies | LibClang.KeepGoing, tolerateErrors: true);
            MacroEvaluator.Evaluate(unit, candidates, model);
        }
        return model;
    }

    /// <summary>The directories of the headers and every <c>-I</c> directory: where "our" declarations live.</summary>
    private static List<string> DefaultRoots(IEnumerable<string> resolvedHeaders, IEnumerable<string> includeDirs) =>
        [.. resolvedHeaders.Select(h => Path.GetDirectoryName(h)!).Concat(includeDirs).Select(Path.GetFullPath).Distinct()];

    private static List<string> IncludeDirectories(IReadOnlyList<string> clangArgs)
    {
        var dirs = new List<string>();
        for (var i = 0; i < clangArgs.Count; i++)
        {
            if (clangArgs[i] == "-I" && i + 1 < clangArgs.Count)
            {
                dirs.Add(clangArgs[++i]);
            }
            else if (clangArgs[i].StartsWith("-I", StringComparison.Ordinal))
            {
                dirs.Add(clangArgs[i][2..]);
            }
        }
        return dirs;
    }

    /// <summary><c>&lt;path relative to the first -I directory holding it&gt;</c>, else the full path quoted.</summary>
    internal static string IncludeSpelling(string fullPath, IEnumerable<string> includeDirs)
    {
        foreach (var dir in includeDirs.Select(d => Path.GetFullPath(d).TrimEnd('/') + "/"))
        {
            if (fullPath.StartsWith(dir, StringComparison.Ordinal))
            {
                return $"<{fullPath[dir.Length..]}>";
            }
        }

        return $"\"{fullPath}\"";
    }

    private static string Resolve(string header, List<string> includeDirs)
    {
        if (File.Exists(header))
        {
            return Path.GetFullPath(header);
        }

        if (!header.Contains('/') || !Path.IsPathRooted(header))
        {
            foreach (var dir in includeDirs)
            {
                var candidate = Path.Combine(dir, header);
                if (File.Exists(candidate))
                {
                    return Path.GetFullPath(candidate);
                }
            }
        }

        throw new GeneratorException($"header not found: {header}" +
            (includeDirs.Count > 0 ? $" (searched {string.Join(", ", includeDirs)})" : " (no -I directories given)"));
    }

    /// <summary>C (GNU11) with our flags first, so the caller's flags can override them.</summary>
    private static List<string> Arguments(IReadOnlyList<string> clangArgs)
    {
        List<string> args = ["-x", "c", "-std=gnu11", "-ferror-limit=0", "-Wno-everything"];
        if (LibClangLoader.ResourceDirectory() is { } resources)
        {
            args.AddRange(["-resource-dir", resources]);
        }

        args.AddRange(clangArgs);
        return args;
    }
}
