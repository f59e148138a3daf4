using DpdkSharp.Runtime;
using DpdkSharp.Runtime.Polling;

namespace DpdkSharp.AspNetCore;

/// <summary>
/// What <see cref="DpdkWebHostBuilderExtensions.UseDpdk"/> sets up: the DPDK device, the interface's
/// addressing, the lcores and the reactor's CPU, the pools and the TCP options of accepted connections.
/// </summary>
public sealed class DpdkTransportOptions
{
    /// <summary>
    /// The virtual device given to the EAL (<c>--vdev</c>), for example <c>net_tap0,iface=dtap0</c>
    /// (the kernel gets an interface named <c>dtap0</c>); null when <see cref="PortName"/> names a
    /// physical port the EAL finds on its own (see <see cref="EalArguments"/> for PCI allow lists).
    /// </summary>
    public string? Device { get; set; } = "net_tap0,iface=dtap0";

    /// <summary>The port to use, by DPDK's name; null for the <see cref="Device"/>'s name (the text before its first comma).</summary>
    public string? PortName { get; set; }

    /// <summary>The interface's IPv4 address with its prefix length, for example <c>10.77.0.2/24</c>.</summary>
    public string Address { get; set; } = "10.77.0.2/24";

    /// <summary>The default gateway, or null for on-link destinations only.</summary>
    public string? Gateway { get; set; }

    /// <summary>
    /// The interface's MAC address; null for the port's own, except on <c>net_tap</c>, whose kernel end
    /// already has the port's: there a locally administered MAC made from the address (02:00:a.b.c.d) is used.
    /// </summary>
    public string? Mac { get; set; }

    /// <summary>The interface's MTU.</summary>
    public int Mtu { get; set; } = 1500;

    /// <summary>The EAL's lcores (<c>-l</c>), for example <c>0</c> or <c>2-3</c>.</summary>
    public string Lcores { get; set; } = "0";

    /// <summary>The CPU the reactor thread is pinned to; null to let the scheduler place it.</summary>
    public int? ReactorCpu { get; set; }

    /// <summary>
    /// How the reactor waits when no packets come: <see cref="RxMode.Adaptive"/> (the default) polls while
    /// traffic flows and sleeps on the queue's RX interrupt otherwise, so an idle server costs no core and a
    /// packet wakes it at once; <see cref="RxMode.Poll"/> spins (lowest latency, one core busy, every driver),
    /// napping briefly only after long idle. Interrupt modes need a driver with RX interrupts (net_tap has them).
    /// </summary>
    public RxMode RxMode { get; set; } = RxMode.Adaptive;

    /// <summary>Mbufs in each of the receive and transmit pools.</summary>
    public int PoolSize { get; set; } = 8191;

    /// <summary>Receive and transmit descriptors of the port's queue.</summary>
    public int Descriptors { get; set; } = 1024;

    /// <summary>Use hugepages (null: when the machine has them).</summary>
    public bool? UseHugepages { get; set; }

    /// <summary>More EAL arguments, appended as given (for example <c>-a 0000:01:00.0</c>).</summary>
    public IList<string> EalArguments { get; } = new List<string>();

    /// <summary>The DPDK log level the EAL starts with.</summary>
    public DpdkLogLevel DpdkLogLevel { get; set; } = DpdkLogLevel.Error;

    /// <summary>TCP options of accepted connections; null for the stack's defaults. Nagle is always off, as in Kestrel's socket transport.</summary>
    public TcpSocketOptions? SocketOptions { get; set; }

    /// <summary>The SYN and accept queue length of each listener.</summary>
    public int Backlog { get; set; } = 512;

    /// <summary>How long the stack waits, when the host stops, for the FIN handshakes of connections still open before resetting them.</summary>
    public TimeSpan TcpShutdownTimeout { get; set; } = TimeSpan.FromSeconds(3);

    internal Ipv4Address ParsedAddress { get; private set; }

    internal int PrefixLength { get; private set; }

    internal Ipv4Address? ParsedGateway { get; private set; }

    internal string ResolvedPortName { get; private set; } = "";

    /// <summary>Checks the settings and parses the addresses (throws <see cref="ArgumentException"/> with what is wrong).</summary>
    internal void Validate()
    {
        var parts = Address.Split('/');
        if (parts.Length != 2 || TryParseIpv4(parts[0]) is not Ipv4Address address || !int.TryParse(parts[1], out var prefix) || prefix is < 1 or > 32)
        {
            throw new ArgumentException($"DpdkTransportOptions.Address '{Address}' is not an IPv4 address with a prefix length (for example 10.77.0.2/24).");
        }
        ParsedAddress = address;
        PrefixLength = prefix;
        if (Gateway is not null)
        {
            ParsedGateway = TryParseIpv4(Gateway)
                ?? throw new ArgumentException($"DpdkTransportOptions.Gateway '{Gateway}' is not an IPv4 address.");
        }
        if (Mac is not null)
        {
            try
            {
                MacAddress.Parse(Mac);
            }
            catch (FormatException e)
            {
                throw new ArgumentException($"DpdkTransportOptions.Mac '{Mac}' is not a MAC address.", e);
            }
        }
        ResolvedPortName = PortName ?? Device?.Split(',')[0]
            ?? throw new ArgumentException("DpdkTransportOptions needs a Device (a --vdev) or a PortName.");
        ArgumentOutOfRangeException.ThrowIfLessThan(PoolSize, 255, nameof(PoolSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(Backlog, 1, nameof(Backlog));
        ArgumentOutOfRangeException.ThrowIfLessThan(TcpShutdownTimeout, TimeSpan.Zero, nameof(TcpShutdownTimeout));
        SocketOptions?.Validate();
    }

    private static Ipv4Address? TryParseIpv4(string text) =>
        System.Net.IPAddress.TryParse(text, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            ? Ipv4Address.Parse(text)
            : null;

    /// <summary>The MAC the interface uses: the configured one, one made from the address on net_tap, or none (the port's).</summary>
    internal MacAddress ResolveMac()
    {
        if (Mac is not null)
        {
            return MacAddress.Parse(Mac);
        }
        if (ResolvedPortName.StartsWith("net_tap", StringComparison.Ordinal))
        {
            return new MacAddress(0x0200_0000_0000UL | ParsedAddress.Value);
        }
        return default;
    }
}
