using System.Runtime.InteropServices;

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
            NativeLibrary.SetDllImportResolver(typeof(LibClangLoader).Assembly, (name, _, _) => name == LibClang.Library ? Load() : 0);
        Load();
    }

    public static nint Load()
    {
        if (_handle == 0)
            _handle = Load(Candidates);
        return _handle;
    }

    /// <summary>The first candidate that loads; separate from the cached handle so the failure message can be tested.</summary>
    internal static nint Load(IReadOnlyList<string> candidates)
    {
        foreach (var candidate in candidates)
            if (NativeLibrary.TryLoad(candidate, out var handle))
                return handle;
        throw new GeneratorException(
            "libclang 14 was not found (tried " + string.Join(", ", candidates) + "). " +
            "Install Debian's packages libclang-14-dev and libclang1-14 (eng/setup.sh does): sudo bash eng/setup.sh");
    }
}
