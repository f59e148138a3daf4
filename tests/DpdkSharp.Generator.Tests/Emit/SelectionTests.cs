namespace DpdkSharp.Generator.Tests.Emit;

/// <summary>
/// What gets bound: declarations under the header roots that match the include filters, plus every record and
/// enum they reach wherever it is declared (here a "system" header outside the roots).
/// </summary>
public class SelectionTests
{
    private static (TempHeaders Temp, GeneratorOptions Options) Headers(params string[] include)
    {
        var temp = new TempHeaders();
        temp.Write("sys/sysdefs.h", """
            struct sys_time { long sec; long nsec; };
            enum sys_clock { SYS_CLOCK_MONO = 1 };
            struct sys_unused { int x; };
            int sys_function(void);
            """);
        var header = temp.Write("lib/rte_lib.h", """
            #include "../sys/sysdefs.h"
            typedef struct { int id; } rte_anon_t;
            struct rte_stamp { struct sys_time when; enum sys_clock clock; rte_anon_t anon; };
            int rte_stamp_get(struct rte_stamp *s);
            int other_function(void);
            struct rte_unreferenced { int y; };
            """);
        return (temp, new GeneratorOptions { Headers = [header], Include = [.. include] });
    }

    [Fact]
    public void Roots_are_the_headers_directories_and_reached_types_come_along()
    {
        var (temp, options) = Headers();
        using var _ = temp;
        temp.Run(options);
        var lib = temp.CSharp("rte_lib");
        Assert.Contains("rte_stamp_get", lib);
        Assert.Contains("other_function", lib);
        Assert.Contains("struct rte_unreferenced", lib); // a root even if nothing uses it
        Assert.Contains("public unsafe partial struct rte_anon_t", lib); // typedef'd anonymous record keeps the typedef name
        var external = temp.CSharp("External");
        Assert.Contains("struct sys_time", external);
        Assert.Contains("enum sys_clock", external);
        Assert.DoesNotContain("sys_unused", external); // not reached: not bound
        Assert.DoesNotContain("sys_function", external);
    }

    [Fact]
    public void Include_filters_roots_by_name()
    {
        var (temp, options) = Headers("^rte_");
        using var _ = temp;
        temp.Run(options);
        var lib = temp.CSharp("rte_lib");
        Assert.Contains("rte_stamp_get", lib);
        Assert.DoesNotContain("other_function", lib);
    }

    [Fact]
    public void Header_roots_widen_what_is_a_root()
    {
        var (temp, options) = Headers();
        using var _ = temp;
        temp.Run(options with { HeaderRoots = [Path.Combine(temp.Root, "lib"), Path.Combine(temp.Root, "sys")] });
        var sys = temp.CSharp("sysdefs");
        Assert.Contains("sys_function", sys);
        Assert.Contains("struct sys_unused", sys);
    }

    [Fact]
    public void Groups_put_headers_into_one_file()
    {
        var (temp, options) = Headers();
        using var _ = temp;
        temp.Run(options with
        {
            HeaderRoots = [Path.Combine(temp.Root, "lib"), Path.Combine(temp.Root, "sys")],
            Groups = new() { ["all"] = ["rte_*.h", "sys*.h"] },
        });
        var all = temp.CSharp("all");
        Assert.Contains("sys_function", all);
        Assert.Contains("rte_stamp_get", all);
        Assert.False(File.Exists(Path.Combine(temp.Output, "cs", "rte_lib.cs")));
    }
}
