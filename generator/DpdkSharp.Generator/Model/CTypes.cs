namespace DpdkSharp.Generator.Model;

/// <summary>
/// A C type as it is written at a use site (a field, a parameter, a return, a typedef target).
/// Declarations (records, enums, typedefs) are referenced by name; the model holds them once.
/// </summary>
public abstract record CType
{
    /// <summary>The type as clang spells it (used verbatim by the C shim emitter).</summary>
    public required string Spelling { get; init; }

    /// <summary>Size and alignment in bytes from clang; -1 when incomplete (opaque, void, flexible array).</summary>
    public long Size { get; init; } = -1;
    /// <summary>Alignment in bytes from clang; -1 when incomplete.</summary>
    public long Align { get; init; } = -1;

    /// <summary>The type this one names through typedefs (itself when it is no typedef): what emitters lay out and map.</summary>
    public CType Resolved()
    {
        var t = this;
        while (t is CTypedefRef r)
        {
            t = r.Target;
        }

        return t;
    }

    /// <summary>C11 <c>_Atomic</c>: the type is the value type's (same representation on x86_64), marked so docs can say so.</summary>
    public bool IsAtomic { get; init; }

    /// <summary><c>_Atomic</c>, directly or through typedefs.</summary>
    public static bool IsAtomicType(CType t)
    {
        for (var current = t; ; current = ((CTypedefRef)current).Target)
        {
            if (current.IsAtomic)
            {
                return true;
            }

            if (current is not CTypedefRef)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// C's <c>va_list</c> (through its typedefs, or as a parameter decays it on x86_64: <c>struct __va_list_tag *</c>):
    /// only C can build one, so a function taking it is callable only with a va_list C handed over.
    /// </summary>
    public static bool IsVaList(CType t)
    {
        for (var current = t; current is CTypedefRef r; current = r.Target)
        {
            if (r.Name is "va_list" or "__gnuc_va_list" or "__builtin_va_list")
            {
                return true;
            }
        }

        return t.Resolved() is CPointerType { Pointee: CRecordRef { Name: "__va_list_tag" } } or CArrayType { Element: CRecordRef { Name: "__va_list_tag" } };
    }
}

/// <summary>The C fundamental types on x86_64 Linux (LP64). <c>char</c> keeps its signedness.</summary>
public enum CBuiltinKind
{
    /// <summary><c>void</c>.</summary>
    Void,
    /// <summary><c>_Bool</c> (<c>bool</c>), one byte.</summary>
    Bool,
    /// <summary>Plain <c>char</c> where it is signed (x86_64 by default).</summary>
    CharSigned,
    /// <summary>Plain <c>char</c> where it is unsigned (<c>-funsigned-char</c>).</summary>
    CharUnsigned,
    /// <summary><c>signed char</c>.</summary>
    SChar,
    /// <summary><c>unsigned char</c>.</summary>
    UChar,
    /// <summary><c>short</c>, 2 bytes.</summary>
    Short,
    /// <summary><c>unsigned short</c>, 2 bytes.</summary>
    UShort,
    /// <summary><c>int</c>, 4 bytes.</summary>
    Int,
    /// <summary><c>unsigned int</c>, 4 bytes.</summary>
    UInt,
    /// <summary><c>long</c>, 8 bytes on LP64.</summary>
    Long,
    /// <summary><c>unsigned long</c>, 8 bytes on LP64.</summary>
    ULong,
    /// <summary><c>long long</c>, 8 bytes.</summary>
    LongLong,
    /// <summary><c>unsigned long long</c>, 8 bytes.</summary>
    ULongLong,
    /// <summary><c>__int128</c>, 16 bytes.</summary>
    Int128,
    /// <summary><c>unsigned __int128</c>, 16 bytes.</summary>
    UInt128,
    /// <summary><c>float</c>, 4 bytes.</summary>
    Float,
    /// <summary><c>double</c>, 8 bytes.</summary>
    Double,
    /// <summary><c>long double</c>: x87 80-bit in 16 bytes, which C# has no type for.</summary>
    LongDouble,
}

/// <summary>A fundamental type (<c>int</c>, <c>unsigned long</c>, <c>double</c>, ...).</summary>
/// <param name="Kind">Which one.</param>
public sealed record CBuiltinType(CBuiltinKind Kind) : CType;

/// <summary><c>T*</c>. <see cref="PointeeIsConst"/> keeps <c>const</c> for documentation and the shim.</summary>
public sealed record CPointerType(CType Pointee, bool PointeeIsConst) : CType;

/// <summary><c>T[N]</c>; <see cref="Length"/> is 0 for <c>T[0]</c> and null for a flexible array member <c>T[]</c>.</summary>
public sealed record CArrayType(CType Element, long? Length) : CType;

/// <summary>A reference to a <see cref="CRecord"/> by its model name.</summary>
public sealed record CRecordRef(string Name) : CType;

/// <summary>A reference to a <see cref="CEnum"/> by its model name.</summary>
public sealed record CEnumRef(string Name) : CType;

/// <summary>A reference to a <see cref="CTypedef"/>; <see cref="Target"/> is what it names, chains preserved.</summary>
public sealed record CTypedefRef(string Name, CType Target) : CType;

/// <summary>A function type reached through a pointer: <c>R (*)(P...)</c>. Calling convention is cdecl.</summary>
public sealed record CFunctionPointerType(CType Return, IReadOnlyList<CType> Parameters, bool IsVariadic) : CType;

/// <summary>
/// A type C# cannot represent exactly (vector types, <c>long double</c>, ...). Kept with its size and
/// alignment so that records containing it still get exact layout (as opaque bytes) and the reason is reported.
/// </summary>
public sealed record CUnsupportedType(string Reason) : CType;
