using System.Text;
using System.Text.RegularExpressions;
using DpdkSharp.Generator.Clang;
using static DpdkSharp.Generator.Clang.LibClang;

namespace DpdkSharp.Generator.Parsing;

/// <summary>
/// The macro definitions of a translation unit, by name, and a textual expansion of macro names. libclang 14
/// reports attributes that come from a macro (<c>__rte_experimental</c>) only at the expansion site
/// (clang_getSpellingLocation returns the expansion location), so what such an attribute says is read from
/// the macro's definition. Only the definition active in this configuration is in the unit (#ifdef branches).
/// </summary>
internal sealed partial class MacroTable
{
    private const int MaxDepth = 8;
    private readonly Dictionary<string, CXCursor> _definitions = [];
    private readonly Dictionary<string, string> _bodies = [];
    private readonly SourceFiles _sources;

    public MacroTable(IEnumerable<CXCursor> topLevel, SourceFiles sources)
    {
        _sources = sources;
        foreach (var c in topLevel)
        {
            if (c.Kind == CXCursorKind.MacroDefinition)
            {
                _definitions.TryAdd(c.Spelling(), c);
            }
        }
    }

    /// <summary><paramref name="text"/> with every macro name replaced by its body, recursively (parameters are not substituted).</summary>
    public string Expand(string text) => Expand(text, 0, []);

    private string Expand(string text, int depth, HashSet<string> active)
    {
        if (depth >= MaxDepth)
        {
            return text;
        }

        return Identifier().Replace(text, m =>
        {
            if (!_definitions.ContainsKey(m.Value) || !active.Add(m.Value))
            {
                return m.Value;
            }

            var expanded = Expand(Body(m.Value), depth + 1, active);
            active.Remove(m.Value);
            return expanded;
        });
    }

    private string Body(string name)
    {
        if (_bodies.TryGetValue(name, out var body))
        {
            return body;
        }

        var text = _sources.Text(clang_getCursorExtent(_definitions[name]));
        body = text.StartsWith(name, StringComparison.Ordinal) ? text[name.Length..] : text;
        return _bodies[name] = body.Replace("\\\n", " ");
    }

    [GeneratedRegex(@"\b[A-Za-z_][A-Za-z0-9_]*\b")]
    private static partial Regex Identifier();
}
