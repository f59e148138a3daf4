using System.Runtime.InteropServices;

namespace DpdkSharp.Generator.Clang;

// The part of libclang's C API (clang-c/Index.h, LLVM 14) the parser uses, bound by hand: ClangSharp is
// not available here, and we need only a few dozen calls. Structs mirror the C ones exactly.

[StructLayout(LayoutKind.Sequential)]
internal struct CXString { public nint Data; public uint Flags; }

[StructLayout(LayoutKind.Sequential)]
internal struct CXCursor { public CXCursorKind Kind; public int Xdata; public nint Data0, Data1, Data2; }

[StructLayout(LayoutKind.Sequential)]
internal struct CXType { public CXTypeKind Kind; public nint Data0, Data1; }

[StructLayout(LayoutKind.Sequential)]
internal struct CXSourceLocation { public nint Ptr0, Ptr1; public uint IntData; }

[StructLayout(LayoutKind.Sequential)]
internal struct CXSourceRange { public nint Ptr0, Ptr1; public uint BeginInt, EndInt; }

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CXUnsavedFile { public byte* Filename; public byte* Contents; public nuint Length; }

[StructLayout(LayoutKind.Sequential)]
internal struct CXPlatformAvailability
{
    public CXString Platform;
    public int IntroducedMajor, IntroducedMinor, IntroducedSubminor;
    public int DeprecatedMajor, DeprecatedMinor, DeprecatedSubminor;
    public int ObsoletedMajor, ObsoletedMinor, ObsoletedSubminor;
    public int Unavailable;
    public CXString Message;
}

internal enum CXCursorKind
{
    StructDecl = 2, UnionDecl = 3, EnumDecl = 5, FieldDecl = 6, EnumConstantDecl = 7, FunctionDecl = 8,
    VarDecl = 9, ParmDecl = 10, TypedefDecl = 20,
    UnexposedExpr = 100, StringLiteral = 109, ParenExpr = 111, CStyleCastExpr = 117,
    FirstAttr = 400, UnexposedAttr = 400, PackedAttr = 408, AlignedAttr = 441, LastAttr = 441,
    MacroDefinition = 501,
}

internal enum CXTypeKind
{
    Invalid = 0, Unexposed = 1, Void = 2, Bool = 3, Char_U = 4, UChar = 5, Char16 = 6, Char32 = 7, UShort = 8,
    UInt = 9, ULong = 10, ULongLong = 11, UInt128 = 12, Char_S = 13, SChar = 14, WChar = 15, Short = 16,
    Int = 17, Long = 18, LongLong = 19, Int128 = 20, Float = 21, Double = 22, LongDouble = 23,
    Float128 = 30, Half = 31, Float16 = 32, BFloat16 = 39,
    Complex = 100, Pointer = 101, Record = 105, Enum = 106, Typedef = 107, FunctionNoProto = 110,
    FunctionProto = 111, ConstantArray = 112, Vector = 113, IncompleteArray = 114, VariableArray = 115,
    Elaborated = 119, Attributed = 163, ExtVector = 176, Atomic = 177,
}

internal enum CXChildVisitResult { Break = 0, Continue = 1, Recurse = 2 }

internal enum CXEvalResultKind { Int = 1, Float = 2, ObjCStrLiteral = 3, StrLiteral = 4, CFStr = 5, Other = 6, UnExposed = 0 }

internal static unsafe partial class LibClang
{
    public const string Library = "libclang";

    public const uint DetailedPreprocessingRecord = 0x01, SkipFunctionBodies = 0x40, KeepGoing = 0x200;
    public const int SeverityError = 3;
    public const int StorageExtern = 2, StorageStatic = 3;

    [LibraryImport(Library)] public static partial nint clang_createIndex(int excludeDeclarationsFromPch, int displayDiagnostics);
    [LibraryImport(Library)] public static partial void clang_disposeIndex(nint index);
    [LibraryImport(Library)]
    public static partial int clang_parseTranslationUnit2(nint index, byte* sourceFilename, byte** args, int numArgs,
        CXUnsavedFile* unsavedFiles, uint numUnsaved, uint options, nint* translationUnit);
    [LibraryImport(Library)] public static partial void clang_disposeTranslationUnit(nint tu);

    [LibraryImport(Library)] public static partial uint clang_getNumDiagnostics(nint tu);
    [LibraryImport(Library)] public static partial nint clang_getDiagnostic(nint tu, uint index);
    [LibraryImport(Library)] public static partial int clang_getDiagnosticSeverity(nint diagnostic);
    [LibraryImport(Library)] public static partial CXString clang_formatDiagnostic(nint diagnostic, uint options);
    [LibraryImport(Library)] public static partial void clang_disposeDiagnostic(nint diagnostic);

    [LibraryImport(Library)] public static partial byte* clang_getCString(CXString s);
    [LibraryImport(Library)] public static partial CXString clang_getClangVersion();
    [LibraryImport(Library)] public static partial void clang_disposeString(CXString s);

    [LibraryImport(Library)] public static partial CXCursor clang_getTranslationUnitCursor(nint tu);
    [LibraryImport(Library)]
    public static partial uint clang_visitChildren(CXCursor parent,
        delegate* unmanaged<CXCursor, CXCursor, nint, CXChildVisitResult> visitor, nint clientData);
    [LibraryImport(Library)] public static partial CXString clang_getCursorSpelling(CXCursor c);
    [LibraryImport(Library)] public static partial CXType clang_getCursorType(CXCursor c);
    [LibraryImport(Library)] public static partial CXSourceLocation clang_getCursorLocation(CXCursor c);
    [LibraryImport(Library)] public static partial CXSourceRange clang_getCursorExtent(CXCursor c);
    [LibraryImport(Library)] public static partial uint clang_isCursorDefinition(CXCursor c);
    [LibraryImport(Library)] public static partial CXCursor clang_getCursorDefinition(CXCursor c);
    [LibraryImport(Library)] public static partial uint clang_Cursor_isNull(CXCursor c);
    [LibraryImport(Library)] public static partial uint clang_Cursor_isAnonymous(CXCursor c);
    [LibraryImport(Library)] public static partial uint clang_Cursor_isAnonymousRecordDecl(CXCursor c);
    [LibraryImport(Library)] public static partial uint clang_Cursor_isBitField(CXCursor c);
    [LibraryImport(Library)] public static partial int clang_getFieldDeclBitWidth(CXCursor c);
    [LibraryImport(Library)] public static partial long clang_Cursor_getOffsetOfField(CXCursor c);
    [LibraryImport(Library)] public static partial int clang_Cursor_getStorageClass(CXCursor c);
    [LibraryImport(Library)] public static partial int clang_getCursorTLSKind(CXCursor c);
    [LibraryImport(Library)] public static partial int clang_Cursor_getNumArguments(CXCursor c);
    [LibraryImport(Library)] public static partial CXCursor clang_Cursor_getArgument(CXCursor c, uint i);
    [LibraryImport(Library)] public static partial CXType clang_getEnumDeclIntegerType(CXCursor c);
    [LibraryImport(Library)] public static partial long clang_getEnumConstantDeclValue(CXCursor c);
    [LibraryImport(Library)] public static partial ulong clang_getEnumConstantDeclUnsignedValue(CXCursor c);
    [LibraryImport(Library)] public static partial CXType clang_getTypedefDeclUnderlyingType(CXCursor c);
    [LibraryImport(Library)] public static partial CXString clang_Cursor_getRawCommentText(CXCursor c);
    [LibraryImport(Library)] public static partial uint clang_Cursor_isMacroFunctionLike(CXCursor c);
    [LibraryImport(Library)] public static partial uint clang_isInvalidDeclaration(CXCursor c);
    [LibraryImport(Library)] public static partial uint clang_Cursor_hasAttrs(CXCursor c);
    [LibraryImport(Library)]
    public static partial int clang_getCursorPlatformAvailability(CXCursor c, int* alwaysDeprecated, CXString* deprecatedMessage,
        int* alwaysUnavailable, CXString* unavailableMessage, CXPlatformAvailability* availability, int availabilitySize);

    [LibraryImport(Library)] public static partial nint clang_Cursor_Evaluate(CXCursor c);
    [LibraryImport(Library)] public static partial CXEvalResultKind clang_EvalResult_getKind(nint e);
    [LibraryImport(Library)] public static partial uint clang_EvalResult_isUnsignedInt(nint e);
    [LibraryImport(Library)] public static partial long clang_EvalResult_getAsLongLong(nint e);
    [LibraryImport(Library)] public static partial ulong clang_EvalResult_getAsUnsigned(nint e);
    [LibraryImport(Library)] public static partial double clang_EvalResult_getAsDouble(nint e);
    [LibraryImport(Library)] public static partial void clang_EvalResult_dispose(nint e);

    [LibraryImport(Library)] public static partial CXString clang_getTypeSpelling(CXType t);
    [LibraryImport(Library)] public static partial CXType clang_getCanonicalType(CXType t);
    [LibraryImport(Library)] public static partial CXCursor clang_getTypeDeclaration(CXType t);
    [LibraryImport(Library)] public static partial CXType clang_getPointeeType(CXType t);
    [LibraryImport(Library)] public static partial CXType clang_getArrayElementType(CXType t);
    [LibraryImport(Library)] public static partial long clang_getArraySize(CXType t);
    [LibraryImport(Library)] public static partial long clang_Type_getSizeOf(CXType t);
    [LibraryImport(Library)] public static partial long clang_Type_getAlignOf(CXType t);
    [LibraryImport(Library)] public static partial long clang_Type_getOffsetOf(CXType t, byte* field);
    [LibraryImport(Library)] public static partial CXType clang_getResultType(CXType t);
    [LibraryImport(Library)] public static partial int clang_getNumArgTypes(CXType t);
    [LibraryImport(Library)] public static partial CXType clang_getArgType(CXType t, uint i);
    [LibraryImport(Library)] public static partial uint clang_isFunctionTypeVariadic(CXType t);
    [LibraryImport(Library)] public static partial uint clang_isConstQualifiedType(CXType t);
    [LibraryImport(Library)] public static partial uint clang_isVolatileQualifiedType(CXType t);
    [LibraryImport(Library)] public static partial CXType clang_Type_getNamedType(CXType t);
    [LibraryImport(Library)] public static partial CXType clang_Type_getValueType(CXType t);
    [LibraryImport(Library)] public static partial CXType clang_Type_getModifiedType(CXType t);

    [LibraryImport(Library)] public static partial void clang_getSpellingLocation(CXSourceLocation l, nint* file, uint* line, uint* column, uint* offset);
    [LibraryImport(Library)] public static partial void clang_getExpansionLocation(CXSourceLocation l, nint* file, uint* line, uint* column, uint* offset);
    [LibraryImport(Library)] public static partial CXString clang_getFileName(nint file);
    [LibraryImport(Library)] public static partial CXSourceLocation clang_getRangeStart(CXSourceRange r);
    [LibraryImport(Library)] public static partial CXSourceLocation clang_getRangeEnd(CXSourceRange r);

    /// <summary>Copies a CXString into managed memory and frees it (every CXString must be disposed).</summary>
    public static string Take(CXString s)
    {
        try { return Marshal.PtrToStringUTF8((nint)clang_getCString(s)) ?? ""; }
        finally { clang_disposeString(s); }
    }
}
