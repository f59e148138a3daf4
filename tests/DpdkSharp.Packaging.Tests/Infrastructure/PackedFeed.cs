using System.Reflection;
using System.Xml.Linq;

namespace DpdkSharp.Packaging.Tests.Infrastructure;

/// <summary>
/// Every package packed once (bash eng/pack.sh) into a feed in a temporary folder outside the repository, shared by
/// the packaging tests; removed at the end. Its own NuGet package folder keeps an earlier run's packages of the same
/// version (NuGet caches by version) from standing in for these.
/// </summary>
public sealed class PackedFeed : IDisposable
{
    /// <summary>The packages users need: nothing more is packable.</summary>
    public static readonly string[] ExpectedIds =
    [
        "DpdkSharp.Generator", "dpdksharp-gen", "dpdksharp-pktgen", "DpdkSharp.Bindings", "DpdkSharp.Runtime",
        "DpdkSharp.Wire", "DpdkSharp.Stack", "DpdkSharp.Stack.Testing", "DpdkSharp.Stack.Dpdk", "DpdkSharp.Hosting", "DpdkSharp.AspNetCore",
    ];

    public string RepoRoot { get; }
    public string Root { get; }
    public string Feed => Path.Combine(Root, "feed");
    public string NuGetPackages => Path.Combine(Root, "nuget-packages");
    /// <summary>The one version of every package: Directory.Build.props's, which this test assembly is built with too.</summary>
    public string Version { get; }
    /// <summary>The installed DPDK (pkg-config), which the bindings package must be built for.</summary>
    public string DpdkVersion { get; }
    public Tool.Result Pack { get; }

    /// <summary>Environment for a user's dotnet: this feed's own package folder.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string> { ["NUGET_PACKAGES"] = NuGetPackages };

    public PackedFeed()
    {
        RequirePrerequisites();
        RepoRoot = FindRepoRoot();
        DpdkVersion = Tool.Check("pkg-config", ["--modversion", "libdpdk"], TimeSpan.FromSeconds(30)).Output.Trim();
        var informational = typeof(PackedFeed).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Version = informational.Split('+')[0];

        Root = Path.Combine(Path.GetTempPath(), $"dpdksharp-packaging-{System.Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        if (IsUnder(Root, RepoRoot) || File.Exists(Path.Combine(Path.GetTempPath(), "Directory.Build.props")))
        {
            throw new InvalidOperationException($"{Root} must be outside the repository and under no Directory.Build.props");
        }

        Directory.CreateDirectory(Root);
        try
        {
            Pack = Tool.Check("bash", [Path.Combine(RepoRoot, "eng", "pack.sh"), Feed, Path.Combine(Root, "build")],
                TimeSpan.FromMinutes(8), RepoRoot);   // inside eng/test.sh's 10-minute hang limit
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>A folder of its own under <see cref="Root"/> with a nuget.config: this feed, the repository's configured sources, and this feed's package folder.</summary>
    public string NewFolder(string name)
    {
        var dir = Path.Combine(Root, name);
        Directory.CreateDirectory(dir);
        var sources = XDocument.Load(Path.Combine(RepoRoot, "nuget.config")).Descendants("packageSources").Elements("add")
            .Select(e => new XElement("add", new XAttribute("key", (string)e.Attribute("key")!), new XAttribute("value", (string)e.Attribute("value")!)));
        new XDocument(new XElement("configuration",
            new XElement("config", new XElement("add", new XAttribute("key", "globalPackagesFolder"), new XAttribute("value", NuGetPackages))),
            new XElement("packageSources", new XElement("clear"), new XElement("add", new XAttribute("key", "dpdksharp-feed"), new XAttribute("value", Feed)), sources)))
            .Save(Path.Combine(dir, "nuget.config"));
        return dir;
    }

    public string PackagePath(string id, string extension = "nupkg") => Path.Combine(Feed, $"{id}.{Version}.{extension}");

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    private static void RequirePrerequisites()
    {
        if (!System.Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException("The packaging tests need root (DPDK, TAP devices, network namespaces). Run them as root.");
        }

        Tool.Require("bash", "runs eng/pack.sh");
        Tool.Require("dotnet", "packs, builds the consumer app, installs the tool");
        Tool.Require("pkg-config", "finds the installed DPDK");
        Tool.Require("gcc", "builds the native shim");
        Tool.Require("ip", "iproute2: network namespaces");
        Tool.Require("socat", "the kernel's UDP client");
        var dpdk = Tool.Run("pkg-config", ["--modversion", "libdpdk"], TimeSpan.FromSeconds(30));
        if (dpdk.ExitCode != 0)
        {
            throw new InvalidOperationException($"DPDK is not installed (pkg-config libdpdk): install it with sudo bash eng/setup.sh.\n{dpdk.All}");
        }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DpdkSharp.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No DpdkSharp.sln above {AppContext.BaseDirectory}");
    }

    private static bool IsUnder(string path, string root) =>
        Path.GetFullPath(path).StartsWith(Path.GetFullPath(root).TrimEnd('/') + "/", StringComparison.Ordinal);
}

[CollectionDefinition(Name)]
public sealed class PackedFeedCollection : ICollectionFixture<PackedFeed>
{
    public const string Name = "packed feed";
}
