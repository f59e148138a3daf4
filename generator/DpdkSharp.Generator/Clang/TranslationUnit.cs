using System.Runtime.InteropServices;
using System.Text;
using static DpdkSharp.Generator.Clang.LibClang;

namespace DpdkSharp.Generator.Clang;

/// <summary>One parsed translation unit; owns the libclang index and unit and frees both.</summary>
internal sealed unsafe class TranslationUnit : IDisposable
{
    private nint _index;
    public nint Handle { get; private set; }

    private TranslationUnit(nint index, nint handle) { _index = index; Handle = handle; }

    /// <summary>
    /// Parses <paramref name="contents"/> as an in-memory C file named <paramref name="fileName"/>. Errors and
    /// fatal diagnostics (unless <paramref name="tolerateErrors"/>) raise a <see cref="GeneratorException"/>
    /// listing each as file:line:col.
    /// </summary>
    public static TranslationUnit Parse(string fileName, string contents, IReadOnlyList<string> args, uint options, bool tolerateErrors)
    {
        var index = clang_createIndex(0, 0);
        var strings = new List<nint>();
        try
        {
            nint Utf8(string s) { var p = Marshal.StringToCoTaskMemUTF8(s); strings.Add(p); return p; }
            var argv = stackalloc byte*[args.Count];
            for (var i = 0; i < args.Count; i++)
            {
                argv[i] = (byte*)Utf8(args[i]);
            }

            var unsaved = new CXUnsavedFile
            {
                Filename = (byte*)Utf8(fileName),
                Contents = (byte*)Utf8(contents),
                Length = (nuint)Encoding.UTF8.GetByteCount(contents),
            };
            nint tu;
            var error = clang_parseTranslationUnit2(index, unsaved.Filename, argv, args.Count, &unsaved, 1, options, &tu);
            if (error != 0 || tu == 0)
            {
                throw new GeneratorException($"libclang could not parse {fileName} (CXErrorCode {error}); arguments: {string.Join(' ', args)}");
            }

            var unit = new TranslationUnit(index, tu);
            index = 0;
            if (!tolerateErrors)
            {
                unit.ThrowOnErrors();
            }

            return unit;
        }
        finally
        {
            foreach (var s in strings)
            {
                Marshal.FreeCoTaskMem(s);
            }

            if (index != 0)
            {
                clang_disposeIndex(index);
            }
        }
    }

    /// <summary>Diagnostics of severity error or fatal, formatted with their source location.</summary>
    public List<string> Errors()
    {
        var errors = new List<string>();
        var count = clang_getNumDiagnostics(Handle);
        for (uint i = 0; i < count; i++)
        {
            var d = clang_getDiagnostic(Handle, i);
            if (clang_getDiagnosticSeverity(d) >= SeverityError)
            {
                errors.Add(Take(clang_formatDiagnostic(d, 0x1 | 0x2))); // "file:line:col: error: message" (no ranges)
            }

            clang_disposeDiagnostic(d);
        }
        return errors;
    }

    /// <summary>Every error at once (up to a screenful), so one run shows what to fix.</summary>
    private void ThrowOnErrors()
    {
        const int shown = 50;
        var errors = Errors();
        if (errors.Count == 0)
        {
            return;
        }

        var more = errors.Count > shown ? $"{Environment.NewLine}  ... and {errors.Count - shown} more" : "";
        throw new GeneratorException($"clang reported {errors.Count} error(s):{Environment.NewLine}  " +
            string.Join(Environment.NewLine + "  ", errors.Take(shown)) + more);
    }

    public CXCursor Cursor => clang_getTranslationUnitCursor(Handle);

    public void Dispose()
    {
        if (Handle != 0) { clang_disposeTranslationUnit(Handle); Handle = 0; }
        if (_index != 0) { clang_disposeIndex(_index); _index = 0; }
    }
}
