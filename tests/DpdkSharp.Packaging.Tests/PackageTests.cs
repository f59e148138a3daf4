using System.IO.Compression;
using System.Xml.Linq;
using DpdkSharp.Packaging.Tests.Infrastructure;

namespace DpdkSharp.Packaging.Tests;

/// <summary>What eng/pack.sh produced: the packages users need, each complete, and nothing else.</summary>
[Collection(PackedFeedCollection.Name)]
public sealed class PackageTests(PackedFeed feed)
{
    [Fact]
    public void The_feed_holds_exactly_the_packages_users_need_each_with_its_symbols()
    {
        var packages = Directory.GetFiles(feed.Feed, "*.nupkg").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(PackedFeed.ExpectedIds.Select(id => $"{id}.{feed.Version}.nupkg").Order(StringComparer.Ordinal), packages);
        foreach (var id in PackedFeed.ExpectedIds)
        {
            using var symbols = ZipFile.OpenRead(feed.PackagePath(id, "snupkg"));
            Assert.Contains(symbols.Entries, e => e.FullName.EndsWith(".pdb", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Every_package_has_a_description_a_readme_a_license_expression_repository_metadata_and_the_one_version()
    {
        foreach (var id in PackedFeed.ExpectedIds)
        {
            var (nuspec, readme) = Read(id);
            Assert.Equal(id, Field(nuspec, "id"));
            Assert.Equal(feed.Version, Field(nuspec, "version"));
            var description = Field(nuspec, "description");
            Assert.True(description.Length > 80 && description != "Package Description", $"{id}: description '{description}'");
            Assert.Equal("README.md", Field(nuspec, "readme"));
            Assert.StartsWith($"# {id}", readme);
            var license = Element(nuspec, "license");
            Assert.Equal("expression", (string?)license.Attribute("type"));
            Assert.Contains("MIT", license.Value);
            var repository = Element(nuspec, "repository");
            Assert.Equal("git", (string?)repository.Attribute("type"));
            Assert.Matches("^[0-9a-f]{40}$", (string?)repository.Attribute("commit") ?? "");
        }
    }

    [Fact]
    public void Every_library_package_carries_its_XML_documentation_and_the_bindings_carry_DPDKs_own()
    {
        foreach (var id in PackedFeed.ExpectedIds.Where(id => id.StartsWith("DpdkSharp.", StringComparison.Ordinal)))
        {
            using var zip = ZipFile.OpenRead(feed.PackagePath(id));
            Assert.True(zip.Entries.Any(e => e.FullName == $"lib/net10.0/{id}.xml"), $"{id}: no lib/net10.0/{id}.xml");
        }

        // The generator turns DPDK's Doxygen @param/@return into <param>/<returns>: rte_eth_rx_burst's come through.
        using var bindings = ZipFile.OpenRead(feed.PackagePath("DpdkSharp.Bindings"));
        using var reader = new StreamReader(bindings.GetEntry("lib/net10.0/DpdkSharp.Bindings.xml")!.Open());
        var rxBurst = XDocument.Parse(reader.ReadToEnd()).Descendants("member")
            .Single(m => ((string?)m.Attribute("name") ?? "").StartsWith("M:DpdkSharp.Interop.Dpdk.rte_eth_rx_burst(", StringComparison.Ordinal));
        Assert.Contains("receive queue", rxBurst.Element("summary")!.Value);
        Assert.Equal(["port_id", "queue_id", "rx_pkts", "nb_pkts"], rxBurst.Elements("param").Select(p => (string?)p.Attribute("name")));
        Assert.False(string.IsNullOrWhiteSpace(rxBurst.Element("returns")?.Value));
    }

    [Fact]
    public void The_bindings_package_carries_the_native_shim_and_says_which_DPDK_it_is_for()
    {
        using var zip = ZipFile.OpenRead(feed.PackagePath("DpdkSharp.Bindings"));
        var shim = zip.GetEntry("runtimes/linux-x64/native/libdpdksharp_shim.so");
        Assert.NotNull(shim);
        Assert.True(shim.Length > 100_000, $"shim is {shim.Length} bytes");

        var (nuspec, readme) = Read("DpdkSharp.Bindings");
        var builtFor = $"DPDK {feed.DpdkVersion} on linux-x64";
        Assert.Contains($"Built for {builtFor}", Field(nuspec, "description"));
        Assert.Contains($"**This package is built for {builtFor}.**", readme);
        Assert.Contains("runtimes/linux-x64/native/libdpdksharp_shim.so", readme);
        Assert.DoesNotContain("@DPDK", readme);
    }

    [Fact]
    public void Dependencies_follow_the_project_references_and_the_generator_is_no_dependency_of_the_bindings()
    {
        // Logging abstractions: EalOptions.LoggerFactory and InterfaceOptions.LoggerFactory (the only outside package).
        Assert.Equal(["DpdkSharp.Runtime", "DpdkSharp.Stack"], Dependencies("DpdkSharp.Stack.Dpdk"));
        Assert.Equal(["DpdkSharp.Hosting"], Dependencies("DpdkSharp.AspNetCore"));
        Assert.Equal(["DpdkSharp.Stack.Dpdk", "Microsoft.Extensions.Configuration.Binder", "Microsoft.Extensions.Hosting.Abstractions"], Dependencies("DpdkSharp.Hosting"));
        Assert.Equal(["DpdkSharp.Bindings", "DpdkSharp.Wire", "Microsoft.Extensions.Logging.Abstractions"], Dependencies("DpdkSharp.Runtime"));
        Assert.Equal(["DpdkSharp.Wire", "Microsoft.Extensions.Logging.Abstractions"], Dependencies("DpdkSharp.Stack"));
        Assert.Equal(["DpdkSharp.Stack"], Dependencies("DpdkSharp.Stack.Testing"));
        Assert.Empty(Dependencies("DpdkSharp.Bindings"));
        Assert.Empty(Dependencies("DpdkSharp.Wire"));
    }

    [Fact]
    public void The_AspNetCore_package_references_the_ASP_NET_Core_shared_framework_rather_than_packages()
    {
        var references = Read("DpdkSharp.AspNetCore").Nuspec.Descendants().Where(e => e.Name.LocalName == "frameworkReference")
            .Select(e => (string)e.Attribute("name")!);
        Assert.Contains("Microsoft.AspNetCore.App", references);
    }

    [Fact]
    public void The_generator_tool_is_a_dotnet_tool_with_the_generator_inside()
    {
        var (nuspec, _) = Read("dpdksharp-gen");
        Assert.Equal("DotnetTool", (string?)Element(nuspec, "packageType").Attribute("name"));
        using var zip = ZipFile.OpenRead(feed.PackagePath("dpdksharp-gen"));
        Assert.Contains(zip.Entries, e => e.FullName == "tools/net10.0/any/DotnetToolSettings.xml");
        Assert.Contains(zip.Entries, e => e.FullName == "tools/net10.0/any/DpdkSharp.Generator.dll");
    }

    private (XElement Nuspec, string Readme) Read(string id)
    {
        using var zip = ZipFile.OpenRead(feed.PackagePath(id));
        using var nuspec = zip.GetEntry($"{id}.nuspec")!.Open();
        var readmeEntry = zip.GetEntry("README.md");
        Assert.True(readmeEntry is not null, $"{id}: no README.md");
        using var readme = new StreamReader(readmeEntry.Open());
        return (XDocument.Load(nuspec).Root!, readme.ReadToEnd());
    }

    private IEnumerable<string> Dependencies(string id) =>
        Read(id).Nuspec.Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => (string)e.Attribute("id")!).Distinct().Order(StringComparer.Ordinal);

    private static XElement Element(XElement nuspec, string name) =>
        nuspec.Descendants().FirstOrDefault(e => e.Name.LocalName == name)
        ?? throw new Xunit.Sdk.XunitException($"nuspec has no <{name}>");

    private static string Field(XElement nuspec, string name) => Element(nuspec, name).Value;
}
