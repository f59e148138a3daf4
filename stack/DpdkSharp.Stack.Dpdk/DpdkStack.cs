using System.Runtime.ExceptionServices;
using DpdkSharp.Runtime;

namespace DpdkSharp.Stack.Dpdk;

/// <summary>
/// One call for the common case: the EAL, the packet pools, the port (started) and an interface with
/// its reactor, built from one <see cref="DpdkStackOptions"/> and torn down in the right order by
/// <see cref="Dispose"/>. Sockets are made on <see cref="Reactor"/>:
/// <code>
/// using var stack = DpdkStack.Start(new DpdkStackOptions { Device = "net_tap0,iface=dtap0", Address = "10.0.0.2/24" });
/// using var udp = new UdpSocket(stack.Reactor);
/// var listener = new TcpSocketListener(stack.Reactor, 80);
/// </code>
/// </summary>
/// <remarks>
/// The EAL initializes once per process (DPDK's rule), so one <see cref="DpdkStack"/> lives at a time.
/// Teardown order: the interface (open TCP connections get their FINs, every mbuf it holds goes back),
/// then the port (stop, close: a TAP interface disappears), the pools, the EAL. A failure while
/// tearing down does not stop the later steps, and never replaces an exception already in flight:
/// disposal rethrows the first teardown error only when nothing else is failing.
/// </remarks>
public sealed class DpdkStack : IDisposable
{
    private readonly Eal _eal;
    private readonly Mempool _rxPool;
    private readonly Mempool _txPool;
    private int _disposed;

    private DpdkStack(Eal eal, Mempool rxPool, Mempool txPool, Port port, DpdkInterface iface)
    {
        _eal = eal;
        _rxPool = rxPool;
        _txPool = txPool;
        Port = port;
        Interface = iface;
    }

    /// <summary>The port.</summary>
    public Port Port { get; }

    /// <summary>The interface on the port's queue 0.</summary>
    public DpdkInterface Interface { get; }

    /// <summary>The reactor sockets are made on.</summary>
    public Reactor Reactor => Interface.Reactor;

    /// <summary>The interface core (counters, TCP counters, routes).</summary>
    public NetworkInterfaceCore Core => Interface.Core;

    /// <summary>Brings everything up; on failure, what was already made is torn down before the exception propagates.</summary>
    /// <exception cref="ArgumentException">An option that cannot be used (an address without a valid prefix, say).</exception>
    public static DpdkStack Start(DpdkStackOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var parts = options.Address.Split('/');
        if (parts.Length > 2 || !int.TryParse(parts.Length == 2 ? parts[1] : "24", out int prefix) || prefix is < 0 or > 32)
        {
            throw new ArgumentException($"Address '{options.Address}' is not an IPv4 address with an optional /prefix.", nameof(options));
        }
        var address = Ipv4Address.Parse(parts[0]);
        var interfaceOptions = new InterfaceOptions
        {
            Name = options.PortName,
            Address = address,
            PrefixLength = prefix,
            Gateway = options.Gateway is null ? null : Ipv4Address.Parse(options.Gateway),
            Mac = options.Mac is null ? default : MacAddress.Parse(options.Mac),
            Mtu = options.Mtu,
        };
        interfaceOptions = options.ConfigureInterface?.Invoke(interfaceOptions) ?? interfaceOptions;

        var undo = new Stack<Action>();
        try
        {
            var eal = Eal.Initialize(new EalOptions
            {
                Lcores = options.Lcores,
                InMemory = !options.UseHugepages,
                UseHugepages = options.UseHugepages,
                NoTelemetry = true,
                LogLevel = options.LogLevel,
                VirtualDevices = options.IsVirtualDevice ? [options.Device] : [],
                PciAllowList = options.IsVirtualDevice ? [] : [options.Device],
                ExtraArguments = options.ExtraEalArguments,
            });
            undo.Push(eal.Dispose);
            var rxPool = Mempool.CreatePacketPool("stack_rx", options.MbufCount);
            undo.Push(rxPool.Dispose);
            var txPool = Mempool.CreatePacketPool("stack_tx", options.MbufCount);
            undo.Push(txPool.Dispose);
            if (!Port.TryFindByName(options.PortName, out var port))
            {
                throw new InvalidOperationException($"DPDK created no port named '{options.PortName}' for device '{options.Device}': " +
                    (options.IsVirtualDevice ? "the virtual device failed to probe (TAP needs root or CAP_NET_ADMIN; see DPDK's log above)." : "is the NIC bound to vfio-pci (dpdk-devbind.py)?"));
            }
            port.Configure(new PortConfig { RxPool = rxPool, Mtu = options.Mtu > 1500 ? options.Mtu : null });
            port.Start();
            undo.Push(port.Dispose);
            var iface = new DpdkInterface(port, txPool, interfaceOptions,
                reactorOptions: new ReactorOptions { ThreadName = $"reactor-{options.PortName}", Cpu = options.ReactorCpu });
            undo.Push(iface.Dispose);
            iface.Start();
            return new DpdkStack(eal, rxPool, txPool, port, iface);
        }
        catch
        {
            Unwind(undo, inFlight: true);
            throw;
        }
    }

    /// <summary>Stops the interface (graceful TCP close), then the port, the pools and the EAL.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        var undo = new Stack<Action>();
        undo.Push(_eal.Dispose);
        undo.Push(_rxPool.Dispose);
        undo.Push(_txPool.Dispose);
        undo.Push(Port.Dispose);
        undo.Push(Interface.Dispose);
        Unwind(undo, inFlight: false);
    }

    /// <summary>Runs every step even if one fails; rethrows the first failure unless another exception is already propagating.</summary>
    private static void Unwind(Stack<Action> steps, bool inFlight)
    {
        ExceptionDispatchInfo? first = null;
        while (steps.TryPop(out var step))
        {
            try
            {
                step();
            }
            catch (Exception e)
            {
                first ??= ExceptionDispatchInfo.Capture(e);
            }
        }
        if (!inFlight)
        {
            first?.Throw();
        }
    }
}
