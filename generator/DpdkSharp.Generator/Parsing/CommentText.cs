using System.Text;
using System.Text.RegularExpressions;

namespace DpdkSharp.Generator.Parsing;

/// <summary>Turns C doc comments (<c>/** */</c>, <c>///</c>, <c>/**&lt; */</c>) into plain text lines.</summary>
internal static partial class CommentText
{
    /// <summary>
    /// Strips comment markers and leading asterisks and collapses runs of blanks, line by line; keeps line
    /// breaks (blank lines separate paragraphs); null when nothing is left.
    /// </summary>
    public static string? Clean(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        var lines = new List<string>();
        foreach (var rawLine in raw.Replace("\r", "").Split('\n'))
        {
            var line = rawLine.Trim();
            line = Markers().Replace(line, "");
            if (line.EndsWith("*/"))
            {
                line = line[..^2];
            }

            line = LeadingStar().Replace(line, "");
            lines.Add(Spaces().Replace(line.Trim(), " "));
        }
        while (lines.Count > 0 && lines[0].Length == 0)
        {
            lines.RemoveAt(0);
        }

        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines.Count == 0 ? null : string.Join("\n", lines);
    }

    /// <summary>
    /// The doc comment of a <c>#define</c> at <paramref name="line"/> (1-based): a block or <c>///</c> lines
    /// right above it, or a trailing <c>/**&lt; */</c> on the same line. Clang does not attach comments to macros.
    /// </summary>
    public static string? ForMacro(string[] fileLines, int line)
    {
        var index = line - 1;
        if (index < 0 || index >= fileLines.Length)
        {
            return null;
        }

        foreach (var marker in TrailingMarkers)
        {
            var trailing = fileLines[index].IndexOf(marker, StringComparison.Ordinal);
            if (trailing >= 0)
            {
                return Clean(fileLines[index][trailing..]);
            }
        }

        var above = index - 1;
        if (above < 0)
        {
            return null;
        }

        if (fileLines[above].TrimEnd().EndsWith("*/"))
        {
            var start = above;
            while (start >= 0 && !fileLines[start].Contains("/*"))
            {
                start--;
            }

            if (start < 0 || !fileLines[start].TrimStart().StartsWith("/**"))
            {
                return null; // an ordinary /* */ comment, not documentation
            }

            return Clean(string.Join("\n", fileLines[start..(above + 1)]));
        }
        var docs = new StringBuilder();
        var first = above;
        while (first >= 0 && fileLines[first].TrimStart().StartsWith("///"))
        {
            first--;
        }

        for (var i = first + 1; i <= above; i++)
        {
            docs.AppendLine(fileLines[i]);
        }

        return Clean(docs.ToString());
    }

    private static readonly string[] TrailingMarkers = ["/**<", "/*!<", "///<", "//!<"];

    [GeneratedRegex(@"^(/\*\*<|/\*!<|///<|//!<|/\*\*|/\*!|///|//!|/\*)")]
    private static partial Regex Markers();

    [GeneratedRegex(@"^\*(?!/)\s?")]
    private static partial Regex LeadingStar();

    [GeneratedRegex(@"[ \t]+")]
    private static partial Regex Spaces();
}
