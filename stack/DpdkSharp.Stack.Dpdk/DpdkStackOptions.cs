using DpdkSharp.Runtime;

namespace DpdkSharp.Stack.Dpdk;

/// <summary>
/// Everything <see cref="DpdkStack.Start"/> needs to bring up a stack on one DPDK port: the device,
/// the address, and the few knobs most applications touch. Defaults need no hugepages and one core.
/// </summary>
public sealed record DpdkStackOptions
{
    /// <summary>
    /// The port: a virtual device spec (<c>net_tap0,iface=dtap0</c>, <c>net_memif0,...</c>) or the PCI
    /// address of a NIC bound to vfio-pci (<c>0000:03:00.0</c>).
    /// </summary>
    public required string Device { get; init; }

    /// <summary>The interface's address with its prefix length, e.g. <c>10.0.0.2/24</c>.</summary>
    public required string Address { get; init; }

    /// <summary>The default gateway, if any.</summary>
    public string? Gateway { get; init; }

    /// <summary>The interface's MAC; null takes the port's (a TAP port needs another: the kernel end has the port's).</summary>
    public string? Mac { get; init; }

    /// <summary>The IP MTU.</summary>
    public int Mtu { get; init; } = 1500;

    /// <summary>EAL's lcore list (<c>-l</c>).</summary>
    public string Lcores { get; init; } = "0";

    /// <summary>The CPU the reactor thread is pinned to; null leaves it to the scheduler.</summary>
    public int? ReactorCpu { get; init; }

    /// <summary>Use hugepages (they must be reserved); off runs on ordinary memory (<c>--no-huge</c>).</summary>
    public bool UseHugepages { get; init; }

    /// <summary>Mbufs in each of the receive and transmit pools.</summary>
    public int MbufCount { get; init; } = 4095;

    /// <summary>DPDK's log level.</summary>
    public DpdkLogLevel LogLevel { get; init; } = DpdkLogLevel.Error;

    /// <summary>More EAL arguments, passed as they are.</summary>
    public IReadOnlyList<string> ExtraEalArguments { get; init; } = [];

    /// <summary>Adjusts the interface's options (ARP, TCP, UDP limits, metrics) after the above are applied.</summary>
    public Func<InterfaceOptions, InterfaceOptions>? ConfigureInterface { get; init; }

    /// <summary>Whether <see cref="Device"/> names a virtual device (else a PCI address).</summary>
    public bool IsVirtualDevice => Device.StartsWith("net_", StringComparison.Ordinal) || Device.StartsWith("eth_", StringComparison.Ordinal);

    /// <summary>The ethdev name of the port <see cref="Device"/> creates (a vdev's name, or the PCI address).</summary>
    public string PortName => Device.Split(',')[0];
}
