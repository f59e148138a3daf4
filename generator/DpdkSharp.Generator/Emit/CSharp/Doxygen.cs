using System.Text.RegularExpressions;

namespace DpdkSharp.Generator.Emit.CSharp;

/// <summary>
/// Splits a C doc comment at its Doxygen block tags, so they become XML doc elements instead of raw text in the
/// summary: <c>@param</c> → <c>&lt;param&gt;</c>, <c>@return</c>/<c>@retval</c> → <c>&lt;returns&gt;</c>, <c>@note</c>,
/// <c>@warning</c>, <c>@see</c> → <c>&lt;remarks&gt;</c>; <c>@brief</c> is summary. A tag runs until the next tag or a
/// blank line (Doxygen's paragraph end); what follows a blank line is description again. Inline markup
/// (<c>@p</c>, <c>@ref</c>) stays as written.
/// </summary>
internal static partial class Doxygen
{
    public sealed record Parts(List<string> Summary, List<(string Name, List<string> Lines)> Parameters, List<string> Returns, List<string> Remarks);

    public static Parts Parse(string doc)
    {
        var parts = new Parts([], [], [], []);
        List<string> current = parts.Summary;
        // A tag may follow text on the same line (/** \brief Short. \param v The value. */): it starts a line of its own.
        foreach (var line in InlineTag().Replace(doc, "\n").Split('\n'))
        {
            Match m;
            if (line.Length == 0)
            {
                if (current != parts.Summary && current.Count > 0)
                {
                    current = parts.Summary; // the tag's paragraph ended
                }
                else
                {
                    current.Add(line);
                }
            }
            else if ((m = Param().Match(line)).Success)
            {
                parts.Parameters.Add((m.Groups[1].Value, current = []));
                AddIfAny(current, m.Groups[2].Value);
            }
            else if ((m = Return().Match(line)).Success)
            {
                AddIfAny(current = parts.Returns, m.Groups[1].Value);
            }
            else if ((m = RetVal().Match(line)).Success)
            {
                (current = parts.Returns).Add($"{m.Groups[1].Value}: {m.Groups[2].Value}".TrimEnd());
            }
            else if ((m = Remark().Match(line)).Success)
            {
                (current = parts.Remarks).Add(Label(m.Groups[1].Value) + m.Groups[2].Value);
            }
            else if ((m = Brief().Match(line)).Success)
            {
                AddIfAny(current = parts.Summary, m.Groups[1].Value);
            }
            else
            {
                current.Add(line);
            }
        }
        Trim(parts.Summary);
        return parts;
    }

    private static void AddIfAny(List<string> lines, string text)
    {
        if (text.Length > 0)
        {
            lines.Add(text);
        }
    }

    private static string Label(string tag) => tag switch
    {
        "warning" or "attention" => "Warning: ",
        "see" or "sa" => "See: ",
        _ => "Note: ",
    };

    private static void Trim(List<string> lines)
    {
        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        while (lines.Count > 0 && lines[0].Length == 0)
        {
            lines.RemoveAt(0);
        }
    }

    [GeneratedRegex(@"[ \t]+(?=[@\\](?:param|arg|return|returns|retval|note|warning|attention|remark|remarks|see|sa|brief)\b)")]
    private static partial Regex InlineTag();

    [GeneratedRegex(@"^[@\\](?:param|arg)(?:\[[^\]]*\])?\s+(\w+)\s*(.*)$")]
    private static partial Regex Param();

    [GeneratedRegex(@"^[@\\](?:return|returns|result)\b\s*(.*)$")]
    private static partial Regex Return();

    [GeneratedRegex(@"^[@\\]retval\s+(\S+)\s*(.*)$")]
    private static partial Regex RetVal();

    [GeneratedRegex(@"^[@\\](note|warning|attention|remark|remarks|see|sa)\b\s*(.*)$")]
    private static partial Regex Remark();

    [GeneratedRegex(@"^[@\\]brief\s+(.*)$")]
    private static partial Regex Brief();
}
