namespace DpdkSharp.Generator.Tests.Real;

/// <summary>
/// Constants of DPDK's own API that the bindings must keep (issue #16, 1: anonymous enums' constants were lost
/// under the include filter), and the report's constant coverage.
/// </summary>
public class DpdkConstantsTests(InstalledDpdk dpdk) : IClassFixture<InstalledDpdk>
{
    [Theory]
    [InlineData("mbuf.cs", "public const uint RTE_MBUF_L2_LEN_BITS = 7;")] // rte_mbuf_core.h, anonymous enum
    [InlineData("mbuf.cs", "public const uint RTE_MBUF_OUTL3_LEN_BITS = 9;")]
    [InlineData("eal.cs", "public const uint E_RTE_SECONDARY = 1001;")] // rte_errno.h: __ELASTERROR (1000) + 1
    [InlineData("bpf_def.cs", "public const uint EBPF_REG_0 = 0;")] // rte_bpf_def.h, anonymous enum
    [InlineData("ring.cs", "public const int RING_F_SP_ENQ = 1;")] // a macro, for contrast
    public void KnownConstantIsBound(string file, string declaration)
    {
        var files = dpdk.CSharp();
        Assert.True(files.ContainsKey(file), $"no {file} among {string.Join(", ", files.Keys.Order())}");
        Assert.Contains(declaration, files[file]);
    }

    [Fact]
    public void Report_has_constant_coverage()
    {
        Assert.True(dpdk.Report.RootConstants > 1500, $"only {dpdk.Report.RootConstants} constants in scope");
        Assert.True(dpdk.Report.ConstantCoverage > 0.97, dpdk.Report.ToText(detailed: false));
        Assert.Contains($"constants: {dpdk.Report.BoundConstants}/{dpdk.Report.RootConstants}", dpdk.Report.ToText(detailed: false));
    }
}
