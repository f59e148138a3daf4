using System.Runtime.CompilerServices;

namespace DpdkSharp.Bindings.Tests;

/// <summary>Paths in the source tree, found from this file's location.</summary>
internal static class RepoPaths
{
    public static string Root([CallerFilePath] string caller = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(caller)!, "..", ".."));

    /// <summary>The generation output for the installed DPDK (see eng/DpdkBindings.targets).</summary>
    public static string Generated(string version) =>
        Path.Combine(Root(), "bindings", "DpdkSharp.Bindings", "obj", $"dpdk-{version}");

    public static string InstalledVersion => Interop.BindingsVersion.Generated[..5];
}
