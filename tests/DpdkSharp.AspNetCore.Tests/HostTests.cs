using System.Net;
using System.Net.Sockets;
using DpdkSharp.Hosting;
using DpdkSharp.Stack.Dpdk.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace DpdkSharp.AspNetCore.Tests;

/// <summary>UseDpdk in this process: registration, option checks, and the one host the EAL allows per process.</summary>
public sealed class HostTests
{
    [Fact]
    public void The_DPDK_factory_is_asked_first_and_takes_any_address_and_its_own_but_leaves_loopback_and_unix_sockets_to_the_kernel()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseDpdk(o => (o.Device, o.Address) = ("net_tap0,iface=dhreg0", "10.79.0.2/24"));
        using var app = builder.Build();
        // Kestrel asks the factories in reverse registration order: the last one must be ours.
        var selector = Assert.IsAssignableFrom<IConnectionListenerFactorySelector>(app.Services.GetServices<IConnectionListenerFactory>().Last());
        Assert.True(selector.CanBind(new IPEndPoint(IPAddress.Any, 80)));
        Assert.True(selector.CanBind(new IPEndPoint(IPAddress.IPv6Any, 80)));
        Assert.True(selector.CanBind(new IPEndPoint(IPAddress.Parse("10.79.0.2"), 80)));
        Assert.False(selector.CanBind(new IPEndPoint(IPAddress.Loopback, 80)));
        Assert.False(selector.CanBind(new IPEndPoint(IPAddress.Parse("10.79.0.3"), 80)));
        Assert.False(selector.CanBind(new UnixDomainSocketEndPoint("/tmp/x.sock")));
        Assert.False(app.Services.GetRequiredService<DpdkNetwork>().IsRunning); // nothing started before the host starts
    }

    [Theory]
    [InlineData("10.79.0.2", "Address")]
    [InlineData("10.79.0.256/24", "Address")]
    [InlineData("10.79.0.2/33", "Address")]
    [InlineData("fe80::1/64", "Address")]
    public void A_bad_address_is_refused_by_UseDpdk_with_what_is_wrong(string address, string named)
    {
        var builder = WebApplication.CreateBuilder();
        // WebApplicationBuilder runs service configuration at once: the line with the mistake throws.
        var e = Assert.Throws<ArgumentException>(() => builder.WebHost.UseDpdk(o => (o.Device, o.Address) = ("net_tap0", address)));
        Assert.Contains(named, e.Message);
        Assert.Contains(address, e.Message);
    }

    [Fact]
    public void UseDpdk_twice_on_one_host_is_refused()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseDpdk(o => (o.Device, o.Address) = ("net_tap0", "10.79.0.2/24"));
        var e = Assert.Throws<InvalidOperationException>(() => builder.WebHost.UseDpdk(o => (o.Device, o.Address) = ("net_tap0", "10.79.0.2/24")));
        Assert.Contains("UseDpdk was already called", e.Message);
    }

    [Fact]
    public async Task A_host_serves_on_DPDK_stops_with_every_mbuf_back_and_no_second_one_can_start_in_the_process()
    {
        Shell.RequireRoot();
        string iface = $"dhin{Environment.ProcessId}", netns = $"dpdksharp-aspnet-in-{Environment.ProcessId}";
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseDpdk(o =>
        {
            o.Device = $"net_tap0,iface={iface}";
            o.Address = "10.79.0.2/24";
            o.MbufCount = 2047;
        });
        builder.WebHost.ConfigureKestrel(k => k.ListenAnyIP(8080));
        var app = builder.Build();
        app.MapGet("/", () => "in process\n");
        var network = app.Services.GetRequiredService<DpdkNetwork>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await app.StartAsync(stop.Token);
        try
        {
            Assert.True(network.IsRunning);
            Shell.Check("ip", "netns", "add", netns);
            Shell.Check("ip", "link", "set", iface, "netns", netns);
            Shell.Check("ip", "-n", netns, "addr", "add", "10.79.0.1/24", "dev", iface);
            Shell.Check("ip", "-n", netns, "link", "set", iface, "up");
            var r = Shell.Run("ip", ["netns", "exec", netns, "curl", "-sS", "-m", "20", "http://10.79.0.2:8080/"], TimeSpan.FromSeconds(30));
            Assert.True(r.ExitCode == 0, r.All);
            Assert.Equal("in process\n", r.Output);
        }
        finally
        {
            await app.StopAsync(stop.Token);
            await app.DisposeAsync();
            Shell.Run("ip", "netns", "del", netns);
        }
        Assert.False(network.IsRunning);
        Assert.Equal(0, network.MbufsInUseAtStop);
        Assert.DoesNotContain(iface, Shell.Check("ip", "-o", "link", "show")); // the port closed: the kernel removed the TAP

        var second = WebApplication.CreateBuilder();
        second.WebHost.UseDpdk(o =>
        {
            o.Device = $"net_tap0,iface={iface}";
            o.Address = "10.79.0.2/24";
        });
        second.WebHost.ConfigureKestrel(k => k.ListenAnyIP(8080));
        await using var secondApp = second.Build();
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => secondApp.StartAsync(stop.Token));
        Assert.Contains("One host with DPDK may run per process", e.Message);
    }
}
