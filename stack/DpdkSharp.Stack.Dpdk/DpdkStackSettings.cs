using System.Net;
using System.Net.Sockets;

namespace DpdkSharp.Stack.Dpdk;

/// <summary>
/// The checks and parsing behind <see cref="DpdkStackOptions.Validate"/> and <see cref="DpdkStack.Start"/>: one place
/// that turns the options' text (address/prefix, gateway, MAC) into the interface's options, or says what is wrong.
/// </summary>
internal static class DpdkStackSettings
{
    /// <summary>The interface options the stack starts with (before <see cref="DpdkStackOptions.ConfigureInterface"/>).</summary>
    public static InterfaceOptions Parse(DpdkStackOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Device))
        {
            throw new ArgumentException("Device is empty: give a virtual device (net_tap0,iface=dtap0) or the PCI address of a NIC bound to vfio-pci.");
        }
        var parts = (options.Address ?? "").Split('/');
        if (parts.Length != 2 || ParseIpv4(parts[0]) is not Ipv4Address address || !int.TryParse(parts[1], out int prefix) || prefix is < 1 or > 32)
        {
            throw new ArgumentException($"Address '{options.Address}' is not an IPv4 address with a prefix length (for example 10.77.0.2/24).");
        }
        Ipv4Address? gateway = null;
        if (options.Gateway is not null)
        {
            gateway = ParseIpv4(options.Gateway) ?? throw new ArgumentException($"Gateway '{options.Gateway}' is not an IPv4 address.");
        }
        MacAddress mac = default;
        if (options.Mac is not null)
        {
            try
            {
                mac = MacAddress.Parse(options.Mac);
            }
            catch (FormatException e)
            {
                throw new ArgumentException($"Mac '{options.Mac}' is not a MAC address (for example 02:00:00:00:00:01).", e);
            }
        }
        else if (options.PortName.StartsWith("net_tap", StringComparison.Ordinal))
        {
            // net_tap gives its kernel end the port's MAC: the stack would drop every kernel frame as its own.
            mac = new MacAddress(0x0200_0000_0000UL | address.Value);
        }
        var groups = new List<Ipv4Address>();
        foreach (var text in options.MulticastGroups ?? [])
        {
            var group = ParseIpv4(text ?? "");
            Check(group is { IsMulticast: true }, $"MulticastGroups entry '{text}' is not an IPv4 multicast address (224.0.0.0/4, for example 239.1.2.3).");
            groups.Add(group!.Value);
        }
        Check(options.Mtu is >= 68 and <= 9000, $"Mtu {options.Mtu} is outside 68..9000.");
        Check(options.MbufCount >= 255, $"MbufCount {options.MbufCount} is below 255: a port's receive ring alone holds more.");
        Check(options.Descriptors is >= 64 and <= 16384, $"Descriptors {options.Descriptors} is outside 64..16384.");
        Check(options.TcpShutdownTimeout >= TimeSpan.Zero, $"TcpShutdownTimeout {options.TcpShutdownTimeout} is negative.");
        Check(options.ShortSleepWindow >= TimeSpan.Zero, $"ShortSleepWindow {options.ShortSleepWindow} is negative.");
        Check(options.SpinIterationsBeforeSleep >= 0, $"SpinIterationsBeforeSleep {options.SpinIterationsBeforeSleep} is negative.");
        Check(options.ReactorCpu is null or >= 0, $"ReactorCpu {options.ReactorCpu} is negative.");
        Check(!string.IsNullOrWhiteSpace(options.Lcores), "Lcores is empty: give the EAL's lcore list (for example 0 or 2-3).");
        return new InterfaceOptions
        {
            Name = options.PortName,
            Address = address,
            PrefixLength = prefix,
            Gateway = gateway,
            Mac = mac,
            Mtu = options.Mtu,
            MulticastGroups = groups,
            LoggerFactory = options.LoggerFactory,
            MeterFactory = options.MeterFactory,
        };
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }

    private static Ipv4Address? ParseIpv4(string text) =>
        IPAddress.TryParse(text, out var ip) && ip.AddressFamily == AddressFamily.InterNetwork ? Ipv4Address.Parse(text) : null;
}
