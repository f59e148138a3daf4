using System.Reflection;
using System.Text.Json;
using DpdkSharp.Generator;
using DpdkSharp.Interop;

namespace DpdkSharp.Bindings.Tests;

/// <summary>How much of DPDK the build bound, from the generator's own report and the compiled bindings.</summary>
public class CoverageTests
{
    private static GenerationReport Report()
    {
        var path = Path.Combine(RepoPaths.Generated(RepoPaths.InstalledVersion), "report.json");
        Assert.True(File.Exists(path), $"no generation report at {path}: build bindings/DpdkSharp.Bindings first");
        return JsonSerializer.Deserialize<GenerationReport>(File.ReadAllText(path), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    [Fact]
    public void Functions_of_the_bound_headers()
    {
        var report = Report();
        Assert.True(report.RootExportedFunctions > 1500, $"only {report.RootExportedFunctions} exported functions in the bound headers");
        Assert.True(report.ExportedCoverage >= 0.98, $"exported functions bound: {report.BoundExportedFunctions}/{report.RootExportedFunctions}");
        Assert.True(report.InlineCoverage >= 0.95, $"static inline functions bound: {report.BoundInlineFunctions}/{report.RootInlineFunctions}");
    }

    [Fact]
    public void Every_record_a_bound_function_reaches_is_bound()
    {
        var assembly = typeof(Dpdk).Assembly;
        var missing = new List<string>();
        foreach (var method in typeof(Dpdk).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            foreach (var type in method.GetParameters().Select(p => p.ParameterType).Append(method.ReturnType))
            {
                var element = type;
                while (element.IsPointer)
                {
                    element = element.GetElementType()!;
                }

                if (element.IsValueType && !element.IsPrimitive && !element.IsEnum && element.Assembly != assembly
                    && element != typeof(void) && element != typeof(Int128) && element != typeof(UInt128))
                {
                    missing.Add($"{method.Name}: {element}");
                }
            }
        }

        Assert.Empty(missing);
        Assert.NotNull(assembly.GetType("DpdkSharp.Interop.rte_eth_dev_info"));
        Assert.NotNull(assembly.GetType("DpdkSharp.Interop.rte_eth_fp_ops")); // reached only through rte_eth_rx_burst's body
    }

    public static TheoryData<string, Type> FlagAndLimitConstants => new()
    {
        { "RTE_ETH_RX_OFFLOAD_CHECKSUM", typeof(ulong) }, { "RTE_ETH_TX_OFFLOAD_IPV4_CKSUM", typeof(ulong) },
        { "RTE_ETH_RSS_IP", typeof(ulong) }, { "RTE_MAX_ETHPORTS", typeof(int) }, { "RTE_ETH_LINK_UP", typeof(int) },
        { "RTE_MBUF_F_TX_IPV4", typeof(ulong) }, { "RTE_MBUF_F_RX_IP_CKSUM_BAD", typeof(ulong) }, { "RTE_MBUF_DEFAULT_BUF_SIZE", typeof(int) },
        { "RTE_MEMPOOL_CACHE_MAX_SIZE", typeof(int) }, { "RTE_MEMPOOL_F_SP_PUT", typeof(int) },
        { "RING_F_SP_ENQ", typeof(int) }, { "RING_F_SC_DEQ", typeof(int) }, { "RTE_RING_SZ_MASK", typeof(uint) },
        { "RTE_ETHER_ADDR_LEN", typeof(int) }, { "RTE_ETHER_TYPE_IPV4", typeof(int) }, { "RTE_ETHER_MTU", typeof(int) },
        { "RTE_IPV4_HDR_DF_FLAG", typeof(int) }, { "RTE_IPV4_HDR_IHL_MASK", typeof(int) }, { "RTE_IPV6_HDR_FL_SHIFT", typeof(int) },
        { "RTE_TCP_SYN_FLAG", typeof(int) }, { "RTE_TCP_ACK_FLAG", typeof(int) },
    };

    [Theory]
    [MemberData(nameof(FlagAndLimitConstants))]
    public void Flag_and_limit_macros_are_typed_constants(string name, Type type)
    {
        var field = typeof(Dpdk).GetField(name, BindingFlags.Public | BindingFlags.Static);
        Assert.True(field is { IsLiteral: true }, $"{name} is not a constant of Dpdk");
        Assert.Equal(type, field!.FieldType);
    }

    [Fact]
    public void Udp_header_and_macros_of_the_net_library()
    {
        Assert.Equal(8, System.Runtime.CompilerServices.Unsafe.SizeOf<rte_udp_hdr>());
        Assert.Equal(20, System.Runtime.CompilerServices.Unsafe.SizeOf<rte_tcp_hdr>());
        Assert.Equal(20, System.Runtime.CompilerServices.Unsafe.SizeOf<rte_ipv4_hdr>());
        Assert.Equal(14, System.Runtime.CompilerServices.Unsafe.SizeOf<rte_ether_hdr>());
        Assert.Equal(1UL << 13, Dpdk.RTE_ETH_RX_OFFLOAD_SCATTER); // RTE_BIT64(13), evaluated by clang
    }
}
