using System.Diagnostics.Metrics;
using DpdkSharp.Runtime;
using DpdkSharp.Runtime.Polling;
using Microsoft.Extensions.Logging;

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

    /// <summary>
    /// The interface's MAC; null takes the port's, except on <c>net_tap</c>, whose kernel end already has the
    /// port's: there a locally administered MAC made from the address (02:00:a.b.c.d) is used.
    /// </summary>
    public string? Mac { get; init; }

    /// <summary>The IP MTU.</summary>
    public int Mtu { get; init; } = 1500;

    /// <summary>
    /// IPv4 multicast groups the interface receives from the start and reports by IGMP (e.g. <c>239.1.2.3</c>); sockets
    /// can join more with <see cref="Sockets.UdpSocket.JoinMulticastGroup"/>.
    /// </summary>
    public IReadOnlyList<string> MulticastGroups { get; init; } = [];

    /// <summary>EAL's lcore list (<c>-l</c>).</summary>
    public string Lcores { get; init; } = "0";

    /// <summary>The CPU the reactor thread is pinned to; null leaves it to the scheduler.</summary>
    public int? ReactorCpu { get; init; }

    /// <summary>Use hugepages (they must be reserved); false runs on ordinary memory (<c>--no-huge</c>); null: when a hugetlbfs is mounted with free pages.</summary>
    public bool? UseHugepages { get; init; } = false;

    /// <summary>Mbufs in each of the receive and transmit pools.</summary>
    public int MbufCount { get; init; } = 4095;

    /// <summary>Receive and transmit descriptors of the port's queue.</summary>
    public int Descriptors { get; init; } = 1024;

    /// <summary>
    /// How the reactor waits when no packets come: <see cref="RxMode.Poll"/> (the default) spins, napping briefly
    /// after long idle (lowest latency, one core busy, every driver); <see cref="RxMode.Adaptive"/> polls while traffic
    /// flows and sleeps on the queue's RX interrupt otherwise (a driver with RX interrupts: net_tap has them).
    /// </summary>
    public RxMode RxMode { get; init; } = RxMode.Poll;

    /// <summary>
    /// <see cref="RxMode.Poll"/>: for how long after traffic the reactor, finding its queue empty, sleeps only a few
    /// microseconds between polls (giving the CPU to the application's threads, Kestrel's thread pool say, when they
    /// share it) before it naps for a millisecond; <see cref="TimeSpan.Zero"/> naps right away (less CPU between
    /// bursts, a longer wait for the next). See <see cref="ReactorOptions.ShortSleepWindow"/>.
    /// </summary>
    public TimeSpan ShortSleepWindow { get; init; } = ReactorDefaults.ShortSleepWindow;

    /// <summary>
    /// <see cref="RxMode.Poll"/>: empty polls the reactor spins through before it sleeps (see
    /// <see cref="ReactorOptions.SpinIterationsBeforeSleep"/>); <see cref="int.MaxValue"/> busy-polls and never sleeps,
    /// the classic DPDK loop, for a reactor with a core of its own. Negative is refused.
    /// </summary>
    public int SpinIterationsBeforeSleep { get; init; } = ReactorDefaults.SpinIterationsBeforeSleep;

    /// <summary>How long stopping waits for the FIN handshakes of TCP connections still open before resetting them.</summary>
    public TimeSpan TcpShutdownTimeout { get; init; } = ReactorDefaults.TcpShutdownTimeout;

    /// <summary>The reactor's own defaults, which the settings above passed on to it start from.</summary>
    private static readonly ReactorOptions ReactorDefaults = new();

    /// <summary>Where DPDK's own log, the runtime's and the interface's go (null: DPDK logs as it does by default, the rest nowhere).</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The factory of the stack's meters (<see cref="NetMetrics.MeterName"/>); null: a meter of its own.</summary>
    public IMeterFactory? MeterFactory { get; init; }

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

    /// <summary>
    /// Checks the options without starting anything (<see cref="DpdkStack.Start"/> checks them too), so a mistake
    /// shows where the options are made.
    /// </summary>
    /// <exception cref="ArgumentException">What is wrong, naming the option and its value.</exception>
    public void Validate() => _ = DpdkStackSettings.Parse(this);
}
