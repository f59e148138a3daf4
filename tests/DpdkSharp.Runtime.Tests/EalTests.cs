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

    [Fact]
    public void MultiProcess_with_hugepages_keeps_shared_config_and_telemetry_on()
    {
        var args = EalArguments.Build(new EalOptions { MultiProcess = true, FilePrefix = "primary" }, hugepagesAvailable: true);
        Assert.DoesNotContain("--no-huge", args);
        Assert.DoesNotContain("--in-memory", args);
        Assert.DoesNotContain("--no-shconf", args);
        Assert.DoesNotContain("--no-telemetry", args);
        Assert.Equal("primary", args[args.IndexOf("--file-prefix") + 1]);
    }

    [Theory]
    [InlineData(new string[0], "typed")]
    [InlineData(new[] { "--file-prefix", "raw" }, "raw")]
    [InlineData(new[] { "--file-prefix=raw" }, "raw")]
    public void The_file_prefix_secondaries_need_is_the_last_one_given(string[] extra, string expected)
    {
        var args = EalArguments.Build(new EalOptions { MultiProcess = true, FilePrefix = "typed", ExtraArguments = extra }, hugepagesAvailable: true);
        Assert.Equal(expected, MultiProcessRequirements.FilePrefixIn(args));
    }

    [Fact]
    public void MultiProcess_on_a_machine_without_hugepages_says_how_to_reserve_and_mount_them()
    {
        var error = Assert.Throws<InvalidOperationException>(() => EalArguments.Build(new EalOptions { MultiProcess = true }, hugepagesAvailable: false));
        Assert.Contains("needs hugepages", error.Message);
        Assert.Contains("nr_hugepages", error.Message);
        Assert.Contains("mount -t hugetlbfs", error.Message);
    }

    [Theory]
    [InlineData(false, null, "--no-huge")]
    [InlineData(false, false, null)]
    [InlineData(true, null, null)]
    [InlineData(false, null, "--in-memory")]
    [InlineData(false, null, "--no-shconf")]
    public void MultiProcess_with_options_that_leave_no_shareable_memory_is_refused_with_the_reason(bool inMemory, bool? useHugepages, string? extra)
    {
        var options = new EalOptions
        {
            MultiProcess = true, InMemory = inMemory, UseHugepages = useHugepages, ExtraArguments = extra is null ? [] : [extra],
        };
        var error = Assert.Throws<ArgumentException>(() => EalArguments.Build(options, hugepagesAvailable: true));
        Assert.Contains("MultiProcess", error.Message);
        Assert.Contains(inMemory ? "InMemory" : extra ?? "UseHugepages is false", error.Message);
    }
}
