using System.Globalization;
using System.Text;
using System.Text.Json;
using DpdkSharp.Generator.Model;

namespace DpdkSharp.Generator;

/// <summary>What a generation run produced: counts by kind, every skip with its reason, coverage and time.</summary>
public sealed record GenerationReport
{
    /// <summary>
    /// Declarations emitted as C#, counted by kind: <c>record</c>, <c>enum</c>, <c>handle</c>, <c>function</c> (exported),
    /// <c>inline function</c> (through the shim), <c>constant</c>, <c>global</c>.
    /// </summary>
    public required Dictionary<string, int> Emitted { get; init; }
    /// <summary>Everything not emitted, each with its reason: skipped by selection, then by the C# emitter (name clashes).</summary>
    public required List<CSkipped> Skipped { get; init; }
    /// <summary>Functions declared in the bound headers (after name filters), exported and static inline.</summary>
    public required int RootExportedFunctions { get; init; }
    /// <summary>Static inline functions declared in the bound headers (after name filters): what the shim could wrap.</summary>
    public required int RootInlineFunctions { get; init; }
    /// <summary>Exported functions that got a <c>[LibraryImport]</c> stub.</summary>
    public required int BoundExportedFunctions { get; init; }
    /// <summary>Static inline functions that got a shim wrapper and its stub.</summary>
    public required int BoundInlineFunctions { get; init; }
    /// <summary>Constants in scope (object-like macros with a body, anonymous enums' constants) and those bound.</summary>
    public required int RootConstants { get; init; }
    /// <summary>Constants emitted as C# constants (macros and anonymous enums' constants).</summary>
    public required int BoundConstants { get; init; }
    /// <summary>The <c>_Static_assert</c>s written to the layout checker (sizes, alignments and field offsets of the bound records).</summary>
    public required int LayoutAssertions { get; init; }
    /// <summary>The paths of every file written (C# files, then the shim, then the layout checker), as given under the output directory.</summary>
    public required List<string> Files { get; init; }
    /// <summary>Wall-clock time of the whole run, parse to last file written, in milliseconds.</summary>
    public required long ElapsedMilliseconds { get; init; }

    /// <summary>Skips counted by kind (function, macro, global, ...), for the summary and the JSON.</summary>
    public SortedDictionary<string, int> SkippedByKind =>
        new(Skipped.GroupBy(k => k.Kind).ToDictionary(g => g.Key, g => g.Count()), StringComparer.Ordinal);

    /// <summary>
    /// <see cref="BoundExportedFunctions"/> over <see cref="RootExportedFunctions"/>, from 0 to 1 (1 when there are none);
    /// the same for <see cref="InlineCoverage"/> and <see cref="ConstantCoverage"/>.
    /// </summary>
    public double ExportedCoverage => RootExportedFunctions == 0 ? 1 : (double)BoundExportedFunctions / RootExportedFunctions;
    /// <summary><see cref="BoundInlineFunctions"/> over <see cref="RootInlineFunctions"/>, from 0 to 1 (1 when there are none).</summary>
    public double InlineCoverage => RootInlineFunctions == 0 ? 1 : (double)BoundInlineFunctions / RootInlineFunctions;
    /// <summary><see cref="BoundConstants"/> over <see cref="RootConstants"/>, from 0 to 1 (1 when there are none).</summary>
    public double ConstantCoverage => RootConstants == 0 ? 1 : (double)BoundConstants / RootConstants;

    /// <summary>The summary (counts by kind, coverage, time); <paramref name="detailed"/> adds every skip with its reason and location.</summary>
    public string ToText(bool detailed = true)
    {
        var s = new StringBuilder();
        s.AppendLine($"dpdksharp-gen: {Files.Count} files in {ElapsedMilliseconds} ms");
        s.AppendLine("  emitted: " + string.Join(", ", Emitted.OrderBy(e => e.Key).Select(e => $"{e.Value} {e.Key}")));
        s.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"  functions: {BoundExportedFunctions}/{RootExportedFunctions} exported ({ExportedCoverage:P1}), " +
            $"{BoundInlineFunctions}/{RootInlineFunctions} static inline ({InlineCoverage:P1}); " +
            $"constants: {BoundConstants}/{RootConstants} ({ConstantCoverage:P1}); {LayoutAssertions} layout assertions"));
        s.AppendLine("  skipped: " + (Skipped.Count == 0 ? "none"
            : string.Join(", ", SkippedByKind.Select(k => $"{k.Value} {k.Key}"))));
        if (!detailed)
        {
            return s.ToString();
        }

        foreach (var k in Skipped.OrderBy(k => k.Kind).ThenBy(k => k.Name, StringComparer.Ordinal))
        {
            s.AppendLine($"    {k.Kind} {k.Name}: {k.Reason}{(k.Location is { } l ? $" ({l})" : "")}");
        }

        return s.ToString();
    }

    /// <summary>
    /// The report as indented JSON with camelCase names (<see cref="GeneratorOptions.Json"/>), computed properties
    /// included: what <c>dpdksharp-gen --report json</c> writes and what the bindings' coverage tests read back.
    /// </summary>
    public string ToJson() => JsonSerializer.Serialize(this, GeneratorOptions.Json);
}
