using System.Text;
using DpdkSharp.Generator.Clang;
using DpdkSharp.Generator.Model;
using static DpdkSharp.Generator.Clang.LibClang;

namespace DpdkSharp.Generator.Parsing;

/// <summary>
/// Evaluates object-like macros with clang itself, so expression macros (<c>(1ULL &lt;&lt; 5)</c>,
/// <c>RTE_BIT64(3)</c>, <c>(A | B)</c>) get C's value and type: one extra translation unit declares
/// <c>static const __auto_type __dpdksharp_m_NAME = (NAME);</c> for every candidate and clang evaluates the
/// initializers. Macros that are not constant expressions (types, attributes, statements) fail there and
/// are reported, without disturbing the others.
/// </summary>
internal static class MacroEvaluator
{
    private const string Prefix = "__dpdksharp_m_";

    public sealed record Candidate(string Name, SourceLocation Location, string Body, string? Doc);

    /// <summary>Collects object-like macros defined under <paramref name="roots"/>; string literals are read directly.</summary>
    public static List<Candidate> Collect(TranslationUnit unit, IReadOnlyList<string> roots, CModel model)
    {
        var candidates = new List<Candidate>();
        var seen = new HashSet<string>();
        var fileLines = new Dictionary<string, string[]>();
        var sources = new SourceFiles();
        foreach (var c in unit.Cursor.Children().Where(c => c.Kind == CXCursorKind.MacroDefinition))
        {
            var (file, line, _) = c.Where();
            if (file.Length == 0 || !roots.Any(r => file.StartsWith(r, StringComparison.Ordinal)))
                continue;
            var name = c.Spelling();
            if (name.StartsWith('_') || !seen.Add(name))
                continue; // include guards and reserved helpers
            var location = new SourceLocation(file, line);
            if (clang_Cursor_isMacroFunctionLike(c) != 0)
            {
                model.Skipped.Add(new CSkipped("macro", name, "function-like macro", location));
                continue;
            }
            var definition = sources.Text(clang_getCursorExtent(c));
            var body = Body(definition, name);
            if (body.Length == 0)
            {
                model.Skipped.Add(new CSkipped("macro", name, "empty macro (a flag, no value)", location));
                continue;
            }
            if (!fileLines.TryGetValue(file, out var lines))
                fileLines[file] = lines = File.Exists(file) ? File.ReadAllLines(file) : [];
            var doc = CommentText.ForMacro(lines, line);
            if (StringLiteral(body) is { } text)
            {
                model.Macros.Add(new CMacro
                {
                    Name = name, Location = location, Doc = doc, Expression = body,
                    Kind = CMacroValueKind.String, ValueType = CBuiltinKind.CharSigned, StringValue = text,
                });
                continue;
            }
            candidates.Add(new Candidate(name, location, body, doc));
        }
        return candidates;
    }

    /// <summary>The source of the evaluation unit: the umbrella, then one constant per candidate.</summary>
    public static string EvaluationSource(string umbrella, IEnumerable<Candidate> candidates)
    {
        var source = new StringBuilder(umbrella).AppendLine();
        foreach (var c in candidates)
            source.AppendLine($"static const __auto_type {Prefix}{c.Name} = ({c.Name});");
        return source.ToString();
    }

    public static void Evaluate(TranslationUnit unit, IReadOnlyList<Candidate> candidates, CModel model)
    {
        var byName = candidates.ToDictionary(c => c.Name);
        var evaluated = new HashSet<string>();
        foreach (var c in unit.Cursor.Children())
        {
            if (c.Kind != CXCursorKind.VarDecl)
                continue;
            var spelling = c.Spelling();
            if (!spelling.StartsWith(Prefix, StringComparison.Ordinal) || !byName.TryGetValue(spelling[Prefix.Length..], out var candidate))
                continue;
            evaluated.Add(candidate.Name);
            if (Evaluate(c, candidate) is { } macro)
                model.Macros.Add(macro);
            else
                model.Skipped.Add(new CSkipped("macro", candidate.Name, $"not a constant expression: {Shorten(candidate.Body)}", candidate.Location));
        }
        foreach (var missing in candidates.Where(c => !evaluated.Contains(c.Name)))
            model.Skipped.Add(new CSkipped("macro", missing.Name, $"not a constant expression: {Shorten(missing.Body)}", missing.Location));
    }

    private static CMacro? Evaluate(CXCursor variable, Candidate candidate)
    {
        if (clang_isInvalidDeclaration(variable) != 0)
            return null;
        var type = variable.Type().Canonical();
        var kind = TypeConverter.Builtin(type.Kind);
        if (kind is null or CBuiltinKind.Void)
            return null; // pointers, records: not a C# constant
        var result = clang_Cursor_Evaluate(variable);
        if (result == 0)
            return null;
        try
        {
            var macro = new CMacro
            {
                Name = candidate.Name, Location = candidate.Location, Expression = candidate.Body,
                Doc = candidate.Doc, ValueType = kind.Value, Kind = CMacroValueKind.SignedInteger,
            };
            return clang_EvalResult_getKind(result) switch
            {
                CXEvalResultKind.Int when IsUnsigned(kind.Value) =>
                    macro with { Kind = CMacroValueKind.UnsignedInteger, UnsignedValue = clang_EvalResult_getAsUnsigned(result) },
                CXEvalResultKind.Int =>
                    macro with { SignedValue = clang_EvalResult_getAsLongLong(result) },
                CXEvalResultKind.Float =>
                    macro with { Kind = CMacroValueKind.Float, FloatValue = clang_EvalResult_getAsDouble(result) },
                _ => null,
            };
        }
        finally
        {
            clang_EvalResult_dispose(result);
        }
    }

    private static bool IsUnsigned(CBuiltinKind k) => k is CBuiltinKind.Bool or CBuiltinKind.CharUnsigned or CBuiltinKind.UChar
        or CBuiltinKind.UShort or CBuiltinKind.UInt or CBuiltinKind.ULong or CBuiltinKind.ULongLong or CBuiltinKind.UInt128;

    /// <summary>The text of a body made only of string literals (concatenated), or null.</summary>
    private static string? StringLiteral(string body)
    {
        var parts = System.Text.RegularExpressions.Regex.Matches(body, "\"(?:[^\"\\\\]|\\\\.)*\"|\\S+");
        if (parts.Count == 0 || !parts.All(p => p.Value.Length >= 2 && p.Value[0] == '"' && p.Value[^1] == '"'))
            return null;
        return string.Concat(parts.Select(p => System.Text.RegularExpressions.Regex.Unescape(p.Value[1..^1])));
    }

    /// <summary>The macro's replacement text on one line: after the name, continuations and comments removed.</summary>
    private static string Body(string definition, string name)
    {
        var text = definition.StartsWith(name, StringComparison.Ordinal) ? definition[name.Length..] : definition;
        text = System.Text.RegularExpressions.Regex.Replace(text, @"/\*.*?\*/|//[^\n]*", " ", System.Text.RegularExpressions.RegexOptions.Singleline);
        return System.Text.RegularExpressions.Regex.Replace(text.Replace("\\\n", " "), @"\s+", " ").Trim();
    }

    private static string Shorten(string body) => body.Length <= 60 ? body : body[..57] + "...";
}
