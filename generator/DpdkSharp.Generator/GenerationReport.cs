using System.Globalization;
using System.Text;
using System.Text.Json;
using DpdkSharp.Generator.Model;

namespace DpdkSharp.Generator;

/// <summary>What a generation run produced: counts by kind, every skip with its reason, coverage and time.</summary>
public sealed record GenerationReport
{
    public required Dictionary<string, int> Emitted { get; init; }
    public required List<CSkipped> Skipped { get; init; }
    /// <summary>Functions declared in the bound headers (after name filters), exported and static inline.</summary>
    public required int RootExportedFunctions { get; init; }
    public required int RootInlineFunctions { get; init; }
    public required int BoundExportedFunctions { get; init; }
    public required int BoundInlineFunctions { get; init; }
    /// <summary>Constants in scope (object-like macros with a body, anonymous enums' constants) and those bound.</summary>
    public required int RootConstants { get; init; }
    public required int BoundConstants { get; init; }
    public required int LayoutAssertions { get; init; }
    public required List<string> Files { get; init; }
    public required long ElapsedMilliseconds { get; init; }

    /// <summary>Skips counted by kind (function, macro, global, ...), for the summary and the JSON.</summary>
    public SortedDictionary<string, int> SkippedByKind =>
        new(Skipped.GroupBy(k => k.Kind).ToDictionary(g => g.Key, g => g.Count()), StringComparer.Ordinal);

    public double ExportedCoverage => RootExportedFunctions == 0 ? 1 : (double)BoundExportedFunctions / RootExportedFunctions;
    public double InlineCoverage => RootInlineFunctions == 0 ? 1 : (double)BoundInlineFunctions / RootInlineFunctions;
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

    public string ToJson() => JsonSerializer.Serialize(this, GeneratorOptions.Json);
}
