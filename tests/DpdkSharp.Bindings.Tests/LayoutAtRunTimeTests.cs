using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DpdkSharp.Interop;

namespace DpdkSharp.Bindings.Tests;

/// <summary>
/// Sizes and field offsets of the C# structs equal what C reports at run time: a small C program built
/// with gcc against the same DPDK headers prints sizeof/offsetof, and C# measures its own structs.
/// </summary>
public unsafe class LayoutAtRunTimeTests
{
    private static readonly string[] MbufFields =
    [
        "buf_addr", "buf_iova", "data_off", "refcnt", "nb_segs", "port", "ol_flags", "packet_type", "pkt_len",
        "data_len", "vlan_tci", "hash", "vlan_tci_outer", "buf_len", "pool", "next", "tx_offload", "shinfo",
        "priv_size", "timesync", "dynfield1",
    ];

    private static Dictionary<string, long> CLayout()
    {
        var dir = Path.Combine(Path.GetTempPath(), "dpdksharp-layout-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var lines = new List<string>
        {
            "#include <stdio.h>", "#include <stddef.h>", "#include <rte_mbuf.h>", "#include <rte_ethdev.h>",
            "int main(void) {",
            "printf(\"sizeof rte_mbuf %zu\\n\", sizeof(struct rte_mbuf));",
            "printf(\"sizeof rte_eth_conf %zu\\n\", sizeof(struct rte_eth_conf));",
            "printf(\"sizeof rte_eth_dev_info %zu\\n\", sizeof(struct rte_eth_dev_info));",
            "printf(\"sizeof rte_eth_stats %zu\\n\", sizeof(struct rte_eth_stats));",
        };
        lines.AddRange(MbufFields.Select(f => $"printf(\"offset {f} %zu\\n\", offsetof(struct rte_mbuf, {f}));"));
        lines.Add("return 0; }");
        File.WriteAllLines(Path.Combine(dir, "layout.c"), lines);

        var cflags = ProcessRunner.Run("pkg-config", dir, "--cflags", "libdpdk");
        Assert.True(cflags.ExitCode == 0, "pkg-config libdpdk failed (DPDK not installed? run eng/setup.sh): " + cflags.Output);
        var gcc = ProcessRunner.Run("gcc", dir, [.. cflags.Output.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), "-o", "layout", "layout.c"]);
        Assert.True(gcc.ExitCode == 0, gcc.Output);
        var run = ProcessRunner.Run(Path.Combine(dir, "layout"), dir);
        Assert.Equal(0, run.ExitCode);
        return run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' '))
            .ToDictionary(p => $"{p[0]} {p[1]}", p => long.Parse(p[2]));
    }

    [Fact]
    public void Sizes_match_c()
    {
        var c = CLayout();
        Assert.Equal(c["sizeof rte_mbuf"], sizeof(rte_mbuf));
        Assert.Equal(c["sizeof rte_eth_conf"], sizeof(rte_eth_conf));
        Assert.Equal(c["sizeof rte_eth_dev_info"], sizeof(rte_eth_dev_info));
        Assert.Equal(c["sizeof rte_eth_stats"], sizeof(rte_eth_stats));
    }

    [Fact]
    public void Mbuf_field_offsets_match_c()
    {
        var c = CLayout();
        var m = (rte_mbuf*)NativeMemory.AlignedAlloc((nuint)sizeof(rte_mbuf), 64);
        try
        {
            // Fields C# exposes as ref properties (anonymous members) are measured through Unsafe.AsPointer;
            // pointer-typed fields (never inside anonymous members in rte_mbuf) by address.
            long At(void* field) => (byte*)field - (byte*)m;
            var csharp = new Dictionary<string, long>
            {
                ["buf_addr"] = At(&m->buf_addr),
                ["buf_iova"] = At(Unsafe.AsPointer(ref m->buf_iova)),
                ["data_off"] = At(Unsafe.AsPointer(ref m->data_off)),
                ["refcnt"] = At(Unsafe.AsPointer(ref m->refcnt)),
                ["nb_segs"] = At(Unsafe.AsPointer(ref m->nb_segs)),
                ["port"] = At(Unsafe.AsPointer(ref m->port)),
                ["ol_flags"] = At(Unsafe.AsPointer(ref m->ol_flags)),
                ["packet_type"] = At(Unsafe.AsPointer(ref m->packet_type)),
                ["pkt_len"] = At(Unsafe.AsPointer(ref m->pkt_len)),
                ["data_len"] = At(Unsafe.AsPointer(ref m->data_len)),
                ["vlan_tci"] = At(Unsafe.AsPointer(ref m->vlan_tci)),
                ["hash"] = At(Unsafe.AsPointer(ref m->hash)),
                ["vlan_tci_outer"] = At(Unsafe.AsPointer(ref m->vlan_tci_outer)),
                ["buf_len"] = At(Unsafe.AsPointer(ref m->buf_len)),
                ["pool"] = At(&m->pool),
                ["next"] = At(&m->next),
                ["tx_offload"] = At(Unsafe.AsPointer(ref m->tx_offload)),
                ["shinfo"] = At(&m->shinfo),
                ["priv_size"] = At(Unsafe.AsPointer(ref m->priv_size)),
                ["timesync"] = At(Unsafe.AsPointer(ref m->timesync)),
                ["dynfield1"] = At(Unsafe.AsPointer(ref m->dynfield1)),
            };
            foreach (var field in MbufFields)
            {
                Assert.True(c[$"offset {field}"] == csharp[field], $"rte_mbuf.{field}: C offset {c[$"offset {field}"]}, C# {csharp[field]}");
            }
        }
        finally
        {
            NativeMemory.AlignedFree(m);
        }
    }

    [Fact]
    public void Mbuf_tx_offload_bit_fields_share_the_word()
    {
        rte_mbuf m = default;
        m.l2_len = 14;
        m.l3_len = 20;
        m.l4_len = 20;
        // DPDK packs l2_len:7, l3_len:9, l4_len:8 from bit 0 of tx_offload.
        Assert.Equal(14UL | (20UL << 7) | (20UL << 16), m.tx_offload);
    }
}
