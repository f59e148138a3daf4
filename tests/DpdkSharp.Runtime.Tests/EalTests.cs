using DpdkSharp.Runtime.Tests.Infrastructure;

namespace DpdkSharp.Runtime.Tests;

public sealed class EalTests(DpdkFixture fixture) : DpdkTest(fixture)
{
    [Fact]
    public void The_shared_EAL_is_initialised_and_a_second_init_in_this_process_is_refused()
    {
        Assert.True(Eal.IsInitialized);
        Assert.Same(Fixture.Eal, Eal.Current);
        var error = Assert.Throws<InvalidOperationException>(() => Eal.Initialize(DpdkFixture.Options));
        Assert.Contains("already initialised", error.Message);
    }

    [Fact]
    public void The_arguments_used_include_the_safe_defaults()
    {
        var args = Fixture.Eal.Arguments;
        Assert.Contains("--no-huge", args);
        Assert.Contains("--no-pci", args);
        Assert.Contains("--no-shconf", args); // InMemory without hugepages
        Assert.DoesNotContain("--in-memory", args);
        Assert.Contains($"dpdksharp-{Environment.ProcessId}", args);
    }

    [Fact]
    public void A_second_init_in_a_fresh_process_is_an_InvalidOperationException()
    {
        var result = ChildProcess.RunScenario("second-init");
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("InvalidOperationException The DPDK EAL is already initialised", result.Output);
    }

    [Fact]
    public void Init_after_cleanup_is_an_InvalidOperationException()
    {
        var result = ChildProcess.RunScenario("init-after-cleanup");
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("cannot be initialised again after rte_eal_cleanup", result.Output);
    }

    [Fact]
    public void An_unknown_vdev_fails_with_rte_errno_its_message_and_the_arguments()
    {
        var result = ChildProcess.RunScenario("unknown-vdev");
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("function=rte_eal_init", result.Output);
        Assert.Matches(@"errno=[1-9]\d*", result.Output);
        Assert.Contains("--vdev net_doesnotexist0", result.Output);
    }
}

/// <summary>Argument building, no DPDK needed.</summary>
public sealed class EalArgumentsTests
{
    [Fact]
    public void Without_hugepages_and_PCI_list_the_defaults_are_no_huge_no_pci_and_a_unique_prefix()
    {
        var args = EalArguments.Build(new EalOptions(), hugepagesAvailable: false);
        Assert.Contains("--no-huge", args);
        Assert.Contains("--no-pci", args);
        Assert.Equal($"dpdksharp-{Environment.ProcessId}", args[args.IndexOf("--file-prefix") + 1]);
        Assert.Equal("256", args[args.IndexOf("-m") + 1]);
    }

    [Fact]
    public void With_hugepages_and_an_allow_list_neither_no_huge_nor_no_pci_is_passed()
    {
        var args = EalArguments.Build(new EalOptions { PciAllowList = ["0000:01:00.0"], IovaMode = IovaMode.VirtualAddress,
            MainLcore = 1, Lcores = "0-1", ExtraArguments = ["--foo"] }, hugepagesAvailable: true);
        Assert.DoesNotContain("--no-huge", args);
        Assert.DoesNotContain("--no-pci", args);
        Assert.Equal(["dpdksharp", "-l", "0-1", "--main-lcore", "1", "-a", "0000:01:00.0"], args.Take(7));
        Assert.Equal("va", args[args.IndexOf("--iova-mode") + 1]);
        Assert.Equal("--foo", args[^1]);
    }
}
