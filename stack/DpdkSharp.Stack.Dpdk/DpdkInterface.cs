using DpdkSharp.Runtime;
using DpdkSharp.Runtime.Polling;
using Microsoft.Extensions.Logging;

namespace DpdkSharp.Stack.Dpdk;

/// <summary>
/// An IPv4 interface on one queue pair of a started DPDK port: the interface core, its device
/// binding and its reactor, created together and torn down together. Sockets are made with
/// <c>new UdpSocket(iface.Reactor)</c>.
/// </summary>
/// <remarks>
/// <para>Addressing: the interface takes the port's MAC unless <see cref="InterfaceOptions.Mac"/>
/// names another (a TAP port needs another: the kernel side has the port's), and its MTU may not
/// exceed the port's.</para>
/// <para>Checksums: the core leaves to the device what the port was configured to compute on
/// transmit (<see cref="PortConfig.TxOffloads"/>: IPv4 and UDP checksums) and trusts the verdicts
/// the device puts on received mbufs (<see cref="PortConfig.RxOffloads"/>); everything else is
/// done in software.</para>
/// <para>Metrics: with <see cref="InterfaceOptions.PublishMetrics"/>, the port's own drop counters
/// are published beside the core's (<see cref="PortMetrics"/>).</para>
/// <para>One interface per port queue: the queue is claimed (<see cref="Port.ClaimQueue"/>) until
/// <see cref="Dispose"/>, so a second interface or device on it is refused.</para>
/// <para>Logging: with <see cref="InterfaceOptions.LoggerFactory"/>, the interface logs going up and down,
/// port link changes (checked once a second) and a reactor fault (category <see cref="LogCategory"/>);
/// the core logs address conflicts and ARP failures.</para>
/// <para>Teardown: the port and pools stay the caller's: after <see cref="Dispose"/> every mbuf this interface
/// rented is back in the transmit pool (frames waiting for ARP included), and the caller
/// stops and closes the port (<see cref="Port.Dispose"/>) before disposing the pools: declare the pools'
/// <c>using</c> first, then the port's, then the interface's.</para>
/// </remarks>
public sealed class DpdkInterface : IDisposable
{
    /// <summary>Builds the core for <paramref name="options"/> on queue <paramref name="queue"/> of <paramref name="port"/>; <see cref="Start"/> runs it.</summary>
    /// <param name="port">A configured, started port.</param>
    /// <param name="txPool">Where the core rents transmit mbufs.</param>
    /// <param name="options">The interface's static configuration.</param>
    /// <param name="queue">The rx/tx queue pair the reactor polls.</param>
    /// <param name="reactorOptions">Thread name, CPU, idle behaviour of the reactor.</param>
    /// <param name="registerReactorThread">Make the reactor thread an lcore (see <see cref="PortQueueDevice(RxQueue, TxQueue, Mempool, bool, RxWaitOptions?)"/>: off when secondary processes must attach).</param>
    /// <param name="rxWait">How the reactor waits when idle (see <see cref="PortQueueDevice"/>'s constructor): RX interrupts need a port configured with <see cref="PortConfig.RxInterrupts"/>.</param>
    public DpdkInterface(Port port, Mempool txPool, InterfaceOptions options, int queue = 0, ReactorOptions? reactorOptions = null, bool registerReactorThread = true,
        RxWaitOptions? rxWait = null)
        : this(port, txPool, options, queue, reactorOptions, registerReactorThread, rxWait, decorateDevice: null)
    {
    }

    /// <summary>
    /// Like the other constructor (queue 0, default reactor options, busy polling), but the reactor
    /// runs on the device <paramref name="decorateDevice"/> makes of the port queue's: a decorator
    /// such as the testing package's <c>ImpairedDevice</c>, which loses, reorders, duplicates,
    /// corrupts or delays the queue's traffic where the kernel offers no netem. The core rents from
    /// and sends through the decorator's <see cref="IReactorDevice.Pool"/> and <see cref="IReactorDevice.Sink"/>.
    /// </summary>
    /// <param name="port">A configured, started port.</param>
    /// <param name="txPool">Where the core rents transmit mbufs.</param>
    /// <param name="options">The interface's static configuration.</param>
    /// <param name="decorateDevice">Given the port queue's device (<see cref="Device"/>), returns the one the reactor uses.
    /// When that one is <see cref="IDisposable"/>, <see cref="Dispose"/> disposes it after the reactor has stopped.</param>
    public DpdkInterface(Port port, Mempool txPool, InterfaceOptions options, Func<PortQueueDevice, IReactorDevice> decorateDevice)
        : this(port, txPool, options, 0, null, true, null, decorateDevice ?? throw new ArgumentNullException(nameof(decorateDevice)))
    {
    }

    private DpdkInterface(Port port, Mempool txPool, InterfaceOptions options, int queue, ReactorOptions? reactorOptions, bool registerReactorThread,
        RxWaitOptions? rxWait, Func<PortQueueDevice, IReactorDevice>? decorateDevice)
    {
        ArgumentNullException.ThrowIfNull(options);
        Port = port;
        if (options.Mtu > port.Mtu)
        {
            throw new ArgumentException($"Interface '{options.Name}' has MTU {options.Mtu} but port {port.Id} has {port.Mtu}: configure the port with PortConfig.Mtu (jumbo frames included) first.", nameof(options));
        }
        if (options.Mac.IsZero)
        {
            var mac = port.MacAddress;
            if (mac.IsZero || mac.IsMulticast)
            {
                throw new ArgumentException($"Interface '{options.Name}' has no MAC and port {port.Id} has no unicast one ({mac}): set InterfaceOptions.Mac or the port's MAC address.", nameof(options));
            }
            options = options with { Mac = mac };
        }
        var offloads = ChecksumOffloadsOf(port.ConfiguredTxOffloads);
        if ((options.Offloads & ~offloads) != 0)
        {
            throw new ArgumentException($"Interface '{options.Name}' asks for checksum offloads ({options.Offloads}) the port is not configured with (its transmit offloads: {port.ConfiguredTxOffloads}).", nameof(options));
        }
        var threadName = reactorOptions?.ThreadName ?? $"reactor-{port.Id}.{queue}";
        Device = new PortQueueDevice(port.GetRxQueue(queue), port.GetTxQueue(queue), txPool, registerReactorThread, rxWait,
            $"DpdkInterface '{options.Name}' (reactor thread '{threadName}')");
        try
        {
            ReactorDevice = decorateDevice is null ? Device : decorateDevice(Device);
            var core = new NetworkInterfaceCore(options with { Offloads = offloads }, ReactorDevice.Pool, ReactorDevice.Sink);
            Reactor = new Reactor(core, ReactorDevice, reactorOptions ?? new ReactorOptions { ThreadName = threadName });
            if (options.PublishMetrics)
            {
                Metrics = new PortMetrics(port, options.Name, options.MeterFactory);
            }
        }
        catch
        {
            Device.Dispose(); // the queue is free again for a corrected attempt
            throw;
        }
        Queue = queue;
        _log = options.LoggerFactory is { } factory ? new InterfaceWatch(this, factory.CreateLogger(LogCategory)) : null;
    }

    /// <summary>The logging category of the interface's lifecycle, link and reactor messages (<see cref="InterfaceOptions.LoggerFactory"/>).</summary>
    public const string LogCategory = "DpdkSharp.Stack.Dpdk";

    private readonly InterfaceWatch? _log;

    /// <summary>The queue pair the reactor polls.</summary>
    public int Queue { get; }

    /// <summary>The checksums a port configured with <paramref name="tx"/> computes on transmit.</summary>
    public static ChecksumOffloads ChecksumOffloadsOf(TxOffloads tx) =>
        ((tx & TxOffloads.Ipv4Checksum) != 0 ? ChecksumOffloads.Ipv4Tx : ChecksumOffloads.None)
        | ((tx & TxOffloads.UdpChecksum) != 0 ? ChecksumOffloads.UdpTx : ChecksumOffloads.None)
        | ((tx & TxOffloads.TcpChecksum) != 0 ? ChecksumOffloads.TcpTx : ChecksumOffloads.None);

    /// <summary>The port's counters as metrics, when the options publish them.</summary>
    public PortMetrics? Metrics { get; }

    /// <summary>The port.</summary>
    public Port Port { get; }

    /// <summary>The queue binding, with rx/tx counters.</summary>
    public PortQueueDevice Device { get; }

    /// <summary>The device the reactor runs on: <see cref="Device"/>, or what the constructor's decorator made of it.</summary>
    public IReactorDevice ReactorDevice { get; }

    /// <summary>The reactor that owns the core.</summary>
    public Reactor Reactor { get; }

    /// <summary>The interface core (reactor thread only, except its counters).</summary>
    public NetworkInterfaceCore Core => Reactor.Core;

    /// <summary>Starts the reactor thread; with a logger, logs the interface up and starts watching the port's link and the reactor.</summary>
    public void Start()
    {
        Reactor.Start();
        _log?.Started();
    }

    /// <summary>
    /// Stops the reactor and drains (see <see cref="Reactor"/>), then releases the port queue for another interface.
    /// With a logger, logs the interface down and a reactor fault not logged yet.
    /// </summary>
    public void Dispose()
    {
        Metrics?.Dispose(); // before the caller closes the port: the callbacks read its stats
        try
        {
            Reactor.Dispose();
        }
        finally
        {
            _log?.Stopped();
            if (!ReferenceEquals(ReactorDevice, Device) && ReactorDevice is IDisposable decorator)
            {
                decorator.Dispose(); // frames it still holds go back to their pools
            }
            Device.Dispose();
        }
    }
}
