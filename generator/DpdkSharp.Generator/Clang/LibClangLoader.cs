using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace DpdkSharp.Generator.Clang;

/// <summary>Finds Debian's libclang 14 (or another libclang) and explains how to install it when absent.</summary>
internal static class LibClangLoader
{
    /// <summary>Tried in order: Debian's libclang1-14 names first, then generic ones.</summary>
    public static readonly string[] Candidates =
    [
        "libclang-14.so.1", "libclang-14.so", "/usr/lib/llvm-14/lib/libclang.so.1", "/usr/lib/llvm-14/lib/libclang-14.so.1",
        "libclang.so.1", "libclang.so",
    ];

    private static nint _handle;
    private static int _resolverInstalled;

    /// <summary>
    /// Routes this assembly's "libclang" imports to <see cref="Load()"/> and loads it now, so a missing libclang
    /// is reported before any parsing starts.
    /// </summary>
    public static void EnsureLoaded()
    {
        if (Interlocked.Exchange(ref _resolverInstalled, 1) == 0)
        {
            NativeLibrary.SetDllImportResolver(typeof(LibClangLoader).Assembly, (name, _, _) => name == LibClang.Library ? Load() : 0);
        }

        Load();
    }

    public static nint Load()
    {
        if (_handle == 0)
        {
            _handle = Load(Candidates);
        }

        return _handle;
    }

    /// <summary>
    /// clang's builtin headers (stddef.h, ...) for the libclang loaded, <c>clang/&lt;version&gt;/</c> in its LLVM library
    /// directory. libclang guesses that from where its file is, which Debian's layout defeats (the file is in
    /// /usr/lib/x86_64-linux-gnu/, the headers under /usr/lib/llvm-14/lib/): so the loaded file's directory and its
    /// link targets' are tried, then LLVM's Debian prefix for the version libclang reports. Null when none has them.
    /// </summary>
    public static unsafe string? ResourceDirectory()
    {
        var version = Regex.Match(LibClang.Take(LibClang.clang_getClangVersion()), @"(\d+)\.(\d+)\.(\d+)");
        var places = new List<string>();
        DlInfo info;
        if (dladdr((void*)NativeLibrary.GetExport(Load(), "clang_createIndex"), &info) != 0 && info.FileName != 0)
        {
            for (FileSystemInfo? file = new FileInfo(Marshal.PtrToStringUTF8(info.FileName)!); file is not null; file = file.ResolveLinkTarget(false))
            {
                places.Add(Path.GetDirectoryName(Path.GetFullPath(file.FullName))!);
            }
        }

        if (version.Success)
        {
            places.Add($"/usr/lib/llvm-{version.Groups[1].Value}/lib");
        }

        foreach (var root in places.Select(p => Path.Combine(p, "clang")).Where(Directory.Exists))
        {
            var dirs = Directory.GetDirectories(root).Where(d => File.Exists(Path.Combine(d, "include", "stddef.h"))).ToList();
            if (dirs.Count > 0)
            {
                return dirs.FirstOrDefault(d => Path.GetFileName(d) == version.Value || Path.GetFileName(d) == version.Groups[1].Value) ?? dirs.Order().Last();
            }
        }
        return null;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct DlInfo { public nint FileName, FileBase, SymbolName, SymbolAddress; }

    [DllImport("libc", EntryPoint = "dladdr")]
    private static extern unsafe int dladdr(void* address, DlInfo* info);

    /// <summary>The first candidate that loads; separate from the cached handle so the failure message can be tested.</summary>
    internal static nint Load(IReadOnlyList<string> candidates)
    {
        foreach (var candidate in candidates)
        {
            if (NativeLibrary.TryLoad(candidate, out var handle))
            {
                return handle;
            }
        }

        throw new GeneratorException(
            "libclang 14 was not found (tried " + string.Join(", ", candidates) + "). " +
            "Install Debian's packages libclang-14-dev and libclang1-14 (eng/setup.sh does): sudo bash eng/setup.sh");
    }
}
