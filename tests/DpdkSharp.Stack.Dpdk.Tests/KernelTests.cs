using DpdkSharp.Stack.Dpdk.Tests.Infrastructure;

namespace DpdkSharp.Stack.Dpdk.Tests;

/// <summary>
/// The stack on net_tap against the real Linux kernel in a network namespace, each scenario in a
/// process of its own (one EAL per process). The scenario checks the traffic and that every mbuf
/// went back to its pool; here we check its verdict and that the namespace and TAP interface are gone.
/// </summary>
public sealed class KernelTests
{
    private static int _sequence;

    [Fact]
    public void The_kernel_resolves_the_stack_by_ARP_and_1000_pings_and_fragmented_pings_all_come_back()
    {
        var output = Run("kernel-ping");
        Assert.Contains("ARP kernel->stack: resolved", output);
        Assert.Contains("PING 1000 pings: sent 1000, received 1000, lost 0", output);
        Assert.Contains("PING size 1472: sent 20, received 20, lost 0", output);
        Assert.Contains("PING size 4000: sent 20, received 20, lost 0", output);
    }

    [Fact]
    public void UDP_flows_both_ways_intact_beyond_the_MTU_and_closed_ports_are_refused_on_both_sides()
    {
        var output = Run("kernel-udp");
        Assert.DoesNotContain("MISMATCH", output);
        Assert.Contains("KERNEL->STACK echo 20000: ok", output);
        Assert.Contains("KERNEL->STACK closed port: ConnectionRefused", output);
        Assert.Contains("STACK->KERNEL socat echo 30000: ok", output);
        Assert.Contains("STACK->KERNEL closed port: ConnectionRefused", output);
    }

    [Fact]
    public void With_the_ports_checksum_offloads_UDP_and_pings_are_intact_and_the_kernel_sees_no_checksum_errors()
    {
        var output = Run("kernel-udp-offload");
        Assert.DoesNotContain("MISMATCH", output);
        Assert.Contains("KERNEL->STACK echo 20000: ok", output);
        Assert.Contains("STACK->KERNEL socat echo 30000: ok", output);
        Assert.Contains("OFFLOAD interface: Ipv4Tx, UdpTx;", output);
        Assert.Contains("OFFLOAD checks: ok", output);
        Assert.Contains("PING offload 20: sent 20, received 20, lost 0", output);
        Assert.Contains("PING offload size 4000: sent 10, received 10, lost 0", output);
    }

    [Fact]
    public void On_the_RX_interrupt_an_idle_reactor_uses_no_CPU_and_packets_and_commands_still_wake_it()
    {
        var output = Run("kernel-interrupt");
        Assert.Matches(@"IDLE cpu: \d+ ticks", output);
        Assert.Contains("PING asleep 50: sent 50, received 50, lost 0", output);
        Assert.Matches(@"COMMAND round trip while idle: [\d.]+ ms", output);
    }

    [Fact]
    public void Fragmented_pings_keep_working_while_an_attacker_floods_incomplete_fragments_from_many_sources()
    {
        var output = Run("kernel-fragment-flood");
        Assert.Contains("ATTACK sent 20000", output);
        Assert.Contains("PING size 4000 under flood: sent 20, received 20, lost 0", output);
    }

    [Fact]
    public void A_snooping_Linux_bridge_learns_the_stacks_groups_from_its_IGMP_reports_forwards_them_and_forgets_each_after_its_leave()
    {
        var output = Run("kernel-igmp");
        Assert.Matches(@"SNOOPING learned 239\.1\.2\.3 on \S+: yes", output);
        Assert.Contains("MULTICAST through the snooping bridge: igmp-works", output);
        Assert.Contains("SNOOPING learned the socket's 239.1.2.4: yes", output);
        Assert.Contains("MULTICAST to the socket's group: igmp-works", output);
        Assert.Contains("SNOOPING forgot 239.1.2.4 after the socket dropped it, kept 239.1.2.3: yes", output);
        Assert.Matches(@"IGMP received [1-9]\d*, sent [1-9]\d*", output);
        Assert.Contains("SNOOPING forgot 239.1.2.3 after the leave: yes", output);
    }

    internal static string Run(string scenario, TimeSpan? timeout = null)
    {
        Shell.RequireRoot();
        var suffix = $"{Environment.ProcessId % 10000}{Interlocked.Increment(ref _sequence)}";
        var iface = $"dsst{suffix}";
        var netns = $"dpdksharp-stack-{suffix}";
        var result = Shell.RunScenario(scenario, null, timeout ?? TimeSpan.FromMinutes(2), iface, netns);
        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("POOLS in use: rx 0, tx 0", result.Output);
        Assert.DoesNotContain(netns, Shell.Check("ip", "netns", "list"));
        Assert.DoesNotContain(iface, Shell.Check("ip", "-o", "link", "show"));
        return result.Output;
    }
}
