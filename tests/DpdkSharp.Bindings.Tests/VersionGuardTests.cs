using DpdkSharp.Interop;

namespace DpdkSharp.Bindings.Tests;

public class VersionGuardTests
{
    [Fact]
    public void The_generated_version_is_accepted() =>
        BindingsVersion.EnsureMatches($"DPDK {BindingsVersion.Generated}");

    [Theory]
    [InlineData("DPDK 24.11.3")]
    [InlineData("DPDK 22.11.1")]
    [InlineData("garbage")]
    public void A_mismatch_says_how_to_regenerate(string loaded)
    {
        var e = Assert.Throws<BindingsVersionMismatchException>(() => BindingsVersion.EnsureMatches(loaded));
        Assert.Equal(loaded, e.LoadedVersion);
        Assert.Contains(BindingsVersion.Generated, e.Message);
        Assert.Contains("dotnet build bindings/DpdkSharp.Bindings", e.Message);
        Assert.Contains("eng/fetch-dpdk-headers.sh", e.Message);
        Assert.Contains("<DpdkSharpRegenerateBindings>true</DpdkSharpRegenerateBindings>", e.Message);
    }

    [Fact]
    public void The_loaded_dpdk_is_the_generated_one()
    {
        // Loads libdpdksharp_shim.so and, through it, DPDK itself: fails (not skips) when DPDK is missing.
        Assert.StartsWith("DPDK ", BindingsVersion.Loaded);
        BindingsVersion.EnsureLoadedMatches();
    }
}
