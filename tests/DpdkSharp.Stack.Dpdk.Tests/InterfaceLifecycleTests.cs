using RawDpdk = DpdkSharp.Interop.Dpdk;
using DpdkSharp.Stack.Dpdk.Tests.Infrastructure;
using DpdkSharp.Tests.Shared;
using Microsoft.Extensions.Logging;

namespace DpdkSharp.Stack.Dpdk.Tests;

/// <summary>One interface per port queue, and what an interface logs over its life. Every mbuf must be back afterwards.</summary>
[Collection(RingPairCollection.Name)]
public sealed class InterfaceLifecycleTests(RingPairFixture fixture) : IDisposable
{
    private InterfaceOptions Options(string name, ILoggerFactory? logs = null) => new()
    {
        Name = name,
        Mac = MacAddress.Parse("02:7a:00:00:00:01"),
        Address = Ipv4Address.Parse("10.122.0.1"),
        PublishMetrics = false,
        LoggerFactory = logs,
    };

    public void Dispose()
    {
        fixture.DrainRings(); // the interfaces' ARP announcements wait in the peer's ring
        Assert.Equal(0, fixture.Pool.InUseCount);
    }

    [Fact]
    public void A_second_interface_or_device_on_a_port_queue_in_use_is_refused_and_allowed_once_the_first_is_disposed()
    {
        var first = new DpdkInterface(fixture.PortA, fixture.Pool, Options("first"));
        var second = Assert.Throws<InvalidOperationException>(() => new DpdkInterface(fixture.PortA, fixture.Pool, Options("second")));
        Assert.Contains("Queue 0 of port", second.Message);
        Assert.Contains("already polled by 'DpdkInterface 'first' (reactor thread 'reactor-", second.Message);
        Assert.Contains("a queue of its own", second.Message);
        var device = Assert.Throws<InvalidOperationException>(() =>
            new PortQueueDevice(fixture.PortA.GetRxQueue(0), fixture.PortA.GetTxQueue(0), fixture.Pool));
        Assert.Contains("'DpdkInterface 'first'", device.Message);
        using (new DpdkInterface(fixture.PortB, fixture.Pool, Options("other port"))) // another port's queue 0 is free
        {
        }

        first.Dispose();
        using var again = new DpdkInterface(fixture.PortA, fixture.Pool, Options("again"));
        again.Start();
    }

    [Fact]
    public void With_a_logger_factory_the_interface_logs_up_link_changes_and_down()
    {
        var logs = new CapturingLoggerFactory();
        var period = InterfaceWatch.Period;
        InterfaceWatch.Period = TimeSpan.FromMilliseconds(20);
        try
        {
            using (var iface = new DpdkInterface(fixture.PortA, fixture.Pool, Options("watched", logs)))
            {
                iface.Start();
                Assert.Contains(logs.Entries, e => e.Category == DpdkInterface.LogCategory && e.Level == LogLevel.Information
                    && e.Message.StartsWith("Interface 'watched' up: 10.122.0.1/24, MAC 02:7a:00:00:00:01, on port", StringComparison.Ordinal));

                Assert.Equal(0, RawDpdk.rte_eth_dev_set_link_down(fixture.PortA.Id));
                WaitFor(logs, "link of port", "went down");
                Assert.Equal(0, RawDpdk.rte_eth_dev_set_link_up(fixture.PortA.Id));
                WaitFor(logs, "link of port", "is up again");
            }
            var down = Assert.Single(logs.Entries, e => e.Message.Contains("down: port", StringComparison.Ordinal));
            Assert.Equal("Interface 'watched' down: " + fixture.PortA + " queue 0 released", down.Message);
            Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error); // no reactor fault
        }
        finally
        {
            InterfaceWatch.Period = period;
            RawDpdk.rte_eth_dev_set_link_up(fixture.PortA.Id);
        }
    }

    private static void WaitFor(CapturingLoggerFactory logs, string part, string end)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!logs.Entries.Any(e => e.Message.Contains(part, StringComparison.Ordinal) && e.Message.Contains(end, StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no '{end}' logged; got: {string.Join(" | ", logs.Entries.Select(e => e.Message))}");
            Thread.Sleep(10);
        }
    }
}
