using DpdkSharp.Runtime;
using DpdkSharp.Runtime.Polling;
using DpdkSharp.Stack;
using DpdkSharp.Stack.Dpdk;

namespace DpdkSharp.Hosting;

/// <summary>
/// What a host's DPDK stack is made of (<see cref="DpdkServiceCollectionExtensions.AddDpdk(Microsoft.Extensions.DependencyInjection.IServiceCollection, DpdkOptions)"/>):
/// the device, the interface's addressing, lcores, pools and the reactor. Settable properties, so it binds from
/// configuration (a section such as <c>"Dpdk": { "Device": "net_tap0,iface=dtap0", "Address": "10.77.0.2/24" }</c>)
/// or is set in code; <see cref="Validate"/> says what is wrong. The same settings as <see cref="DpdkStackOptions"/>,
/// with a server's defaults (RX interrupts when idle, hugepages when mounted, larger pools).
/// </summary>
public class DpdkOptions
{
    /// <summary>
    /// The port: a virtual device spec (<c>net_tap0,iface=dtap0</c>, <c>net_memif0,...</c>) or the PCI address of a
    /// NIC bound to vfio-pci (<c>0000:03:00.0</c>). Required.
    /// </summary>
    public string? Device { get; set; }

    /// <summary>The interface's IPv4 address with its prefix length, for example <c>10.77.0.2/24</c>. Required.</summary>
    public string? Address { get; set; }

    /// <summary>The default gateway, or null for on-link destinations only.</summary>
    public string? Gateway { get; set; }

    /// <summary>
    /// The interface's MAC; null for the port's own, except on <c>net_tap</c>, whose kernel end already has the
    /// port's: there a locally administered MAC made from the address (02:00:a.b.c.d) is used.
    /// </summary>
    public string? Mac { get; set; }

    /// <summary>The IP MTU.</summary>
    public int Mtu { get; set; } = 1500;

    /// <summary>The EAL's lcores (<c>-l</c>), for example <c>0</c> or <c>2-3</c>.</summary>
    public string Lcores { get; set; } = "0";

    /// <summary>The CPU the reactor thread is pinned to; null lets the scheduler place it.</summary>
    public int? ReactorCpu { get; set; }

    /// <summary>
    /// How the reactor waits when no packets come: <see cref="RxMode.Adaptive"/> (the default) polls while traffic
    /// flows and sleeps on the queue's RX interrupt otherwise, so an idle server costs no core and a packet wakes it
    /// at once; <see cref="RxMode.Poll"/> spins (lowest latency, one core busy, every driver). Interrupt modes need
    /// a driver with RX interrupts (net_tap has them).
    /// </summary>
    public RxMode RxMode { get; set; } = RxMode.Adaptive;

    /// <summary>
    /// <see cref="RxMode.Poll"/>: for how long after traffic the reactor, finding its queue empty, sleeps only a few
    /// microseconds between polls before it naps for a millisecond (see <see cref="DpdkStackOptions.ShortSleepWindow"/>).
    /// </summary>
    public TimeSpan ShortSleepWindow { get; set; } = ReactorDefaults.ShortSleepWindow;

    /// <summary>
    /// <see cref="RxMode.Poll"/>: empty polls the reactor spins through before it sleeps; <see cref="int.MaxValue"/>
    /// busy-polls, for a reactor with a core of its own (see <see cref="DpdkStackOptions.SpinIterationsBeforeSleep"/>).
    /// </summary>
    public int SpinIterationsBeforeSleep { get; set; } = ReactorDefaults.SpinIterationsBeforeSleep;

    /// <summary>The reactor's own defaults, which the two settings above start from.</summary>
    private static readonly ReactorOptions ReactorDefaults = new();

    /// <summary>Mbufs in each of the receive and transmit pools.</summary>
    public int MbufCount { get; set; } = 8191;

    /// <summary>Receive and transmit descriptors of the port's queue.</summary>
    public int Descriptors { get; set; } = 1024;

    /// <summary>Use hugepages; false runs on ordinary memory (<c>--no-huge</c>); null (the default): when a hugetlbfs is mounted with free pages.</summary>
    public bool? UseHugepages { get; set; }

    /// <summary>IPv4 multicast groups received from the start and reported by IGMP, for example <c>239.1.2.3</c> (in configuration, an array).</summary>
    public IList<string> MulticastGroups { get; } = new List<string>();

    /// <summary>More EAL arguments, appended as given (in configuration, an array).</summary>
    public IList<string> ExtraEalArguments { get; } = new List<string>();

    /// <summary>The DPDK log level the EAL starts with (DPDK's messages go to the host's logging).</summary>
    public DpdkLogLevel LogLevel { get; set; } = DpdkLogLevel.Error;

    /// <summary>How long the stack waits, when the host stops, for the FIN handshakes of TCP connections still open before resetting them.</summary>
    public TimeSpan TcpShutdownTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Checks the settings without starting anything.</summary>
    /// <exception cref="ArgumentException">What is wrong, naming the setting and its value.</exception>
    public virtual void Validate()
    {
        if (Device is null)
        {
            throw new ArgumentException("Device is not set: give a virtual device (net_tap0,iface=dtap0) or the PCI address of a NIC bound to vfio-pci (0000:03:00.0).");
        }
        if (Address is null)
        {
            throw new ArgumentException("Address is not set: give the interface's IPv4 address with its prefix length (10.77.0.2/24).");
        }
        ToStackOptions(null, null).Validate();
    }

    /// <summary>The options <see cref="DpdkStack.Start"/> takes, with the host's logging and meters.</summary>
    internal DpdkStackOptions ToStackOptions(Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory, System.Diagnostics.Metrics.IMeterFactory? meterFactory) => new()
    {
        Device = Device!,
        Address = Address!,
        Gateway = Gateway,
        Mac = Mac,
        Mtu = Mtu,
        Lcores = Lcores,
        ReactorCpu = ReactorCpu,
        RxMode = RxMode,
        ShortSleepWindow = ShortSleepWindow,
        SpinIterationsBeforeSleep = SpinIterationsBeforeSleep,
        MbufCount = MbufCount,
        Descriptors = Descriptors,
        UseHugepages = UseHugepages,
        ExtraEalArguments = [.. ExtraEalArguments],
        MulticastGroups = [.. MulticastGroups],
        LogLevel = LogLevel,
        TcpShutdownTimeout = TcpShutdownTimeout,
        LoggerFactory = loggerFactory,
        MeterFactory = meterFactory,
    };
}
