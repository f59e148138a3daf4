using static DpdkSharp.Generator.Clang.LibClang;

namespace DpdkSharp.Generator.Clang;

/// <summary>
/// Source text by clang location, from files read once. Reading text by offset is how the parser looks at
/// attribute and macro spellings: clang_tokenize on extents from macro expansions was measured at 35 s for
/// DPDK, and it splits some operators (<c>&lt;&lt;</c>) into single characters.
/// </summary>
internal sealed unsafe class SourceFiles
{
    // Bytes, not strings: clang's offsets count bytes, and DPDK's headers have UTF-8 in comments.
    private readonly Dictionary<nint, byte[]> _files = [];

    /// <summary>The text a range covers where it was written; a range that ends where it starts is one identifier.</summary>
    public string Text(CXSourceRange range)
    {
        nint startFile, endFile;
        uint line, column, start, end;
        clang_getExpansionLocation(clang_getRangeStart(range), &startFile, &line, &column, &start);
        clang_getExpansionLocation(clang_getRangeEnd(range), &endFile, &line, &column, &end);
        if (startFile == 0 || startFile != endFile)
        {
            return "";
        }

        var text = Contents(startFile);
        if (start >= text.Length)
        {
            return "";
        }

        var stop = end > start ? (int)end : (int)start + IdentifierLength(text, (int)start);
        return Decode(text, (int)start, Math.Min(stop, text.Length));
    }

    /// <summary>
    /// The attribute (<c>name</c> or <c>name(arguments)</c>) spelled at the start of <paramref name="range"/>: inside
    /// the macro definition when the attribute comes from a macro such as <c>__rte_experimental</c>. Only the start
    /// is usable there: libclang moves the end of a macro-expanded range to the expansion site.
    /// </summary>
    public string SpelledAttribute(CXSourceRange range)
    {
        nint file;
        uint line, column, offset;
        clang_getSpellingLocation(clang_getRangeStart(range), &file, &line, &column, &offset);
        if (file == 0)
        {
            return "";
        }

        var text = Contents(file);
        var i = (int)offset;
        if (i >= text.Length)
        {
            return "";
        }

        i += IdentifierLength(text, i);
        while (i < text.Length && char.IsWhiteSpace((char)text[i]))
        {
            i++;
        }

        if (i < text.Length && text[i] == '(')
        {
            i = AfterBalancedParentheses(text, i);
        }

        return Decode(text, (int)offset, i);
    }

    private byte[] Contents(nint file)
    {
        if (!_files.TryGetValue(file, out var text))
        {
            var path = Take(clang_getFileName(file));
            _files[file] = text = File.Exists(path) ? File.ReadAllBytes(path) : [];
        }
        return text;
    }

    private static string Decode(byte[] text, int start, int stop) => System.Text.Encoding.UTF8.GetString(text, start, stop - start);

    private static int IdentifierLength(byte[] text, int start)
    {
        var i = start;
        while (i < text.Length && (char.IsAsciiLetterOrDigit((char)text[i]) || text[i] == '_'))
        {
            i++;
        }

        return i - start;
    }

    /// <summary>The index just past the parenthesis that closes the one at <paramref name="open"/>, skipping string literals.</summary>
    private static int AfterBalancedParentheses(byte[] text, int open)
    {
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            switch ((char)text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')' when --depth == 0:
                    return i + 1;
                case '"':
                    for (i++; i < text.Length && text[i] != '"'; i++)
                    {
                        if (text[i] == '\\')
                        {
                            i++;
                        }
                    }

                    break;
            }
        }
        return text.Length;
    }
}
