namespace DpdkSharp.Stack.Dpdk.Tests;

/// <summary>
/// The stack's TCP against the Linux kernel's (issue #12, "Interop with the Linux kernel" and "The
/// same under faults"): each fact runs a <see cref="Scenarios.TcpScenarios"/> scenario in a process of
/// its own through <see cref="KernelTests.Run"/>, which also checks every mbuf came back and the
/// namespace and TAP interface are gone. Sizes and times are printed by the scenarios.
/// </summary>
public sealed class TcpKernelTests
{
    [Fact]
    public void Bulk_TCP_flows_intact_from_a_kernel_client_to_the_stack_and_from_the_stack_to_a_kernel_server()
    {
        var output = KernelTests.Run("kernel-tcp-bulk");
        Assert.Matches(@"BULK kernel->stack echo \d+ MB: ok", output);
        Assert.Matches(@"BULK stack->kernel echo \d+ MB: ok", output);
    }

    [Fact]
    public void With_TCP_checksum_offload_on_the_port_bulk_flows_intact_both_ways_and_no_side_sees_a_bad_checksum()
    {
        var output = KernelTests.Run("kernel-tcp-bulk-offload");
        Assert.Matches(@"OFFLOAD kernel->stack echo \d+ MB: ok", output);
        Assert.Matches(@"OFFLOAD stack->kernel echo \d+ MB: ok", output);
        Assert.Matches(@"OFFLOAD TCP interface: [^;]*TcpTx[^;]*; device verdicts on [1-9]\d* received frames; kernel Tcp InCsumErrors 0, stack BadChecksum 0: ok", output);
    }

    [Fact]
    public void A_thousand_concurrent_kernel_connections_echo_intact_and_close_without_resets_leaving_the_stacks_table_empty()
    {
        var output = KernelTests.Run("kernel-tcp-many");
        Assert.Contains("MANY 1000 concurrent: echoed intact 1000, failed 0", output);
        Assert.Contains("connections left 0", output);
        Assert.Contains("MANY kernel states after close: TIME-WAIT 1000", output);
        Assert.Contains("MANY resets: kernel EstabResets 0, OutRsts 0; stack sent 0, received 0: none", output);
    }

    [Fact]
    public void Closed_ports_are_refused_both_ways_and_the_stack_closes_with_FINs_that_the_kernel_sees_as_clean()
    {
        var output = KernelTests.Run("kernel-tcp-close");
        Assert.Contains("STACK->KERNEL closed port: ConnectionRefused", output);
        Assert.Contains("KERNEL->STACK closed port: Connection refused", output);
        Assert.Contains("CLOSE by the application after 1 MB: ok", output);
        Assert.Contains("kernel clients exited cleanly 10", output);
        Assert.Contains("CLOSE resets: kernel EstabResets 0, OutRsts 0; stack sent 0, received 0: none", output);
    }

    [Fact]
    public void Slow_readers_close_the_window_to_zero_and_open_it_again_in_both_directions_and_the_data_is_intact()
    {
        var output = KernelTests.Run("kernel-tcp-zero-window");
        Assert.Contains("ZERO WINDOW kernel->slow stack 2 MB: ok", output);
        Assert.Contains("ZERO WINDOW stack->slow kernel 2 MB: ok", output);
    }

    [Fact]
    public void The_stacks_SslStream_talks_TLS_with_openssl_as_client_and_as_server()
    {
        var output = KernelTests.Run("kernel-tcp-tls");
        Assert.Contains("TLS stack client -> openssl s_server -rev: ok", output);
        Assert.Contains("TLS openssl s_client -> stack SslStream echo 4 MB: ok", output);
    }

    [Fact]
    public void Under_nftables_loss_and_duplication_and_a_tbf_rate_limit_on_the_kernels_side_an_echo_arrives_intact()
    {
        var output = KernelTests.Run("kernel-tcp-faults-kernel");
        Assert.Matches(@"FAULTS nft 5% loss each way, 2% dup, tbf 100mbit: kernel->stack echo \d+ MB: ok", output);
    }

    [Fact]
    public void Under_one_percent_nftables_loss_with_duplication_and_a_tbf_rate_limit_on_the_kernels_side_an_echo_arrives_intact()
    {
        var output = KernelTests.Run("kernel-tcp-faults-kernel-1");
        Assert.Matches(@"FAULTS nft 1% loss each way, 2% dup, tbf 100mbit: kernel->stack echo \d+ MB: ok", output);
    }

    [Fact]
    public void Under_loss_reordering_duplication_corruption_and_delay_on_the_stacks_port_100_MB_each_way_arrive_intact_within_the_bound()
    {
        var output = KernelTests.Run("kernel-tcp-faults-stack", Scenarios.TcpScenarios.StackFaultsLimit + TimeSpan.FromMinutes(1));
        Assert.Matches(@"FAULTS ImpairedDevice [^:]*: stack->kernel echo 100 MB within \d+ s: ok", output);
        Assert.Matches(@"FAULTS corrupted segments dropped: stack BadChecksum [1-9]\d*", output);
    }
}
