using System.Globalization;
using System.Text;
using DpdkSharp.Generator.Model;

namespace DpdkSharp.Generator.Emit.CSharp;

/// <summary>
/// Emits the members of the API class: <c>[LibraryImport]</c> stubs (static inline functions call their shim
/// wrapper under the original name), constants from macros and anonymous enums, and globals.
/// </summary>
internal sealed class MemberEmitter(TypeMapper types, GeneratorOptions options)
{
    private const string I = "    ";
    private readonly HashSet<string> _suppress = [.. options.SuppressGCTransition];

    public void Function(StringBuilder s, CFunction f)
    {
        string?[] remarks =
        [
            f.IsInline ? $"static inline in C: calls the shim's {options.ShimPrefix}_{f.Name}." : null,
            f.Parameters.Any(p => CType.IsVaList(p.Type))
                ? "Takes a C va_list (a pointer to __va_list_tag on x86_64): only C can build one, so pass only a va_list that C handed over (a callback's argument)."
                : null,
        ];
        // Doc <param> tags only for C names the C# parameters kept.
        var kept = f.Parameters.Select((p, i) => ParameterName(p.Name, i, f)).Where(n => f.Parameters.Any(p => p.Name == n)).ToList();
        Docs.Write(s, I, f.Doc, remarks.Any(r => r is not null) ? string.Join(' ', remarks.OfType<string>()) : null, kept);
        Docs.Attributes(s, I, f.Availability);
        // Exported functions come from the real library, static inline ones from the shim's wrapper.
        var entry = f.IsInline ? $", EntryPoint = \"{options.ShimPrefix}_{f.Name}\"" : "";
        s.AppendLine($"{I}[LibraryImport(\"{(f.IsInline ? options.ShimLibrary : options.LibraryName)}\"{entry})]");
        if (_suppress.Contains(f.Name))
        {
            s.AppendLine($"{I}[SuppressGCTransition]");
        }
        // C's bool is one byte: LibraryImport needs that said (MarshalAs U1) even with runtime marshalling disabled.
        if (IsBool(f.ReturnType))
        {
            s.AppendLine($"{I}[return: MarshalAs(UnmanagedType.U1)]");
        }

        var parameters = f.Parameters.Select((p, i) =>
            $"{(IsBool(p.Type) ? "[MarshalAs(UnmanagedType.U1)] " : "")}{types.Map(p.Type)} {TypeMapper.Identifier(ParameterName(p.Name, i, f))}");
        s.AppendLine($"{I}public static partial {types.Map(f.ReturnType)} {TypeMapper.Identifier(f.Name)}({string.Join(", ", parameters)});");
        s.AppendLine();
    }

    private static bool IsBool(CType t) => t.Resolved() is CBuiltinType { Kind: CBuiltinKind.Bool };

    /// <summary>
    /// C's name; for an unnamed parameter the name of the type it is written with (<c>deflateResetKeep(z_streamp)</c>
    /// gets <c>z_streamp</c>, <c>pcap_dump_fopen(pcap_t *, FILE *)</c> <c>pcap_t</c> and <c>FILE</c>), positional
    /// (<c>arg0</c>) when that says nothing (<c>int</c>, <c>uint32_t</c>) or would repeat a name.
    /// </summary>
    private static string ParameterName(string name, int index, CFunction f)
    {
        var taken = f.Parameters.Select((p, i) => i == index ? null : p.Name).Append(f.Name).ToHashSet();
        if (name.Length == 0 && NameOfType(f.Parameters[index].Type) is { } fromType)
        {
            var repeated = f.Parameters.Where((p, i) => p.Name.Length == 0 && NameOfType(p.Type) == fromType).Count() > 1;
            name = repeated ? $"{fromType}{index}" : fromType;
        }
        return name.Length == 0 || taken.Contains(name) || f.Parameters.Take(index).Any(p => p.Name == name) ? $"arg{index}" : name;
    }

    private static readonly HashSet<string> SaysNothing =
    [
        "int8_t", "uint8_t", "int16_t", "uint16_t", "int32_t", "uint32_t", "int64_t", "uint64_t",
        "size_t", "ssize_t", "ptrdiff_t", "intptr_t", "uintptr_t", "wchar_t", "off_t", "bool",
    ];

    /// <summary>The record, enum or typedef an (unnamed) parameter's type names, through pointers; null for C's own types.</summary>
    private static string? NameOfType(CType t)
    {
        while (t is CPointerType or CArrayType)
        {
            t = t is CPointerType p ? p.Pointee : ((CArrayType)t).Element;
        }

        var name = t switch { CTypedefRef r => r.Name, CRecordRef r => r.Name, CEnumRef e => e.Name, _ => null };
        return name is null || SaysNothing.Contains(name) || name.StartsWith("__", StringComparison.Ordinal) || name.Contains("__anon") ? null : name;
    }

    public void Macro(StringBuilder s, CMacro m)
    {
        var remark = m.Expression is { } e ? $"C: #define {m.Name} {e}" : null;
        Docs.Write(s, I, m.Doc, remark);
        Docs.Attributes(s, I, m.Availability);
        if (m is { Kind: CMacroValueKind.Pointer, PointerType: { } pointer })
        {
            // C# has no pointer constants: a property returning the same bits, typed as C types them.
            var pointerType = types.Map(pointer);
            s.AppendLine($"{I}public static {pointerType} {TypeMapper.Identifier(m.Name)} => ({pointerType})unchecked((nuint)0x{m.UnsignedValue:X}UL);");
            return;
        }
        var (type, value) = m.Kind switch
        {
            CMacroValueKind.String => ("string", Docs.Literal(m.StringValue ?? "")),
            CMacroValueKind.Float => (m.ValueType == CBuiltinKind.Float ? "float" : "double", FloatLiteral(m)),
            CMacroValueKind.UnsignedInteger => Unsigned(m.ValueType, m.UnsignedValue),
            _ => Signed(m.ValueType, m.SignedValue),
        };
        s.AppendLine($"{I}public const {type} {TypeMapper.Identifier(m.Name)} = {value};");
    }

    private static string FloatLiteral(CMacro m)
    {
        var text = m.FloatValue.ToString("R", CultureInfo.InvariantCulture);
        if (!text.Contains('.') && !text.Contains('E'))
        {
            text += ".0";
        }

        return m.ValueType == CBuiltinKind.Float ? text + "f" : text;
    }

    // Macros of C type long get C# long (not nint): a constant should not change meaning by platform.
    private static (string, string) Unsigned(CBuiltinKind kind, ulong v) => kind switch
    {
        CBuiltinKind.Bool => ("bool", v != 0 ? "true" : "false"),
        CBuiltinKind.CharUnsigned or CBuiltinKind.UChar => ("byte", $"0x{v:X}"),
        CBuiltinKind.UShort => ("ushort", $"0x{v:X}"),
        CBuiltinKind.UInt => ("uint", v < 10 ? $"{v}" : $"0x{v:X}"),
        _ => ("ulong", v < 10 ? $"{v}UL" : $"0x{v:X}UL"),
    };

    private static (string, string) Signed(CBuiltinKind kind, long v) => kind switch
    {
        CBuiltinKind.CharSigned or CBuiltinKind.SChar => ("sbyte", $"{v}"),
        CBuiltinKind.Short => ("short", $"{v}"),
        CBuiltinKind.Int => ("int", $"{v}"),
        _ => ("long", v == long.MinValue ? "long.MinValue" : $"{v}L"),
    };

    public void EnumConstant(StringBuilder s, CEnum e, CEnumConstant c)
    {
        Docs.Write(s, I, c.Doc);
        Docs.Attributes(s, I, e.Availability);
        var type = TypeMapper.EnumBase(e.UnderlyingType);
        s.AppendLine($"{I}public const {type} {TypeMapper.Identifier(c.Name)} = {EnumValue(e.UnderlyingType, c)};");
    }

    public static string EnumValue(CBuiltinKind underlying, CEnumConstant c) => underlying switch
    {
        CBuiltinKind.UInt or CBuiltinKind.UShort or CBuiltinKind.UChar or CBuiltinKind.CharUnsigned => $"{(uint)c.UnsignedValue}",
        CBuiltinKind.ULong or CBuiltinKind.ULongLong => $"{c.UnsignedValue}UL",
        CBuiltinKind.Long or CBuiltinKind.LongLong => c.Value == long.MinValue ? "long.MinValue" : $"{c.Value}L",
        _ => $"{c.Value}",
    };

    /// <summary>An extern variable: a ref to it, its address looked up once in the library's dependency tree.</summary>
    public void Global(StringBuilder s, CGlobal g)
    {
        Docs.Write(s, I, g.Doc);
        Docs.Attributes(s, I, g.Availability);
        var name = TypeMapper.Identifier(g.Name);
        var resolved = g.Type.Resolved();
        var element = resolved is CArrayType a ? types.ElementForArray(a.Element) : types.MapField(g.Type);
        var field = $"__address_{g.Name}";
        s.AppendLine($"{I}private static {element}* {field};");
        var address = $"({field} != null ? {field} : ({field} = ({element}*)NativeLibrary.GetExport(GeneratedLibrary.Handle, \"{g.Name}\")))";
        s.AppendLine(resolved is CArrayType
            ? $"{I}/// <remarks>A C array: the pointer to its first element.</remarks>\n{I}public static {element}* {name} => {address};"
            : $"{I}public static ref {(g.IsConst ? "readonly " : "")}{element} {name} => ref *{address};");
        s.AppendLine();
    }
}
