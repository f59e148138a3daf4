using static DpdkSharp.Generator.Clang.LibClang;

namespace DpdkSharp.Generator.Clang;

/// <summary>
/// Source text by clang location, from files read once. Reading text by offset is how the parser looks at
/// attribute and macro spellings: clang_tokenize on extents from macro expansions was measured at 35 s for
/// DPDK, and it splits some operators (<c>&lt;&lt;</c>) into single characters.
/// </summary>
internal sealed unsafe class SourceFiles
{
    private readonly Dictionary<nint, string> _files = [];

    /// <summary>The text a range covers where it was written; a range that ends where it starts is one identifier.</summary>
    public string Text(CXSourceRange range)
    {
        nint startFile, endFile;
        uint line, column, start, end;
        clang_getExpansionLocation(clang_getRangeStart(range), &startFile, &line, &column, &start);
        clang_getExpansionLocation(clang_getRangeEnd(range), &endFile, &line, &column, &end);
        if (startFile == 0 || startFile != endFile)
            return "";
        if (!_files.TryGetValue(startFile, out var text))
        {
            var path = Take(clang_getFileName(startFile));
            _files[startFile] = text = File.Exists(path) ? File.ReadAllText(path) : "";
        }
        if (start >= text.Length)
            return "";
        var stop = end > start ? (int)end : (int)start + IdentifierLength(text, (int)start);
        return text[(int)start..Math.Min(stop, text.Length)];
    }

    private static int IdentifierLength(string text, int start)
    {
        var i = start;
        while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
            i++;
        return i - start;
    }
}
