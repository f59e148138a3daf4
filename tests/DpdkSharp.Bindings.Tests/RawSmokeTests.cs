using System.Runtime.InteropServices;
using System.Text;
using DpdkSharp.Interop;
using static DpdkSharp.Interop.Dpdk;

namespace DpdkSharp.Bindings.Tests;

/// <summary>
/// DPDK driven through the raw bindings only (no runtime layer): EAL on a virtual device, a pktmbuf pool,
/// a net_ring port (its rx and tx share one ring, so what is sent comes back), mbufs allocated, sent,
/// received and freed through the shim's inline wrappers, an error read back, cleanup. One test, since the
/// EAL can be initialised once per process.
/// </summary>
public unsafe class RawSmokeTests
{
    [Fact]
    public void Eal_pool_port_send_receive_and_cleanup()
    {
        using var args = new NativeArgv("dpdksharp-bindings-tests", "--no-huge", "--no-pci", "--no-shconf", "-m", "256",
            "--file-prefix", $"bindings{Environment.ProcessId}", "--log-level", "lib.eal:error", "--vdev", "net_ring0");
        var parsed = rte_eal_init(args.Count, args.Pointer);
        Assert.True(parsed >= 0, $"rte_eal_init failed: {Message(rte_errno_get())}");

        try
        {
            // Per-lcore state behind C macros and varargs, through the shim's hand-written entry points.
            Assert.Equal(0u, rte_lcore_id());
            rte_errno_set(42);
            Assert.Equal(42, rte_errno_get());
            var message = "dpdksharp raw smoke test"u8.ToArray().Append((byte)0).ToArray();
            fixed (byte* text = message)
            {
                Assert.True(rte_log_message(RTE_LOG_INFO, RTE_LOGTYPE_USER1, text) >= 0);
            }

            Assert.Equal(1, rte_eth_dev_count_avail());
            ushort port = 0;
            var pool = CreatePool("smoke_pool", 1023);

            rte_eth_conf conf = default;
            Check(rte_eth_dev_configure(port, 1, 1, &conf), "rte_eth_dev_configure");
            Check(rte_eth_rx_queue_setup(port, 0, 256, 0, null, pool), "rte_eth_rx_queue_setup");
            Check(rte_eth_tx_queue_setup(port, 0, 256, 0, null), "rte_eth_tx_queue_setup");
            Check(rte_eth_dev_start(port), "rte_eth_dev_start");

            const int count = 32;
            var tx = stackalloc rte_mbuf*[count];
            Check(rte_pktmbuf_alloc_bulk(pool, tx, count), "rte_pktmbuf_alloc_bulk");
            Assert.Equal((uint)count, rte_mempool_in_use_count(pool));
            for (var i = 0; i < count; i++)
            {
                var data = (byte*)rte_pktmbuf_append(tx[i], 64);
                Assert.True(data != null);
                new Span<byte>(data, 64).Fill((byte)i);
            }

            var sent = rte_eth_tx_burst(port, 0, tx, count);
            Assert.Equal(count, sent);

            var rx = stackalloc rte_mbuf*[count];
            var received = rte_eth_rx_burst(port, 0, rx, count);
            Assert.Equal(count, received);
            for (var i = 0; i < received; i++)
            {
                Assert.Equal(64u, rx[i]->pkt_len);
                var data = new ReadOnlySpan<byte>(rte_pktmbuf_mtod_data(rx[i]), 64);
                Assert.True(data.IndexOfAnyExcept((byte)i) < 0, $"packet {i} content differs");
                rte_pktmbuf_free(rx[i]);
            }
            Assert.Equal(0u, rte_mempool_in_use_count(pool));

            rte_eth_stats stats;
            Check(rte_eth_stats_get(port, &stats), "rte_eth_stats_get");
            Assert.Equal((ulong)count, stats.opackets);
            Assert.Equal((ulong)count, stats.ipackets);

            // An error comes back as a negative errno whose message rte_strerror reads.
            var bad = rte_eth_dev_configure(77, 1, 1, &conf);
            Assert.True(bad < 0);
            Assert.Contains("No such device", Message(-bad));

            Check(rte_eth_dev_stop(port), "rte_eth_dev_stop");
            Check(rte_eth_dev_close(port), "rte_eth_dev_close");
            rte_mempool_free(pool);
        }
        finally
        {
            Assert.Equal(0, rte_eal_cleanup());
        }
    }

    private static rte_mempool* CreatePool(string name, uint size)
    {
        var utf8 = Encoding.UTF8.GetBytes(name + "\0");
        fixed (byte* n = utf8)
        {
            var pool = rte_pktmbuf_pool_create((sbyte*)n, size, 0, 0, (ushort)RTE_MBUF_DEFAULT_BUF_SIZE, 0);
            Assert.True(pool != null, $"rte_pktmbuf_pool_create: {Message(rte_errno_get())}");
            return pool;
        }
    }

    /// <summary>rte_pktmbuf_mtod is a macro: the data starts data_off bytes into the buffer.</summary>
    private static byte* rte_pktmbuf_mtod_data(rte_mbuf* m) => (byte*)m->buf_addr + m->data_off;

    private static void Check(int result, string function) =>
        Assert.True(result >= 0, $"{function} failed: {result} {Message(-result)}");

    private static string Message(int errno) => Marshal.PtrToStringUTF8((nint)rte_strerror(errno)) ?? "";

    /// <summary>argv for rte_eal_init: UTF-8 strings in native memory, freed on dispose.</summary>
    private sealed class NativeArgv : IDisposable
    {
        private readonly nint[] _strings;
        private readonly nint _array;

        public NativeArgv(params string[] args)
        {
            _strings = [.. args.Select(Marshal.StringToCoTaskMemUTF8)];
            _array = Marshal.AllocHGlobal(sizeof(nint) * (args.Length + 1));
            for (var i = 0; i < args.Length; i++)
            {
                ((nint*)_array)[i] = _strings[i];
            }

            ((nint*)_array)[args.Length] = 0;
        }

        public int Count => _strings.Length;
        public sbyte** Pointer => (sbyte**)_array;

        public void Dispose()
        {
            foreach (var s in _strings)
            {
                Marshal.FreeCoTaskMem(s);
            }

            Marshal.FreeHGlobal(_array);
        }
    }
}
