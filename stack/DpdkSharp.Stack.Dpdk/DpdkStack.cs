using System.Runtime.ExceptionServices;
using DpdkSharp.Runtime;
using DpdkSharp.Runtime.Polling;

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

    /// <summary>
    /// Mbufs still out of their pools when the stack stopped (0: every one came back, and the EAL was cleaned up);
    /// null until <see cref="Dispose"/>. With mbufs out the pools and the EAL stay: freeing them would free memory
    /// those mbufs point into.
    /// </summary>
    public int? MbufsInUseAtStop { get; private set; }

    /// <summary>Brings everything up; on failure, what was already made is torn down before the exception propagates.</summary>
    /// <exception cref="ArgumentException">An option that cannot be used (an address without a valid prefix, say).</exception>
    /// <exception cref="InvalidOperationException">The EAL already ran in this process (DPDK's rule: once per process), or the device made no port.</exception>
    public static DpdkStack Start(DpdkStackOptions options)
    {
        var interfaceOptions = DpdkStackSettings.Parse(options);
        interfaceOptions = options.ConfigureInterface?.Invoke(interfaceOptions) ?? interfaceOptions;

        var undo = new Stack<Action>();
        try
        {
            var eal = Eal.Initialize(new EalOptions
            {
                Lcores = options.Lcores,
                InMemory = true,
                UseHugepages = options.UseHugepages,
                NoTelemetry = true,
                LogLevel = options.LogLevel,
                LoggerFactory = options.LoggerFactory,
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
            var rxWait = options.RxMode is RxMode.Poll ? null : new RxWaitOptions { Mode = options.RxMode };
            port.Configure(new PortConfig
            {
                RxPool = rxPool,
                Mtu = options.Mtu > 1500 ? options.Mtu : null,
                RxDescriptors = options.Descriptors,
                TxDescriptors = options.Descriptors,
                RxInterrupts = rxWait is not null,
            });
            port.Start();
            undo.Push(port.Dispose);
            var iface = new DpdkInterface(port, txPool, interfaceOptions, reactorOptions: new ReactorOptions
            {
                ThreadName = $"reactor-{options.PortName}",
                Cpu = options.ReactorCpu,
                TcpShutdownTimeout = options.TcpShutdownTimeout,
                ShortSleepWindow = options.ShortSleepWindow,
                SpinIterationsBeforeSleep = options.SpinIterationsBeforeSleep,
            }, rxWait: rxWait);
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

    /// <summary>
    /// Stops the interface (graceful TCP close), then the port, then frees the pools and cleans the EAL up if every
    /// mbuf came back (<see cref="MbufsInUseAtStop"/>).
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        var undo = new Stack<Action>();
        undo.Push(() =>
        {
            int inUse = 0;
            foreach (var pool in new[] { _rxPool, _txPool })
            {
                if (!pool.TryDispose(out int n))
                {
                    inUse += n;
                }
            }
            MbufsInUseAtStop = inUse;
            if (inUse == 0)
            {
                _eal.Dispose();
            }
        });
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
