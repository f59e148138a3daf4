using DpdkSharp.Interop;
using DpdkSharp.Runtime.Native;

namespace DpdkSharp.Runtime;

public readonly unsafe partial struct Port
{
    /// <summary>
    /// A net_ring port over two existing rings (<c>rte_eth_from_rings</c>): it receives from
    /// <paramref name="rx"/> and transmits into <paramref name="tx"/>. Two ports with crossed rings are a
    /// cable inside one process, for tests and benchmarks. The port is not configured yet.
    /// </summary>
    public static Port FromRings(string name, Ring rx, Ring tx)
    {
        var rxRing = rx.Pointer;
        var txRing = tx.Pointer;
        using var native = new Utf8String(name);
        var id = Dpdk.rte_eth_from_rings(native.Pointer, &rxRing, 1, &txRing, 1, 0); // NUMA node 0: the rings live where the caller made them
        if (id < 0)
        {
            throw DpdkException.FromErrno("rte_eth_from_rings", name);
        }

        return new Port((ushort)id);
    }
}
