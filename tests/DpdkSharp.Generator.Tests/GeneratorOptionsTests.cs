using DpdkSharp.Generator;

namespace DpdkSharp.Generator.Tests;

public class GeneratorOptionsTests
{
    [Fact]
    public void Loads_camel_case_json_with_comments()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, """
            // DPDK options
            { "headers": ["rte_mbuf.h"], "exclude": [{ "name": "rte_foo", "reason": "internal" }], }
            """);
        var options = GeneratorOptions.Load(path);
        Assert.Equal(["rte_mbuf.h"], options.Headers);
        Assert.Equal(new Exclusion("rte_foo", "internal"), Assert.Single(options.Exclude));
        Assert.Equal("DpdkSharp.Interop", options.Namespace);
    }

    [Fact]
    public void Rejects_unknown_property_with_file_and_line()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, "{\n  \"hedaers\": []\n}");
        var e = Assert.Throws<GeneratorException>(() => GeneratorOptions.Load(path));
        Assert.Contains(path + ":", e.Message);
    }

    [Fact]
    public void Missing_file_is_a_clear_error()
    {
        var e = Assert.Throws<GeneratorException>(() => GeneratorOptions.Load("/nonexistent/options.json"));
        Assert.Contains("not found", e.Message);
    }
}

public class GeneratorOptionsMergeTests
{
    private static string Write(string json)
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Later_files_extend_lists_and_override_scalars()
    {
        var common = Write("""{ "apiClass": "Dpdk", "exclude": [{ "name": "a", "reason": "r" }], "groups": { "eal": ["rte_eal*.h"] } }""");
        var version = Write("""{ "headers": ["rte_eal.h"], "exclude": [{ "name": "b", "reason": "r" }], "groups": { "eal": ["rte_lcore.h"] } }""");
        var options = GeneratorOptions.Load([common, version]);
        Assert.Equal("Dpdk", options.ApiClass);
        Assert.Equal(["rte_eal.h"], options.Headers);
        Assert.Equal(["a", "b"], options.Exclude.Select(e => e.Name));
        Assert.Equal(["rte_eal*.h", "rte_lcore.h"], options.Groups["eal"]);
    }

    [Fact]
    public void A_header_both_bound_and_excluded_is_rejected()
    {
        var path = Write("""{ "headers": ["rte_x.h"], "excludedHeaders": [{ "name": "rte_x.h", "reason": "r" }] }""");
        var e = Assert.Throws<GeneratorException>(() => GeneratorOptions.Load([path]));
        Assert.Contains("rte_x.h", e.Message);
    }
}
