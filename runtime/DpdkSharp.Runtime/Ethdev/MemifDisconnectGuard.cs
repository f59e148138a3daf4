using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using DpdkSharp.Interop;
using DpdkSharp.Runtime.Native;

namespace DpdkSharp.Runtime;

/// <summary>
/// Keeps a net_memif port's bursts and its peer's disconnect apart, which DPDK 22.11's memif PMD does not: when the
/// peer leaves (exits, is killed, closes its port) the EAL interrupt thread runs <c>memif_disconnect</c>, which
/// clears the port's connected flag and then unmaps the shared rings and buffers (<c>memif_free_regions</c>) while
/// an lcore may be inside <c>eth_memif_rx</c>/<c>eth_memif_tx</c>, past its one unsynchronised look at that flag.
/// The lcore then copies into memory that is gone: SIGSEGV (seen in our reflect and in dpdk-testpmd; a core dump
/// showed the interrupt thread in <c>munmap</c> of the region the lcore faulted in, inside the PMD's copy to a
/// memif buffer).
/// </summary>
/// <remarks>
/// <para>The handshake reuses the PMD's own lock. <c>memif_disconnect</c> (drivers/net/memif/memif_socket.c) clears
/// <c>ETH_MEMIF_FLAG_CONNECTED</c>, then takes <c>pmd-&gt;cc_lock</c> (an <c>rte_spinlock_t</c>), releases it and
/// only then unmaps. A burst that holds that lock therefore keeps the interrupt thread from reaching the unmap, and
/// a burst that takes it after the interrupt thread released it sees the cleared flag (the lock orders the two) and
/// returns 0 without touching the rings. The PMD takes the lock nowhere else, so nothing else waits on a burst.</para>
/// <para>The lock is in the PMD's private <c>struct pmd_internals</c> (rte_eth_memif.h, not installed), reached
/// through <c>rte_eth_devices[port].data-&gt;dev_private</c> (ethdev_driver.h, not installed either): offsets read
/// from 22.11's sources and checked against Debian's 22.11.11 binary (the disassembled <c>memif_disconnect</c>
/// clears the flags at +8 and <c>xchg</c>s the lock at +0x38; a core dump's <c>data</c> and <c>dev_private</c>
/// matched). So the guard is used only when the bindings are 22.11's and every cross-check below holds; otherwise
/// the port runs unguarded, as it did before.</para>
/// </remarks>
internal static unsafe class MemifDisconnectGuard
{
    // struct rte_eth_dev (22.11, cache-aligned): rx_pkt_burst at 0, data at 48; 16,512 bytes with RTE_MAX_QUEUES_PER_PORT 1024.
    private const int EthDevSize = 16_512;
    private const int EthDevData = 48;
    // struct rte_eth_dev_data: name[64] at 0, nb_rx_queues at 80, nb_tx_queues at 82, dev_private at 96.
    private const int DataRxQueues = 80;
    private const int DataTxQueues = 82;
    private const int DataPrivate = 96;
    // struct pmd_internals (memif): role at 4, cc_lock at 56, cfg.num_c2s_rings at 189, cfg.num_s2c_rings at 190.
    private const int PmdRole = 4;
    private const int PmdLock = 56;
    private const int PmdC2sRings = 189;
    private const int PmdS2cRings = 190;
    private const int RoleServer = 0, RoleClient = 1;

    /// <summary>
    /// The memif PMD's <c>cc_lock</c> of a started net_memif <paramref name="port"/>, or null: another driver, another
    /// DPDK release, the port not started, or a cross-check failed (the layout is not the one read).
    /// </summary>
    internal static int* Find(ushort port)
    {
#pragma warning disable CS0162 // constants of the bound release: for other releases the rest of the method is dead, which is the guard
        if (EthFastPath.BoundRelease != 2211 || Dpdk.RTE_MAX_QUEUES_PER_PORT != 1024)
        {
            return null;
        }

        rte_eth_dev_info info;
        if (Dpdk.rte_eth_dev_info_get(port, &info) != 0 || info.driver_name == null || Utf8String.Read(info.driver_name) != "net_memif")
        {
            return null;
        }

        if (!NativeLibrary.TryGetExport(GeneratedLibrary.Handle, "rte_eth_devices", out var devices) || devices == 0)
        {
            return null;
        }

        var dev = (byte*)devices + (nint)port * EthDevSize;
        // Started: ethdev copied the driver's burst function into rte_eth_fp_ops from this very entry.
        var burst = *(nint*)dev;
        if (burst == 0 || burst != (nint)EthFastPath.Entry(port)->rx_pkt_burst)
        {
            return null;
        }

        var data = *(byte**)(dev + EthDevData);
        var name = stackalloc sbyte[Dpdk.RTE_ETH_NAME_MAX_LEN];
        if (data == null || Dpdk.rte_eth_dev_get_name_by_port(port, name) != 0 || Utf8String.Read((sbyte*)data) != Utf8String.Read(name)
            || *(ushort*)(data + DataRxQueues) != info.nb_rx_queues || *(ushort*)(data + DataTxQueues) != info.nb_tx_queues)
        {
            return null;
        }

        var pmd = *(byte**)(data + DataPrivate);
        if (pmd == null)
        {
            return null;
        }

        // memif_dev_configure: a client's c2s rings are its tx queues, a server's its rx queues.
        var role = *(int*)(pmd + PmdRole);
        var (c2s, s2c) = role == RoleClient ? (info.nb_tx_queues, info.nb_rx_queues) : (info.nb_rx_queues, info.nb_tx_queues);
        var lockWord = *(int*)(pmd + PmdLock);
        if (role is not (RoleServer or RoleClient) || pmd[PmdC2sRings] != c2s || pmd[PmdS2cRings] != s2c || lockWord is not (0 or 1))
        {
            return null;
        }

        return (int*)(pmd + PmdLock);
    }
#pragma warning restore CS0162

    /// <summary><c>rte_spinlock_lock</c>: test-and-set, spinning on plain reads while taken.</summary>
    internal static void Enter(int* lockWord)
    {
        while (Interlocked.Exchange(ref *lockWord, 1) != 0)
        {
            while (Volatile.Read(ref *lockWord) != 0)
            {
                // rte_pause: an intrinsic, so the first contended burst runs no library code for the first time.
                if (X86Base.IsSupported)
                {
                    X86Base.Pause();
                }
                else
                {
                    Thread.SpinWait(1);
                }
            }
        }
    }

    /// <summary><c>rte_spinlock_unlock</c>: a release store.</summary>
    internal static void Exit(int* lockWord) => Volatile.Write(ref *lockWord, 0);
}
