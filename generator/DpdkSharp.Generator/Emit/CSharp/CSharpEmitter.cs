using System.Text;
using System.Text.RegularExpressions;
using DpdkSharp.Generator.Model;
using DpdkSharp.Generator.Selection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DpdkSharp.Generator.Emit.CSharp;

/// <summary>
/// Emits the bound declarations as C# files: one per library group (options.Groups, else the first word of
/// the header name), plus <c>Common.cs</c> with the shared inline-array types and helpers. Raw C names
/// are kept so C documentation applies. Roslyn parses every file: a syntax error in emitted code is a
/// generator bug and fails the run.
/// </summary>
public sealed class CSharpEmitter
{
    public const string CommonFile = "Common";
    public const string ExternalFile = "External";

    private readonly BindingSet _set;
    private readonly GeneratorOptions _options;
    private readonly TypeMapper _types;
    private readonly RecordEmitter _records;
    private readonly MemberEmitter _members;
    private readonly List<(Regex Pattern, string File)> _groups;

    /// <summary>What was emitted, by kind, and what was dropped at emission (name clashes).</summary>
    public Dictionary<string, int> Emitted { get; } = [];
    public List<CSkipped> Skipped { get; } = [];

    public CSharpEmitter(BindingSet set, GeneratorOptions options)
    {
        _set = set;
        _options = options;
        _types = new TypeMapper(new FixedArrays());
        _records = new RecordEmitter(_types, set.Records.GroupBy(r => r.Name).ToDictionary(g => g.Key, g => g.Last()));
        _members = new MemberEmitter(_types, options);
        _groups = [.. options.Groups.SelectMany(g => g.Value.Select(glob => (Glob(glob), g.Key)))];
    }

    private static Regex Glob(string glob) =>
        new("^" + Regex.Escape(glob).Replace("\\*", ".*").Replace("\\?", ".") + "$", RegexOptions.CultureInvariant);

    /// <summary>The output file (without extension) a declaration belongs to.</summary>
    public string FileFor(CDeclaration d)
    {
        if (!_set.IsRoot(d))
            return ExternalFile;
        var header = Path.GetFileName(d.Location.File);
        foreach (var (pattern, file) in _groups)
            if (pattern.IsMatch(header))
                return file;
        var stem = Path.GetFileNameWithoutExtension(header);
        if (stem.StartsWith("rte_", StringComparison.Ordinal))
            stem = stem[4..];
        return stem.Split('_')[0];
    }

    /// <summary>File name (with .cs) → formatted content.</summary>
    public SortedDictionary<string, string> Emit()
    {
        var files = new SortedDictionary<string, (StringBuilder Types, StringBuilder Api)>(StringComparer.Ordinal);
        (StringBuilder Types, StringBuilder Api) For(CDeclaration d)
        {
            var file = FileFor(d);
            if (!files.TryGetValue(file, out var parts))
                files[file] = parts = (new StringBuilder(), new StringBuilder());
            return parts;
        }
        var typeNames = new HashSet<string>(StringComparer.Ordinal);
        var memberNames = new HashSet<string>(StringComparer.Ordinal);
        bool Claim(HashSet<string> names, CDeclaration d, string kind)
        {
            if (names.Add(d.Name))
                return true;
            Skipped.Add(new CSkipped(kind, d.Name, "name clash with another bound declaration", d.Location));
            return false;
        }

        foreach (var e in _set.Enums)
        {
            if (e.IsAnonymous)
            {
                foreach (var c in e.Constants.Where(c => memberNames.Add(c.Name)))
                {
                    _members.EnumConstant(For(e).Api, e, c);
                    Count("constant");
                }
                continue;
            }
            if (!Claim(typeNames, e, "enum"))
                continue;
            EmitEnum(For(e).Types, e);
            Count("enum");
        }
        foreach (var r in _set.Records.Where(r => Claim(typeNames, r, "record")))
        {
            _records.Emit(For(r).Types, r);
            Count("record");
        }
        foreach (var f in _set.Functions.Where(f => Claim(memberNames, f, f.IsInline ? "inline function" : "function")))
        {
            _members.Function(For(f).Api, f);
            Count(f.IsInline ? "inline function" : "function");
        }
        foreach (var m in _set.Macros.Where(m => Claim(memberNames, m, "macro")))
        {
            _members.Macro(For(m).Api, m);
            Count("constant");
        }
        foreach (var g in _set.Globals.Where(g => Claim(memberNames, g, "global")))
        {
            _members.Global(For(g).Api, g);
            Count("global");
        }

        var output = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (file, (typesText, apiText)) in files)
        {
            var s = Header();
            s.Append(typesText);
            if (apiText.Length > 0)
            {
                s.AppendLine($"public static unsafe partial class {_options.ApiClass}");
                s.AppendLine("{");
                s.Append(apiText);
                s.AppendLine("}");
            }
            output[file + ".cs"] = Format(s.ToString(), file);
        }
        output[CommonFile + ".cs"] = Format(Common(), CommonFile);
        return output;
    }

    private void Count(string kind) => Emitted[kind] = Emitted.GetValueOrDefault(kind) + 1;

    private void EmitEnum(StringBuilder s, CEnum e)
    {
        Docs.Write(s, "", e.Doc);
        Docs.Attributes(s, "", e.Availability);
        s.AppendLine($"public enum {TypeMapper.Identifier(e.Name)} : {EnumBase(e.UnderlyingType)}");
        s.AppendLine("{");
        foreach (var c in e.Constants)
        {
            Docs.Write(s, "    ", c.Doc);
            var name = c.Name == e.Name ? c.Name + "_" : TypeMapper.Identifier(c.Name);
            s.AppendLine($"    {name} = {MemberEmitter.EnumValue(e.UnderlyingType, c)},");
        }
        s.AppendLine("}");
        s.AppendLine();
    }

    private static string EnumBase(CBuiltinKind kind) => kind switch
    {
        CBuiltinKind.Long => "long",
        CBuiltinKind.ULong => "ulong",
        CBuiltinKind.Bool => "byte",
        _ => TypeMapper.Builtin(kind),
    };

    private StringBuilder Header()
    {
        var s = new StringBuilder();
        s.AppendLine("// <auto-generated/>");
        s.AppendLine("// Generated by dpdksharp-gen from C headers: do not edit; regenerate instead.");
        // Generated code may itself name experimental or deprecated declarations (a field of such a type);
        // users see these diagnostics where they use them.
        // C names are lower case (CS8981).
        s.AppendLine($"#pragma warning disable {Docs.ExperimentalDiagnosticId}, CS0618, CS8981");
        s.AppendLine("using System;");
        s.AppendLine("using System.Diagnostics.CodeAnalysis;");
        s.AppendLine("using System.Runtime.CompilerServices;");
        s.AppendLine("using System.Runtime.InteropServices;");
        s.AppendLine();
        s.AppendLine($"namespace {_options.Namespace};");
        s.AppendLine();
        return s;
    }

    private string Common()
    {
        var s = Header();
        _types.Arrays.Emit(s);
        s.AppendLine($$"""
            /// <summary>The native library every stub names, loaded once to look up exported variables.</summary>
            internal static class GeneratedLibrary
            {
                public static readonly nint Handle = NativeLibrary.Load("{{_options.LibraryName}}", typeof(GeneratedLibrary).Assembly, null);
            }

            /// <summary>Bit-fields that no 8-byte window holds (packed records): read and written byte by byte.</summary>
            internal static class BitFields
            {
                public static ulong Read(ref byte record, long bitOffset, int width)
                {
                    var first = (int)(bitOffset / 8);
                    var shift = (int)(bitOffset % 8);
                    var count = (shift + width + 7) / 8;
                    UInt128 raw = 0;
                    for (var i = 0; i < count; i++)
                        raw |= (UInt128)Unsafe.Add(ref record, first + i) << (8 * i);
                    return (ulong)((raw >> shift) & ((UInt128.One << width) - 1));
                }

                public static void Write(ref byte record, long bitOffset, int width, ulong value)
                {
                    var first = (int)(bitOffset / 8);
                    var shift = (int)(bitOffset % 8);
                    var count = (shift + width + 7) / 8;
                    UInt128 raw = 0;
                    for (var i = 0; i < count; i++)
                        raw |= (UInt128)Unsafe.Add(ref record, first + i) << (8 * i);
                    var mask = ((UInt128.One << width) - 1) << shift;
                    raw = (raw & ~mask) | (((UInt128)value << shift) & mask);
                    for (var i = 0; i < count; i++)
                        Unsafe.Add(ref record, first + i) = (byte)(raw >> (8 * i));
                }
            }
            """);
        return s.ToString();
    }

    /// <summary>Parses the emitted text with Roslyn; a syntax error is a generator bug.</summary>
    private static string Format(string code, string file)
    {
        var tree = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest));
        var errors = tree.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0)
            throw new GeneratorException($"generator bug: emitted C# for {file} does not parse: " + string.Join("; ", errors.Take(5).Select(e =>
                $"{e} in: {code.Split('\n')[e.Location.GetLineSpan().StartLinePosition.Line].Trim()}")));
        // The emitters write their own layout (blank lines between declarations, doc comments intact);
        // NormalizeWhitespace would split XML entities in doc comments ("&lt; &lt;").
        return code;
    }
}
