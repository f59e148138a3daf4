using DpdkSharp.Generator.Diff;
using DpdkSharp.Generator.Model;

namespace DpdkSharp.Generator.Tests.Diff;

public class ApiDiffTests
{
    private static readonly SourceLocation At = new("/usr/include/dpdk/rte_x.h", 1);
    private static CBuiltinType U16 => new(CBuiltinKind.UShort) { Spelling = "uint16_t", Size = 2, Align = 2 };
    private static CBuiltinType U32 => new(CBuiltinKind.UInt) { Spelling = "uint32_t", Size = 4, Align = 4 };

    private static CFunction Function(string name, CType ret, params CType[] args) => new()
    {
        Name = name, Location = At, ReturnType = ret,
        Parameters = [.. args.Select((a, i) => new CParameter($"p{i}", a))],
    };

    private static CRecord Link(long size, params (string Name, long Bits, int? Width)[] fields) => new()
    {
        Name = "rte_eth_link", Location = At, IsUnion = false, Size = size, Align = 8, CSpelling = "struct rte_eth_link",
        Fields = [.. fields.Select(f => new CField { Name = f.Name, Type = U32, OffsetBits = f.Bits, BitWidth = f.Width })],
    };

    [Fact]
    public void Reports_functions_records_and_constants()
    {
        var a = new CModel();
        a.Functions.Add(Function("rte_gone", U16));
        a.Functions.Add(Function("rte_same", U16, U16));
        a.Functions.Add(Function("rte_widened", U16, U16));
        a.Records.Add(Link(8, ("link_speed", 0, null), ("link_duplex", 32, 1)));
        a.Macros.Add(new CMacro { Name = "RTE_MAX", Location = At, Kind = CMacroValueKind.SignedInteger, ValueType = CBuiltinKind.Int, SignedValue = 32 });

        var b = new CModel();
        b.Functions.Add(Function("rte_same", U16, U16));
        b.Functions.Add(Function("rte_widened", U32, U16));
        b.Functions.Add(Function("rte_new", U16));
        b.Records.Add(Link(16, ("link_speed", 0, null), ("link_duplex", 64, 1), ("link_status", 65, 1)));
        b.Macros.Add(new CMacro { Name = "RTE_MAX", Location = At, Kind = CMacroValueKind.SignedInteger, ValueType = CBuiltinKind.Int, SignedValue = 64 });

        var diff = ApiDiff.Compare("22.11", a, "24.11", b, _ => true);

        Assert.Equal(["rte_new"], diff.FunctionsAdded);
        Assert.Equal(["rte_gone"], diff.FunctionsRemoved);
        var changed = Assert.Single(diff.FunctionsChanged);
        Assert.Equal(("rte_widened", "uint16_t rte_widened(uint16_t)", "uint32_t rte_widened(uint16_t)"), changed);
        var (record, changes) = Assert.Single(diff.RecordsChanged);
        Assert.Equal("rte_eth_link", record);
        Assert.Equal(["size 8 → 16", "field link_status added at bit 65 (width 1)", "field link_duplex moved bit 32 (width 1) → bit 64 (width 1)"], changes);
        Assert.Equal(("RTE_MAX", "32", "64"), Assert.Single(diff.ConstantsChanged));

        var text = diff.ToMarkdown();
        Assert.Contains("# API changes: 22.11 → 24.11", text);
        Assert.Contains("- functions: 1 added, 1 removed, 1 changed", text);
        Assert.Contains("`rte_eth_link`: size 8 → 16", text);
    }

    [Fact]
    public void Identical_models_have_no_changes()
    {
        var a = new CModel();
        a.Records.Add(Link(8, ("link_speed", 0, null)));
        var diff = ApiDiff.Compare("a", a, "b", a, _ => true);
        Assert.Empty(diff.RecordsChanged);
        Assert.Contains("0 with a changed layout", diff.ToMarkdown());
    }
}
