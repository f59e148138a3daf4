using System.Runtime.InteropServices;

namespace DpdkSharp.Interop;

/// <summary>
/// Entry points of the hand-written part of the shim (<c>native/shim_extra.c</c>): what C reaches through
/// macros, per-lcore thread-locals or varargs, and functions whose signatures changed between DPDK releases,
/// behind one signature for every release.
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

    /// <summary>
    /// A stream for <c>rte_openlog_stream</c> whose writes call <paramref name="sink"/>(level, logtype, text, length) with
    /// the level and type of the message (<c>rte_log_cur_msg_loglevel/logtype</c>); one call per message. Null on failure.
    /// The sink must stay callable for the life of the process.
    /// </summary>
    [LibraryImport("dpdksharp_shim", EntryPoint = "dpdksharp_log_stream_open")]
    public static partial FILE* log_stream_open(delegate* unmanaged<uint, uint, byte*, nuint, void> sink);

    /// <summary>Starts capturing file descriptors 1 and 2 into a memory file; returns it, or -1. Pair with <see cref="stdio_capture_end"/>.</summary>
    [LibraryImport("dpdksharp_shim", EntryPoint = "dpdksharp_stdio_capture_begin")]
    public static partial int stdio_capture_begin(int* savedOut, int* savedError);

    /// <summary>Restores descriptors 1 and 2, copies up to <paramref name="capacity"/> captured bytes; returns the captured total.</summary>
    [LibraryImport("dpdksharp_shim", EntryPoint = "dpdksharp_stdio_capture_end")]
    public static partial nint stdio_capture_end(int file, int savedOut, int savedError, byte* buffer, nuint capacity);

    /// <summary>
    /// <c>rte_pcapng_copy</c> in any release: <paramref name="tsc"/> is the packet's TSC timestamp, which 22.11 takes
    /// and later releases read themselves; <paramref name="direction"/> is an <c>rte_pcapng_direction</c>.
    /// </summary>
    [LibraryImport("dpdksharp_shim", EntryPoint = "dpdksharp_pcapng_copy")]
    public static partial rte_mbuf* pcapng_copy(ushort port_id, uint queue, rte_mbuf* m, rte_mempool* mp, uint length, ulong tsc, uint direction);

    /// <summary><c>rte_lpm6_add</c> in any release: <paramref name="ip"/> is 16 bytes.</summary>
    [LibraryImport("dpdksharp_shim", EntryPoint = "dpdksharp_lpm6_add")]
    public static partial int lpm6_add(rte_lpm6* lpm, byte* ip, byte depth, uint next_hop);

    /// <summary><c>rte_lpm6_delete</c> in any release: <paramref name="ip"/> is 16 bytes.</summary>
    [LibraryImport("dpdksharp_shim", EntryPoint = "dpdksharp_lpm6_delete")]
    public static partial int lpm6_delete(rte_lpm6* lpm, byte* ip, byte depth);

    /// <summary><c>rte_lpm6_lookup</c> in any release: <paramref name="ip"/> is 16 bytes.</summary>
    [LibraryImport("dpdksharp_shim", EntryPoint = "dpdksharp_lpm6_lookup"), SuppressGCTransition]
    public static partial int lpm6_lookup(rte_lpm6* lpm, byte* ip, uint* next_hop);

    /// <summary><c>rte_lpm6_lookup_bulk_func</c> in any release: <paramref name="ips"/> holds <paramref name="n"/> addresses of 16 bytes back to back.</summary>
    [LibraryImport("dpdksharp_shim", EntryPoint = "dpdksharp_lpm6_lookup_bulk"), SuppressGCTransition]
    public static partial int lpm6_lookup_bulk(rte_lpm6* lpm, byte* ips, int* next_hops, uint n);
}
