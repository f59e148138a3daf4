using System.Runtime.InteropServices;

namespace DpdkSharp.Interop;

/// <summary>
/// Entry points of the hand-written part of the shim (<c>native/shim_extra.c</c>): what C reaches through
/// macros, per-lcore thread-locals or varargs.
/// </summary>
public static unsafe partial class Dpdk
{
    /// <summary>The calling thread's <c>rte_errno</c> (a per-lcore variable behind a macro in C).</summary>
    [LibraryImport("dpdksharp_shim", EntryPoint = "dpdksharp_rte_errno_get"), SuppressGCTransition]
    public static partial int rte_errno_get();

    [LibraryImport("dpdksharp_shim", EntryPoint = "dpdksharp_rte_errno_set"), SuppressGCTransition]
    public static partial void rte_errno_set(int value);

    /// <summary>Fixed-arity <c>rte_log(level, logtype, "%s\n", message)</c>: C# formats, DPDK logs.</summary>
    [LibraryImport("dpdksharp_shim", EntryPoint = "dpdksharp_rte_log_message")]
    public static partial int rte_log_message(uint level, uint logtype, byte* message);
}
