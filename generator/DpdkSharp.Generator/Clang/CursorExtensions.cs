using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static DpdkSharp.Generator.Clang.LibClang;

namespace DpdkSharp.Generator.Clang;

/// <summary>Small, readable accessors over libclang cursors and types.</summary>
internal static unsafe class CursorExtensions
{
    public static string Spelling(this CXCursor c) => Take(clang_getCursorSpelling(c));
    public static CXType Type(this CXCursor c) => clang_getCursorType(c);
    public static bool IsNull(this CXCursor c) => clang_Cursor_isNull(c) != 0;
    public static bool IsDefinition(this CXCursor c) => clang_isCursorDefinition(c) != 0;
    public static bool IsAttribute(this CXCursor c) => c.Kind is >= CXCursorKind.FirstAttr and <= CXCursorKind.LastAttr;

    public static string Spelling(this CXType t) => Take(clang_getTypeSpelling(t));
    public static CXType Canonical(this CXType t) => clang_getCanonicalType(t);
    public static CXCursor Declaration(this CXType t) => clang_getTypeDeclaration(t);
    public static long SizeOf(this CXType t) => clang_Type_getSizeOf(t);
    public static long AlignOf(this CXType t) => clang_Type_getAlignOf(t);

    /// <summary>The file (full path), line and file offset where the cursor's text was written (expansion location).</summary>
    public static (string File, int Line, uint Offset) Where(this CXCursor c)
    {
        nint file;
        uint line, column, offset;
        clang_getExpansionLocation(clang_getCursorLocation(c), &file, &line, &column, &offset);
        return (file == 0 ? "" : Take(clang_getFileName(file)), (int)line, offset);
    }

    /// <summary>The direct children of a cursor, in source order.</summary>
    public static List<CXCursor> Children(this CXCursor parent)
    {
        var list = new List<CXCursor>();
        var handle = GCHandle.Alloc(list);
        try { clang_visitChildren(parent, &Collect, GCHandle.ToIntPtr(handle)); }
        finally { handle.Free(); }
        return list;
    }

    [UnmanagedCallersOnly]
    private static CXChildVisitResult Collect(CXCursor cursor, CXCursor parent, nint data)
    {
        ((List<CXCursor>)GCHandle.FromIntPtr(data).Target!).Add(cursor);
        return CXChildVisitResult.Continue;
    }
}
