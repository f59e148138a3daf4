using System.Text;
using DpdkSharp.Generator.Model;

namespace DpdkSharp.Generator.Emit.CSharp;

/// <summary>XML doc comments and availability attributes carried over from the C declaration.</summary>
internal static class Docs
{
    /// <summary>The diagnostic id of DPDK's experimental API (<c>[Experimental]</c>); users opt in with NoWarn.</summary>
    public const string ExperimentalDiagnosticId = "DPDKEXP001";

    public static void Write(StringBuilder s, string indent, string? doc, string? remark = null)
    {
        if (doc is null && remark is null)
            return;
        s.Append(indent).AppendLine("/// <summary>");
        foreach (var line in (doc ?? "").Split('\n'))
            if (doc is not null)
                s.Append(indent).Append("/// ").AppendLine(Escape(line).TrimEnd());
        if (remark is not null)
            s.Append(indent).Append("/// <para>").Append(Escape(string.Join(' ', remark.Split('\n', StringSplitOptions.TrimEntries)))).AppendLine("</para>");
        s.Append(indent).AppendLine("/// </summary>");
    }

    public static void Attributes(StringBuilder s, string indent, Availability a)
    {
        if (a.IsDeprecated)
            s.Append(indent).AppendLine($"[System.Obsolete({Literal(a.DeprecationMessage ?? "Deprecated in DPDK.")})]");
        if (a.IsExperimental)
            s.Append(indent).AppendLine($"[System.Diagnostics.CodeAnalysis.Experimental(\"{ExperimentalDiagnosticId}\")]");
    }

    /// <summary>XML text escaping: only what XML requires in element content.</summary>
    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    public static string Literal(string text) => Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(text, quote: true);
}
