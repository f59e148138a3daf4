using DpdkSharp.Generator.Tests.Infrastructure;

namespace DpdkSharp.Generator.Tests.Real;

/// <summary>DPDK's layout checker, bit-fields included, passes gcc with optimization (the bindings build checks sizes and offsets only).</summary>
public class DpdkLayoutTests(InstalledDpdk dpdk) : IClassFixture<InstalledDpdk>
{
    [Fact]
    public void Layout_checker_with_bit_fields_passes()
    {
        var checker = Path.Combine(dpdk.Folder, "native", Pipeline.LayoutCheckFile);
        Assert.True(File.ReadAllText(checker).Split("_differs(void)").Length > 300, "DPDK's bit-fields (rte_mbuf's tx_offload, ...) are checked");
        Gcc.Compile(["-std=gnu11", "-O1", "-Wall", "-Werror", "-Wno-deprecated-declarations", .. dpdk.Cflags, "-c", "-o", checker + ".o", checker]);
    }
}
