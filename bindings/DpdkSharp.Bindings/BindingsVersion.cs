using System.Runtime.InteropServices;

namespace DpdkSharp.Interop;

/// <summary>
/// The version stamp of the bindings: the DPDK version (and build configuration) they were generated
/// from, taken from the headers' own macros, and the check that the DPDK loaded at run time is that one.
/// Struct layouts change between DPDK releases (rte_mbuf, rte_eth_link, ...), so a mismatch is refused
/// rather than risked.
/// </summary>
public static class BindingsVersion
{
    /// <summary>"YY.MM.minor" of the headers the bindings were generated from.</summary>
    public static string Generated { get; } = $"{Dpdk.RTE_VER_YEAR}.{Dpdk.RTE_VER_MONTH:D2}.{Dpdk.RTE_VER_MINOR}";

    /// <summary>The build configuration that shapes layouts, as generated (from rte_build_config.h).</summary>
    public static string BuildConfig { get; } =
        $"cache line {Dpdk.RTE_CACHE_LINE_SIZE}, max ethports {Dpdk.RTE_MAX_ETHPORTS}, max lcores {Dpdk.RTE_MAX_LCORE}";

    /// <summary>The version string of the DPDK library loaded at run time (<c>rte_version()</c>, e.g. "DPDK 22.11.11").</summary>
    public static unsafe string Loaded => Marshal.PtrToStringUTF8((nint)Dpdk.rte_version()) ?? "";

    /// <summary>Throws when <paramref name="loadedVersion"/> (as <c>rte_version()</c> prints it) is not the generated version.</summary>
    public static void EnsureMatches(string loadedVersion)
    {
        var loaded = loadedVersion.StartsWith("DPDK ", StringComparison.Ordinal) ? loadedVersion[5..] : loadedVersion;
        var numeric = new string(loaded.TakeWhile(c => char.IsDigit(c) || c == '.').ToArray());
        if (numeric != Generated)
        {
            throw new BindingsVersionMismatchException(Generated, loadedVersion);
        }
    }

    /// <summary>Checks the DPDK actually loaded in this process.</summary>
    public static void EnsureLoadedMatches() => EnsureMatches(Loaded);
}

/// <summary>The DPDK loaded at run time is not the one the bindings were generated from.</summary>
public sealed class BindingsVersionMismatchException(string generated, string loaded) : Exception(
    $"DpdkSharp bindings were generated for DPDK {generated} ({BindingsVersion.BuildConfig}), but the loaded " +
    $"library is '{loaded}'. Regenerate the bindings for the DPDK you run. From the DpdkSharp packages: set " +
    $"<DpdkSharpRegenerateBindings>true</DpdkSharpRegenerateBindings> in your application's project and rebuild it " +
    $"where that DPDK's development files (libdpdk-dev), gcc and libclang 14 are installed; the build then generates " +
    $"the bindings and the native shim for that DPDK. From the DpdkSharp sources: install its libdpdk-dev and " +
    $"rebuild (dotnet build bindings/DpdkSharp.Bindings), or build with -p:DpdkVersion=<YY.MM> for a version " +
    $"fetched with eng/fetch-dpdk-headers.sh.")
{
    public string GeneratedVersion { get; } = generated;
    public string LoadedVersion { get; } = loaded;
}
