using DpdkSharp.Generator;

namespace DpdkSharp.Generator.Tests;

public class GeneratorOptionsTests
{
    [Fact]
    public void LoadsCamelCaseJsonWithComments()
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
    public void RejectsUnknownPropertyWithFileAndLine()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, "{\n  \"hedaers\": []\n}");
        var e = Assert.Throws<GeneratorException>(() => GeneratorOptions.Load(path));
        Assert.Contains(path + ":", e.Message);
    }

    [Fact]
    public void MissingFileIsAClearError()
    {
        var e = Assert.Throws<GeneratorException>(() => GeneratorOptions.Load("/nonexistent/options.json"));
        Assert.Contains("not found", e.Message);
    }
}
