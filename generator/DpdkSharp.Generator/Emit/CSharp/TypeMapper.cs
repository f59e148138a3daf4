using DpdkSharp.Generator.Model;
using DpdkSharp.Generator.Selection;
using Microsoft.CodeAnalysis.CSharp;

namespace DpdkSharp.Generator.Emit.CSharp;

/// <summary>
/// C types to C# type names on x86_64 Linux (LP64): <c>long</c> is <c>nint</c>, <c>char</c> keeps its
/// signedness, typedefs resolve to what they name, function pointers are <c>delegate* unmanaged[Cdecl]</c>.
/// Fixed arrays in records become shared <c>[InlineArray]</c> types registered with <see cref="FixedArrays"/>.
/// </summary>
internal sealed class TypeMapper(FixedArrays arrays, IReadOnlyDictionary<string, string>? recordNames = null, IReadOnlySet<string>? handles = null)
{
    public FixedArrays Arrays { get; } = arrays;

    /// <summary>A record's C# name: its typedef's where <see cref="Selection.TypedefNames"/> chose it, else its model name.</summary>
    public string RecordName(string modelName) => Identifier(recordNames?.GetValueOrDefault(modelName) ?? modelName);

    /// <summary>The C# type of a value of <paramref name="t"/> (a parameter, return, pointee or field without arrays).</summary>
    public string Map(CType t) => FixedWidth(t) ?? Handle(t) ?? t.Resolved() switch
    {
        CBuiltinType b => Builtin(b.Kind),
        CPointerType p => Pointer(p.Pointee),
        CFunctionPointerType f => FunctionPointer(f),
        CRecordRef r => RecordName(r.Name),
        CEnumRef e => Identifier(e.Name),
        // An array as a parameter decays to a pointer to its element.
        CArrayType a => Pointer(a.Element),
        CUnsupportedType => "void",
        var other => throw new InvalidOperationException($"unmapped type {other}"),
    };

    /// <summary>The C# type of a record field: fixed arrays become inline-array types; unsupported types opaque bytes.</summary>
    public string MapField(CType t)
    {
        var resolved = t.Resolved();
        if (resolved is CArrayType { Length: > 0 } a)
        {
            return ArrayType(a);
        }

        if (resolved is CUnsupportedType)
        {
            return Arrays.Get("byte", Math.Max(1, t.Size));
        }

        return Map(t);
    }

    /// <summary>Element type inside an inline array: pointers (not allowed as inline-array elements) become nint.</summary>
    public string ElementForArray(CType element)
    {
        var resolved = element.Resolved();
        return resolved switch
        {
            CPointerType or CFunctionPointerType => "nint",
            CArrayType { Length: > 0 } inner => ArrayType(inner),
            CUnsupportedType => Arrays.Get("byte", Math.Max(1, element.Size)),
            _ => Map(element),
        };
    }

    /// <summary>
    /// The inline-array type of a fixed array. Arrays of data pointers get a type per pointee, stored as nint
    /// (pointers cannot be inline-array elements) with typed Get/Set; function pointers stay plain nint.
    /// </summary>
    private string ArrayType(CArrayType a) => a.Element.Resolved() is CPointerType
        ? Arrays.GetPointers(Map(a.Element), a.Length!.Value)
        : Arrays.Get(ElementForArray(a.Element), a.Length!.Value);

    private string Pointer(CType pointee)
    {
        var resolved = pointee.Resolved();
        return resolved switch
        {
            CBuiltinType { Kind: CBuiltinKind.Void } or CUnsupportedType => "void*",
            CFunctionPointerType => "void*", // a pointer to a function pointer variable
            // uint8_t ips[][16] as a parameter is a pointer to 16-byte arrays, not a pointer to pointers.
            CArrayType { Length: > 0 } array => Arrays.Get(ElementForArray(array.Element), array.Length!.Value) + "*",
            _ => Map(pointee) + "*",
        };
    }

    private string FunctionPointer(CFunctionPointerType f)
    {
        if (f.IsVariadic)
        {
            return "void*"; // C# function pointers cannot be variadic
        }

        var parts = f.Parameters.Select(Map).Append(Map(f.Return));
        return $"delegate* unmanaged[Cdecl]<{string.Join(", ", parts)}>";
    }

    /// <summary>The handle struct a typedef chain names (<c>gzFile</c>), if any.</summary>
    private string? Handle(CType t)
    {
        for (var current = t; current is CTypedefRef r && handles is not null; current = r.Target)
        {
            if (handles.Contains(r.Name))
            {
                return Identifier(r.Name);
            }
        }

        return null;
    }

    /// <summary>
    /// stdint's fixed-width names keep their width whatever C type they alias (uint64_t is unsigned long on
    /// LP64, which would otherwise become nuint); size_t and friends are pointer-sized.
    /// </summary>
    private static string? FixedWidth(CType t)
    {
        for (var current = t; current is CTypedefRef r; current = r.Target)
        {
            var mapped = r.Name switch
            {
                "int8_t" => "sbyte", "uint8_t" => "byte", "int16_t" => "short", "uint16_t" => "ushort",
                "int32_t" => "int", "uint32_t" => "uint", "int64_t" => "long", "uint64_t" => "ulong",
                "intptr_t" or "ssize_t" or "ptrdiff_t" => "nint", "uintptr_t" or "size_t" => "nuint",
                _ => null,
            };
            if (mapped is not null)
            {
                return mapped;
            }
        }
        return null;
    }

    public static string Builtin(CBuiltinKind kind) => kind switch
    {
        CBuiltinKind.Void => "void",
        CBuiltinKind.Bool => "bool",
        CBuiltinKind.CharSigned or CBuiltinKind.SChar => "sbyte",
        CBuiltinKind.CharUnsigned or CBuiltinKind.UChar => "byte",
        CBuiltinKind.Short => "short",
        CBuiltinKind.UShort => "ushort",
        CBuiltinKind.Int => "int",
        CBuiltinKind.UInt => "uint",
        CBuiltinKind.Long => "nint",
        CBuiltinKind.ULong => "nuint",
        CBuiltinKind.LongLong => "long",
        CBuiltinKind.ULongLong => "ulong",
        CBuiltinKind.Int128 => "Int128",
        CBuiltinKind.UInt128 => "UInt128",
        CBuiltinKind.Float => "float",
        CBuiltinKind.Double => "double",
        _ => throw new InvalidOperationException($"no C# type for {kind}"),
    };

    /// <summary>
    /// The C# type of an enum's values, named or anonymous, from clang's integer type for the enum: C's long is
    /// 64-bit here and a constant should not change meaning by platform, so long/ulong, never nint/nuint (which
    /// cannot hold a 64-bit constant such as <c>0xfffffULL &lt;&lt; 32</c>).
    /// </summary>
    public static string EnumBase(CBuiltinKind kind) => kind switch
    {
        CBuiltinKind.Long => "long",
        CBuiltinKind.ULong => "ulong",
        CBuiltinKind.Bool => "byte",
        _ => Builtin(kind),
    };

    /// <summary>A C name as a C# identifier (C# keywords get '@').</summary>
    public static string Identifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;
}
