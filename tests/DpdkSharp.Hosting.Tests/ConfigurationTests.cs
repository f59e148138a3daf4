using DpdkSharp.Runtime;
using DpdkSharp.Runtime.Polling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DpdkSharp.Hosting.Tests;

/// <summary>AddDpdk's options from configuration and code: what binds, and what a mistake says (nothing here starts DPDK).</summary>
public sealed class ConfigurationTests
{
    private static IConfigurationSection Section(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("Dpdk:" + v.Key, v.Value)))
            .Build()
            .GetSection("Dpdk");

    [Fact]
    public void Every_setting_binds_from_configuration_and_the_stack_waits_for_the_host_to_start()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddDpdk(Section(
            ("Device", "net_tap0,iface=dhcfg0"), ("Address", "10.80.0.2/24"), ("Gateway", "10.80.0.1"), ("Mac", "02:00:00:00:00:09"),
            ("Mtu", "1400"), ("Lcores", "1"), ("ReactorCpu", "1"), ("RxMode", "Poll"), ("MbufCount", "1023"), ("Descriptors", "512"),
            ("UseHugepages", "false"), ("ExtraEalArguments:0", "--log-color"), ("LogLevel", "Warning"), ("TcpShutdownTimeout", "00:00:05"),
            ("ShortSleepWindow", "00:00:00.005"), ("SpinIterationsBeforeSleep", "64"), ("MulticastGroups:0", "239.1.2.3")));
        using var host = builder.Build();
        var network = host.Services.GetRequiredService<DpdkNetwork>();
        var o = network.Options;
        Assert.Equal(("net_tap0,iface=dhcfg0", "10.80.0.2/24", "10.80.0.1", "02:00:00:00:00:09"), (o.Device, o.Address, o.Gateway, o.Mac));
        Assert.Equal((1400, "1", 1, RxMode.Poll, 1023, 512), (o.Mtu, o.Lcores, o.ReactorCpu, o.RxMode, o.MbufCount, o.Descriptors));
        Assert.Equal((false, DpdkLogLevel.Warning, TimeSpan.FromSeconds(5)), (o.UseHugepages, o.LogLevel, o.TcpShutdownTimeout));
        Assert.Equal(["--log-color"], o.ExtraEalArguments);
        Assert.Equal(["239.1.2.3"], o.MulticastGroups);
        Assert.Equal((TimeSpan.FromMilliseconds(5), 64), (o.ShortSleepWindow, o.SpinIterationsBeforeSleep));
        Assert.Same(o, host.Services.GetRequiredService<DpdkOptions>());
        Assert.False(network.IsRunning);
        var e = Assert.Throws<InvalidOperationException>(() => network.Reactor);
        Assert.Contains("starts with the host", e.Message);
    }

    [Fact]
    public void A_missing_section_is_refused_naming_it()
    {
        var services = new ServiceCollection();
        var e = Assert.Throws<ArgumentException>(() => services.AddDpdk(new ConfigurationBuilder().Build().GetSection("Dpdk")));
        Assert.Contains("'Dpdk'", e.Message);
        Assert.Contains("missing or empty", e.Message);
    }

    [Fact]
    public void A_misspelt_setting_is_refused_naming_the_key_instead_of_being_ignored()
    {
        var e = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddDpdk(Section(("Device", "net_tap0"), ("Adress", "10.80.0.2/24"))));
        Assert.Contains("'Dpdk'", e.Message);
        Assert.Contains("Adress", e.Message);
    }

    [Theory]
    [InlineData("Mtu", "big", "Mtu")]
    [InlineData("RxMode", "Sometimes", "RxMode")]
    [InlineData("Address", "10.80.0.2", "Address '10.80.0.2'")]
    [InlineData("Address", "fe80::1/64", "Address 'fe80::1/64'")]
    [InlineData("Gateway", "router", "Gateway 'router'")]
    [InlineData("Mac", "02:00", "Mac '02:00'")]
    [InlineData("MbufCount", "10", "MbufCount 10")]
    [InlineData("SpinIterationsBeforeSleep", "-1", "SpinIterationsBeforeSleep")]
    [InlineData("MulticastGroups:0", "10.1.2.3", "MulticastGroups entry '10.1.2.3'")]
    public void A_value_that_cannot_be_used_is_refused_naming_the_section_and_the_setting(string key, string value, string named)
    {
        var values = new Dictionary<string, string> { ["Device"] = "net_tap0", ["Address"] = "10.80.0.2/24", [key] = value };
        var e = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddDpdk(Section([.. values.Select(kv => (kv.Key, kv.Value))])));
        Assert.StartsWith("Configuration section 'Dpdk' for AddDpdk:", e.Message);
        Assert.Contains(named, e.Message);
    }

    [Fact]
    public void Options_without_a_device_or_an_address_are_refused_saying_which_is_missing()
    {
        var noDevice = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddDpdk(o => o.Address = "10.80.0.2/24"));
        Assert.StartsWith("Device is not set", noDevice.Message);
        var noAddress = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddDpdk(o => o.Device = "net_tap0"));
        Assert.StartsWith("Address is not set", noAddress.Message);
    }

    [Fact]
    public void AddDpdk_twice_on_one_host_is_refused()
    {
        var services = new ServiceCollection().AddDpdk(o => (o.Device, o.Address) = ("net_tap0", "10.80.0.2/24"));
        var e = Assert.Throws<InvalidOperationException>(() => services.AddDpdk(o => (o.Device, o.Address) = ("net_tap0", "10.80.0.2/24")));
        Assert.Contains("AddDpdk was already called", e.Message);
    }
}
