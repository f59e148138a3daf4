using System.Text;
using System.Text.RegularExpressions;
using DpdkSharp.Generator.Clang;
using DpdkSharp.Generator.Model;
using static DpdkSharp.Generator.Clang.LibClang;

namespace DpdkSharp.Generator.Parsing;

/// <summary>
/// Evaluates object-like macros with clang itself, so expression macros (<c>(1ULL &lt;&lt; 5)</c>,
/// <c>RTE_BIT64(3)</c>, <c>(A | B)</c>, <c>"%" PRIx32</c>) get C's value and type: one extra translation unit
/// declares <c>static const __auto_type __dpdksharp_m_NAME = (NAME);</c> for every candidate and clang
/// evaluates the initializers. Macros that are not constant expressions (types, attributes, initializer
/// lists) fail there and are reported, without disturbing the others: bodies that could derail the parser
/// for the declarations that follow (braces, semicolons, unbalanced parentheses) are never written into it.
/// </summary>
internal static partial class MacroEvaluator
{
    private const string Prefix = "__dpdksharp_m_";

    public sealed record Candidate(string Name, SourceLocation Location, string Body, string? Doc);

    /// <summary>Collects object-like macros defined under <paramref name="roots"/>, in definition order; reports the others.</summary>
    public static List<Candidate> Collect(IReadOnlyList<CXCursor> topLevel, SourceFiles sources, IReadOnlyList<string> roots, CModel model)
    {
        var candidates = new List<Candidate>();
        var seen = new HashSet<string>();
        var fileLines = new Dictionary<string, string[]>();
        foreach (var c in topLevel.Where(c => c.Kind == CXCursorKind.MacroDefinition))
        {
            var (file, line, _) = c.Where();
            if (file.Length == 0 || !roots.Any(r => file.StartsWith(r, StringComparison.Ordinal)))
            {
                continue;
            }

            var name = c.Spelling();
            if (name.StartsWith('_') || !seen.Add(name))
            {
                continue; // include guards and reserved helpers (attributes such as __rte_cache_aligned)
            }

            var location = new SourceLocation(file, line);
            if (clang_Cursor_isMacroFunctionLike(c) != 0)
            {
                model.Skipped.Add(new CSkipped("macro", name, "function-like macro", location));
                continue;
            }
            var body = Body(sources.Text(clang_getCursorExtent(c)), name);
            if (body.Length == 0)
            {
                model.Skipped.Add(new CSkipped("macro", name, "empty macro (a flag, no value)", location));
                continue;
            }
            if (!IsExpressionShaped(body))
            {
                model.Skipped.Add(new CSkipped("macro", name, $"not an expression: {Shorten(body)}", location) { IsConstant = true });
                continue;
            }
            if (!fileLines.TryGetValue(file, out var lines))
            {
                fileLines[file] = lines = File.Exists(file) ? File.ReadAllLines(file) : [];
            }

            candidates.Add(new Candidate(name, location, body, CommentText.ForMacro(lines, line)));
        }
        return candidates;
    }

    /// <summary>
    /// The source of the evaluation unit: the umbrella, then one constant per candidate. A macro that was
    /// #undef'd by the end of the headers gets no declaration (it would be an unknown identifier).
    /// </summary>
    public static string EvaluationSource(string umbrella, IEnumerable<Candidate> candidates)
    {
        var source = new StringBuilder(umbrella).AppendLine();
        foreach (var c in candidates)
        {
            source.Append("#ifdef ").AppendLine(c.Name)
                .AppendLine($"static const __auto_type {Prefix}{c.Name} = ({c.Name});")
                .AppendLine("#endif");
        }

        return source.ToString();
    }

    /// <summary>Adds each candidate to the model, as a macro with its value or as skipped with the reason, in candidate order.</summary>
    public static void Evaluate(TranslationUnit unit, IReadOnlyList<Candidate> candidates, CModel model)
    {
        var results = new Dictionary<string, object>(); // CMacro, or the reason it was skipped
        var byName = candidates.ToDictionary(c => c.Name);
        foreach (var c in unit.Cursor.Children())
        {
            if (c.Kind != CXCursorKind.VarDecl)
            {
                continue;
            }

            var spelling = c.Spelling();
            if (spelling.StartsWith(Prefix, StringComparison.Ordinal) && byName.TryGetValue(spelling[Prefix.Length..], out var candidate))
            {
                results[candidate.Name] = Evaluate(c, candidate, model);
            }
        }
        foreach (var candidate in candidates)
        {
            var result = results.GetValueOrDefault(candidate.Name) ?? "#undef'd by the end of the headers";
            if (result is CMacro macro)
            {
                model.Macros.Add(macro);
            }
            else
            {
                model.Skipped.Add(new CSkipped("macro", candidate.Name, (string)result, candidate.Location) { IsConstant = true });
            }
        }
    }

    private static object Evaluate(CXCursor variable, Candidate candidate, CModel model)
    {
        var notConstant = $"not a constant expression: {Shorten(candidate.Body)}";
        if (clang_isInvalidDeclaration(variable) != 0)
        {
            return notConstant;
        }

        var macro = new CMacro
        {
            Name = candidate.Name, Location = candidate.Location, Expression = candidate.Body, Doc = candidate.Doc,
            Kind = CMacroValueKind.SignedInteger, ValueType = CBuiltinKind.Int,
        };
        var type = variable.Type().Canonical();
        if (type.Kind == CXTypeKind.Pointer && TypeConverter.Builtin(clang_getPointeeType(type).Canonical().Kind) is { } charKind
            && charKind is CBuiltinKind.CharSigned or CBuiltinKind.CharUnsigned)
        {
            // clang_Cursor_Evaluate does not see through the parentheses to the literal; its spelling is the
            // literal after concatenation ("%.4" PRIx32 -> "%.4x").
            var literal = StringLiteral(variable);
            return literal is null ? notConstant : macro with { Kind = CMacroValueKind.String, ValueType = charKind, StringValue = literal };
        }
        if (type.Kind == CXTypeKind.Pointer)
        {
            return (object?)PointerConstant(variable, macro, model)
                ?? $"the address of a function or object ({Unqualified(type.Spelling())}), not a constant value";
        }

        if (type.Kind == CXTypeKind.Enum)
        {
            type = clang_getEnumDeclIntegerType(type.Declaration()).Canonical();
        }

        if (TypeConverter.Builtin(type.Kind) is not { } kind || kind == CBuiltinKind.Void)
        {
            return $"evaluates to {Unqualified(type.Spelling())}, not a number or string";
        }

        var result = clang_Cursor_Evaluate(variable);
        if (result == 0)
        {
            return notConstant;
        }

        try
        {
            macro = macro with { ValueType = kind };
            switch (clang_EvalResult_getKind(result))
            {
                case CXEvalResultKind.Int:
                    // Both views of the same bits; Kind says which one is the C value.
                    var bits = clang_EvalResult_getAsUnsigned(result);
                    var unsigned = IsUnsigned(kind);
                    return macro with
                    {
                        Kind = unsigned ? CMacroValueKind.UnsignedInteger : CMacroValueKind.SignedInteger,
                        UnsignedValue = unsigned ? bits : unchecked((ulong)clang_EvalResult_getAsLongLong(result)),
                        SignedValue = unsigned ? unchecked((long)bits) : clang_EvalResult_getAsLongLong(result),
                    };
                case CXEvalResultKind.Float:
                    return macro with { Kind = CMacroValueKind.Float, FloatValue = clang_EvalResult_getAsDouble(result) };
                default:
                    return notConstant;
            }
        }
        finally
        {
            clang_EvalResult_dispose(result);
        }
    }

    /// <summary>
    /// An integer cast to a pointer type (sqlite's <c>((sqlite3_destructor_type)-1)</c>, DPDK's <c>((void *)-1)</c>):
    /// its bits and its type, the typedef kept when the macro names one; null when clang cannot fold it to a number
    /// (the address of a function or variable, which only the loader knows).
    /// </summary>
    private static CMacro? PointerConstant(CXCursor variable, CMacro macro, CModel model)
    {
        // clang does not fold a pointer-typed initializer to a number; the integer operand of the cast it is made of
        // is one. The cast's own type keeps the typedef the macro wrote (__auto_type's deduced type does not).
        var cast = Unwrapped(variable.Children().LastOrDefault());
        if (cast.Kind != CXCursorKind.CStyleCastExpr)
        {
            return null;
        }

        var written = DeclarationWalker.Desugar(cast.Type());
        var operand = Unwrapped(cast.Children().LastOrDefault());
        while (operand.Kind == CXCursorKind.CStyleCastExpr && operand.Type().Canonical().Kind == CXTypeKind.Pointer)
        {
            operand = Unwrapped(operand.Children().LastOrDefault()); // ((T)(void *)-1)
        }

        if (operand.IsNull() || TypeConverter.Builtin(operand.Type().Canonical().Kind) is null)
        {
            return null;
        }

        var result = clang_Cursor_Evaluate(operand);
        if (result == 0)
        {
            return null;
        }

        try
        {
            if (clang_EvalResult_getKind(result) != CXEvalResultKind.Int)
            {
                return null;
            }
            // The operand's value, sign-extended to 64 bits as C's conversion to a pointer does (-1 is all ones).
            var bits = IsUnsigned(TypeConverter.Builtin(operand.Type().Canonical().Kind)!.Value)
                ? clang_EvalResult_getAsUnsigned(result) : unchecked((ulong)clang_EvalResult_getAsLongLong(result));
            CType type = written.Kind == CXTypeKind.Typedef && model.FindTypedef(written.Declaration().Spelling()) is { } typedef
                ? new CTypedefRef(typedef.Name, typedef.Target) { Spelling = typedef.Name, Size = 8, Align = 8 }
                : new CPointerType(new CBuiltinType(CBuiltinKind.Void) { Spelling = "void" }, false) { Spelling = "void *", Size = 8, Align = 8 };
            return macro with
            {
                Kind = CMacroValueKind.Pointer, ValueType = CBuiltinKind.ULong, UnsignedValue = bits, SignedValue = unchecked((long)bits),
                PointerType = type,
            };
        }
        finally
        {
            clang_EvalResult_dispose(result);
        }
    }

    /// <summary>An expression without the parentheses and implicit conversions around it.</summary>
    private static CXCursor Unwrapped(CXCursor expression)
    {
        while (expression.Kind is CXCursorKind.UnexposedExpr or CXCursorKind.ParenExpr)
        {
            var children = expression.Children();
            if (children.Count != 1)
            {
                break;
            }

            expression = children[0];
        }
        return expression;
    }

    /// <summary>The value of the string literal that initializes <paramref name="variable"/> (through parentheses and implicit casts).</summary>
    private static string? StringLiteral(CXCursor variable)
    {
        var expression = variable.Children().LastOrDefault();
        while (expression.Kind is CXCursorKind.UnexposedExpr or CXCursorKind.ParenExpr)
        {
            var children = expression.Children();
            if (children.Count != 1)
            {
                return null;
            }

            expression = children[0];
        }
        if (expression.Kind != CXCursorKind.StringLiteral)
        {
            return null;
        }

        var spelling = expression.Spelling();
        return spelling.Length >= 2 && spelling[0] == '"' && spelling[^1] == '"' ? CString.Unescape(spelling[1..^1]) : null;
    }

    private static bool IsUnsigned(CBuiltinKind k) => k is CBuiltinKind.Bool or CBuiltinKind.CharUnsigned or CBuiltinKind.UChar
        or CBuiltinKind.UShort or CBuiltinKind.UInt or CBuiltinKind.ULong or CBuiltinKind.ULongLong or CBuiltinKind.UInt128;

    /// <summary>
    /// False for bodies that cannot be an expression and could make clang's error recovery swallow the
    /// declarations after theirs: braces (initializers, statements), semicolons, unbalanced parentheses or brackets.
    /// </summary>
    private static bool IsExpressionShaped(string body)
    {
        var depth = new Stack<char>();
        var code = StringOrCharLiteral().Replace(body, "0");
        foreach (var ch in code)
        {
            switch (ch)
            {
                case '{' or '}' or ';' or '"' or '\'':
                    return false;
                case '(' or '[':
                    depth.Push(ch);
                    break;
                case ')' or ']':
                    if (depth.Count == 0 || depth.Pop() != (ch == ')' ? '(' : '['))
                    {
                        return false;
                    }

                    break;
            }
        }
        return depth.Count == 0;
    }

    /// <summary>The macro's replacement text on one line: after the name, continuations and comments removed.</summary>
    private static string Body(string definition, string name)
    {
        var text = definition.StartsWith(name, StringComparison.Ordinal) ? definition[name.Length..] : definition;
        text = Comment().Replace(text, " ");
        return Whitespace().Replace(text.Replace("\\\n", " "), " ").Trim();
    }

    /// <summary>A type spelling without the top-level const that <c>static const __auto_type</c> added.</summary>
    private static string Unqualified(string spelling) =>
        spelling.EndsWith(" const", StringComparison.Ordinal) || spelling.EndsWith("*const", StringComparison.Ordinal) ? spelling[..^5].TrimEnd() : spelling;

    private static string Shorten(string body) => body.Length <= 60 ? body : body[..57] + "...";

    [GeneratedRegex(@"/\*.*?\*/|//[^\n]*", RegexOptions.Singleline)]
    private static partial Regex Comment();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex("""[LuU]?(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")]
    private static partial Regex StringOrCharLiteral();
}
