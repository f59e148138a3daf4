using System.Text;
using DpdkSharp.Generator.Model;

namespace DpdkSharp.Generator.Emit.CSharp;

/// <summary>XML doc comments and availability attributes carried over from the C declaration.</summary>
internal static class Docs
{
    /// <summary>The diagnostic id of DPDK's experimental API (<c>[Experimental]</c>); users opt in with NoWarn.</summary>
    public const string ExperimentalDiagnosticId = "DPDKEXP001";

    /// <summary>
    /// The summary (the C doc's description, then the generator's <paramref name="remark"/>), and the doc's Doxygen
    /// tags as <c>&lt;param&gt;</c> (only for names in <paramref name="parameters"/>: others would be a doc warning, so
    /// they go to remarks), <c>&lt;returns&gt;</c> and <c>&lt;remarks&gt;</c>.
    /// </summary>
    public static void Write(StringBuilder s, string indent, string? doc, string? remark = null, IReadOnlyCollection<string>? parameters = null)
    {
        if (doc is null && remark is null)
        {
            return;
        }

        var parts = Doxygen.Parse(doc ?? "");
        var remarks = new List<string>(parts.Remarks);
        foreach (var (name, lines) in parts.Parameters.Where(p => parameters?.Contains(p.Name) != true))
        {
            remarks.Add($"Parameter {name}: {string.Join(' ', lines)}");
        }

        if (parts.Summary.Count > 0 || remark is not null)
        {
            s.Append(indent).AppendLine("/// <summary>");
            foreach (var line in parts.Summary)
            {
                s.Append(indent).Append("/// ").AppendLine(Escape(line).TrimEnd());
            }

            if (remark is not null)
            {
                s.Append(indent).Append("/// <para>").Append(Escape(string.Join(' ', remark.Split('\n', StringSplitOptions.TrimEntries)))).AppendLine("</para>");
            }

            s.Append(indent).AppendLine("/// </summary>");
        }
        foreach (var (name, lines) in parts.Parameters.Where(p => parameters?.Contains(p.Name) == true).DistinctBy(p => p.Name))
        {
            Element(s, indent, $"param name=\"{name}\"", "param", lines);
        }

        if (parts.Returns.Count > 0)
        {
            Element(s, indent, "returns", "returns", parts.Returns);
        }

        if (remarks.Count > 0)
        {
            Element(s, indent, "remarks", "remarks", remarks);
        }
    }

    private static void Element(StringBuilder s, string indent, string open, string close, List<string> lines)
    {
        if (lines.Count == 1)
        {
            s.Append(indent).AppendLine($"/// <{open}>{Escape(lines[0]).TrimEnd()}</{close}>");
            return;
        }
        s.Append(indent).AppendLine($"/// <{open}>");
        foreach (var line in lines)
        {
            s.Append(indent).Append("/// ").AppendLine(Escape(line).TrimEnd());
        }

        s.Append(indent).AppendLine($"/// </{close}>");
    }

    public static void Attributes(StringBuilder s, string indent, Availability a)
    {
        if (a.IsDeprecated)
        {
            s.Append(indent).AppendLine($"[System.Obsolete({Literal(a.DeprecationMessage ?? "Deprecated in DPDK.")})]");
        }

        if (a.IsExperimental)
        {
            s.Append(indent).AppendLine($"[System.Diagnostics.CodeAnalysis.Experimental(\"{ExperimentalDiagnosticId}\")]");
        }
    }

    /// <summary>XML text escaping: only what XML requires in element content.</summary>
    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    public static string Literal(string text) => Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(text, quote: true);
}
