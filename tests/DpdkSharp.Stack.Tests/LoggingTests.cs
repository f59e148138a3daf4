using DpdkSharp.Tests.Shared;
using Microsoft.Extensions.Logging;

namespace DpdkSharp.Stack.Tests;

/// <summary>What the interface core logs when given a logger factory.</summary>
public sealed class LoggingTests
{
    private static Instant At(long ns) => new(ns);

    [Fact]
    public void An_address_conflict_is_logged_with_the_claimant_and_a_flood_of_them_once_per_interval()
    {
        var logs = new CapturingLoggerFactory();
        var (core, _, _) = Net.Core(o => o with { Name = "conflicted", LoggerFactory = logs });
        var claim = Build.Ethernet(MacAddress.Broadcast, Net.OtherMac, 0x0806, Build.Arp(1, Net.OtherMac, Net.UsIp, default, Net.UsIp));
        core.Receive(claim, At(0));
        core.Receive(claim, At(1 * T.Sec));
        core.Receive(claim, At(11 * T.Sec));
        Assert.Equal(3, core.Counters.ArpConflicts);
        var entries = logs.Entries.Where(e => e.Category == NetworkInterfaceCore.LogCategory).ToList();
        Assert.Equal(2, entries.Count); // the second came within the interval
        Assert.All(entries, e => Assert.Equal(LogLevel.Warning, e.Level));
        Assert.Contains($"{Net.OtherMac} claims our address {Net.UsIp}", entries[0].Message);
        Assert.Contains("'conflicted'", entries[0].Message);
        Assert.Contains("(3 conflicting frame(s) so far)", entries[1].Message);
    }

    [Fact]
    public void A_next_hop_that_never_answers_ARP_is_logged_once_when_given_up()
    {
        var logs = new CapturingLoggerFactory();
        var (core, _, _) = Net.Core(o => o with { LoggerFactory = logs });
        core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 5000), out var h);
        core.SendUdp(h, new Ipv4Endpoint(Net.PeerIp, 9), [1], At(0));
        for (var s = 1; s <= 4; s++)
        {
            core.Poll(At(s * T.Sec));
        }
        var entry = Assert.Single(logs.Entries);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Contains($"no ARP reply from {Net.PeerIp} after 3 request(s)", entry.Message);
    }

    [Fact]
    public void Without_a_logger_factory_nothing_is_logged_and_the_counters_still_count()
    {
        var (core, _, _) = Net.Core();
        var claim = Build.Ethernet(MacAddress.Broadcast, Net.OtherMac, 0x0806, Build.Arp(1, Net.OtherMac, Net.UsIp, default, Net.UsIp));
        core.Receive(claim, At(0));
        Assert.Equal(1, core.Counters.ArpConflicts);
        Assert.Null(core.Options.LoggerFactory);
    }
}
