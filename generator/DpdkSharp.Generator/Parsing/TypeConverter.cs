using DpdkSharp.Generator.Clang;
using DpdkSharp.Generator.Model;
using static DpdkSharp.Generator.Clang.LibClang;

namespace DpdkSharp.Generator.Parsing;

/// <summary>
/// Maps clang types to model types, asking the <see cref="DeclarationWalker"/> to model every record, enum
/// and typedef a type names. Size, alignment and spelling always come from clang.
/// </summary>
internal sealed class TypeConverter(DeclarationWalker walker)
{
    public CType Convert(CXType t)
    {
        var converted = ConvertCore(t);
        return converted with { Spelling = Spelling(t), Size = Normalize(t.SizeOf()), Align = Normalize(t.AlignOf()) };
    }

    /// <summary>
    /// clang's spelling, except for unnamed records and enums, which clang 14 spells as no C compiler reads them:
    /// <c>typedef union { ... } word_t;</c>'s type as "union word_t", a field's <c>struct { ... } pos;</c> as
    /// "struct (unnamed struct at ...)".
    /// </summary>
    private string Spelling(CXType t)
    {
        var bare = DeclarationWalker.Desugar(t);
        if (bare.Kind is CXTypeKind.Record or CXTypeKind.Enum && walker.UnnamedSpellingOf(bare.Declaration()) is { } name)
        {
            return (clang_isConstQualifiedType(t) != 0 ? "const " : "") + (clang_isVolatileQualifiedType(t) != 0 ? "volatile " : "") + name;
        }

        return t.Spelling();
    }

    private static long Normalize(long clangValue) => clangValue < 0 ? -1 : clangValue;

    private CType ConvertCore(CXType t)
    {
        switch (t.Kind)
        {
            case CXTypeKind.Elaborated:
                return Convert(clang_Type_getNamedType(t));
            case CXTypeKind.Attributed:
                return Convert(clang_Type_getModifiedType(t));
            case CXTypeKind.Atomic: // _Atomic T has T's representation on x86_64; marked for the docs
                return Convert(clang_Type_getValueType(t)) with { IsAtomic = true };
            case CXTypeKind.Typedef:
            {
                var decl = t.Declaration();
                var typedef = walker.EnsureTypedef(decl);
                return new CTypedefRef(typedef.Name, typedef.Target) { Spelling = "" };
            }
            case CXTypeKind.Record:
                return new CRecordRef(walker.EnsureRecord(t.Declaration(), null).Name) { Spelling = "" };
            case CXTypeKind.Enum:
                return new CEnumRef(walker.EnsureEnum(t.Declaration(), null).Name) { Spelling = "" };
            case CXTypeKind.Pointer:
            {
                var pointee = clang_getPointeeType(t);
                if (pointee.Canonical().Kind is CXTypeKind.FunctionProto or CXTypeKind.FunctionNoProto)
                    {
                        return Function(pointee);
                    }

                    return new CPointerType(Convert(pointee), clang_isConstQualifiedType(pointee) != 0) { Spelling = "" };
            }
            case CXTypeKind.ConstantArray:
                return new CArrayType(Convert(clang_getArrayElementType(t)), clang_getArraySize(t)) { Spelling = "" };
            case CXTypeKind.IncompleteArray:
                return new CArrayType(Convert(clang_getArrayElementType(t)), null) { Spelling = "" };
            case CXTypeKind.FunctionProto or CXTypeKind.FunctionNoProto:
                return Function(t);
            case CXTypeKind.Vector or CXTypeKind.ExtVector:
                return new CUnsupportedType("vector type (SIMD): no exact C# equivalent") { Spelling = "" };
            case CXTypeKind.LongDouble or CXTypeKind.Float128 or CXTypeKind.Half or CXTypeKind.Float16 or CXTypeKind.BFloat16:
                return new CUnsupportedType($"floating type {t.Spelling()}: no exact C# equivalent") { Spelling = "" };
            case CXTypeKind.Complex:
                return new CUnsupportedType("complex type: no C# equivalent") { Spelling = "" };
            case CXTypeKind.VariableArray:
                return new CUnsupportedType("variable-length array") { Spelling = "" };
            case CXTypeKind.Unexposed:
            {
                var canonical = t.Canonical();
                return canonical.Kind != CXTypeKind.Unexposed
                    ? Convert(canonical)
                    : new CUnsupportedType($"type clang does not expose: {t.Spelling()}") { Spelling = "" };
            }
            default:
                return Builtin(t.Kind) is { } kind
                    ? new CBuiltinType(kind) { Spelling = "" }
                    : new CUnsupportedType($"unsupported type kind {t.Kind}: {t.Spelling()}") { Spelling = "" };
        }
    }

    /// <summary>
    /// A function type, read from the type as written (libclang's function queries look through typedefs and
    /// parentheses), so parameters keep their typedef names: uint64_t stays uint64_t, not unsigned long.
    /// </summary>
    private CFunctionPointerType Function(CXType f)
    {
        var parameters = new List<CType>();
        var variadic = false;
        if (f.Canonical().Kind == CXTypeKind.FunctionProto)
        {
            var count = clang_getNumArgTypes(f);
            for (uint i = 0; i < count; i++)
            {
                parameters.Add(Convert(clang_getArgType(f, i)));
            }

            variadic = clang_isFunctionTypeVariadic(f) != 0;
        }
        return new CFunctionPointerType(Convert(clang_getResultType(f)), parameters, variadic) { Spelling = "" };
    }

    public static CBuiltinKind? Builtin(CXTypeKind kind) => kind switch
    {
        CXTypeKind.Void => CBuiltinKind.Void,
        CXTypeKind.Bool => CBuiltinKind.Bool,
        CXTypeKind.Char_S => CBuiltinKind.CharSigned,
        CXTypeKind.Char_U => CBuiltinKind.CharUnsigned,
        CXTypeKind.SChar => CBuiltinKind.SChar,
        CXTypeKind.UChar => CBuiltinKind.UChar,
        CXTypeKind.Short => CBuiltinKind.Short,
        CXTypeKind.UShort => CBuiltinKind.UShort,
        CXTypeKind.Int => CBuiltinKind.Int,
        CXTypeKind.UInt => CBuiltinKind.UInt,
        CXTypeKind.Long => CBuiltinKind.Long,
        CXTypeKind.ULong => CBuiltinKind.ULong,
        CXTypeKind.LongLong => CBuiltinKind.LongLong,
        CXTypeKind.ULongLong => CBuiltinKind.ULongLong,
        CXTypeKind.Int128 => CBuiltinKind.Int128,
        CXTypeKind.UInt128 => CBuiltinKind.UInt128,
        CXTypeKind.Float => CBuiltinKind.Float,
        CXTypeKind.Double => CBuiltinKind.Double,
        CXTypeKind.WChar => CBuiltinKind.Int,
        CXTypeKind.Char16 => CBuiltinKind.UShort,
        CXTypeKind.Char32 => CBuiltinKind.UInt,
        _ => null,
    };
}
