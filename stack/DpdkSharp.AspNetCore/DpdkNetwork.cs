using System.Diagnostics.Metrics;
using DpdkSharp.Runtime;
using DpdkSharp.Runtime.Polling;
using DpdkSharp.Stack.Dpdk;
using Microsoft.Extensions.Logging;

namespace DpdkSharp.AspNetCore;

/// <summary>
/// The DPDK side of a host set up with <see cref="DpdkWebHostBuilderExtensions.UseDpdk"/>: the EAL, the
/// receive and transmit mempools, the port and the stack's interface with its reactor, started before
/// Kestrel binds and stopped after Kestrel stopped, in reverse order. Resolve it from the host's services
/// to reach the interface (for example to open a <see cref="UdpSocket"/> on its reactor).
/// </summary>
/// <remarks>
/// DPDK's EAL initialises once per process and never again after its cleanup: one
/// <see cref="DpdkNetwork"/> runs per process, once. A second host with <c>UseDpdk</c> in the same
/// process, or the same host started again after it stopped, fails to start with
/// <see cref="InvalidOperationException"/> saying so.
/// </remarks>
public sealed class DpdkNetwork : IDisposable
{
    private readonly Lock _gate = new();
    private readonly ILogger _logger;
    private readonly IMeterFactory? _meterFactory;
    private Eal? _eal;
    private Mempool? _rxPool;
    private Mempool? _txPool;
    private Port? _port;
    private DpdkInterface? _interface;
    private bool _stopped;

    internal DpdkNetwork(DpdkTransportOptions options, ILogger logger, IMeterFactory? meterFactory)
    {
        Options = options;
        _logger = logger;
        _meterFactory = meterFactory;
    }

    /// <summary>The options the host was set up with.</summary>
    public DpdkTransportOptions Options { get; }

    /// <summary>Whether the stack runs (started, not yet stopped).</summary>
    public bool IsRunning
    {
        get
        {
            lock (_gate)
            {
                return _interface is not null && !_stopped;
            }
        }
    }

    /// <summary>The stack's interface on the port (its reactor, core and counters).</summary>
    /// <exception cref="InvalidOperationException">The host has not started the stack yet.</exception>
    public DpdkInterface Interface => _interface ?? throw new InvalidOperationException("The DPDK stack is not started yet: it starts with the host.");

    /// <summary>
    /// Mbufs still out of their pools when the stack stopped (0: every one came back); null until it stopped.
    /// </summary>
    public int? MbufsInUseAtStop { get; private set; }

    /// <summary>Starts the EAL, pools, port and interface (once; later calls return).</summary>
    internal void Start()
    {
        lock (_gate)
        {
            if (_interface is not null && !_stopped)
            {
                return;
            }
            if (_stopped)
            {
                throw new InvalidOperationException("This host's DPDK stack has stopped and cannot start again: DPDK's EAL initialises once per process. Start a new process.");
            }
            try
            {
                StartCore();
            }
            catch
            {
                TearDown();
                _stopped = true;
                throw;
            }
        }
    }

    private void StartCore()
    {
        var options = Options;
        try
        {
            _eal = Eal.Initialize(new EalOptions
            {
                Lcores = options.Lcores,
                InMemory = true,
                NoTelemetry = true,
                UseHugepages = options.UseHugepages,
                LogLevel = options.DpdkLogLevel,
                VirtualDevices = options.Device is null ? [] : [options.Device],
                ExtraArguments = [.. options.EalArguments],
                ProgramName = "dpdksharp-aspnetcore",
            });
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException(
                "UseDpdk: one host with the DPDK transport may run per process, once, because DPDK's EAL initialises once per process " +
                "and cannot be initialised again after its cleanup. Run each such host in a process of its own. (" + e.Message + ")", e);
        }
        // Separate pools: the port keeps a receive buffer per descriptor until it closes; the transmit pool is the stack's alone.
        _rxPool = Mempool.CreatePacketPool("aspnet_rx", options.PoolSize);
        _txPool = Mempool.CreatePacketPool("aspnet_tx", options.PoolSize);
        var port = Port.FindByName(options.ResolvedPortName);
        _port = port;
        var rxWait = options.RxMode is RxMode.Poll ? null : new RxWaitOptions { Mode = options.RxMode };
        port.Configure(new PortConfig { RxPool = _rxPool, RxDescriptors = options.Descriptors, TxDescriptors = options.Descriptors, RxInterrupts = rxWait is not null });
        port.Start();
        _interface = new DpdkInterface(port, _txPool, new InterfaceOptions
        {
            Name = options.ResolvedPortName,
            Mac = options.ResolveMac(),
            Address = options.ParsedAddress,
            PrefixLength = options.PrefixLength,
            Gateway = options.ParsedGateway,
            Mtu = options.Mtu,
            MeterFactory = _meterFactory,
        }, reactorOptions: new ReactorOptions
        {
            ThreadName = "dpdk-reactor",
            Cpu = options.ReactorCpu,
            TcpShutdownTimeout = options.TcpShutdownTimeout,
        }, rxWait: rxWait);
        _interface.Start();
        _logger.LogInformation("DPDK stack started: {Address}/{Prefix} on {Port} (MAC {Mac}, lcores {Lcores}); metrics under the meter {Meter}",
            options.ParsedAddress, options.PrefixLength, options.ResolvedPortName, _interface.Core.Mac, options.Lcores, NetMetrics.MeterName);
    }

    /// <summary>
    /// Stops the stack: the reactor closes what is still open with FINs (resetting what is left after
    /// <see cref="DpdkTransportOptions.TcpShutdownTimeout"/>), then the port stops and closes, the pools
    /// are freed (<see cref="MbufsInUseAtStop"/> says whether every mbuf came back) and the EAL is cleaned up.
    /// </summary>
    internal void Stop()
    {
        lock (_gate)
        {
            if (_stopped || _interface is null)
            {
                _stopped = true;
                return;
            }
            _stopped = true;
            var tcp = _interface.Core.TcpCounters;
            TearDown();
            _logger.LogInformation("DPDK stack stopped: TCP connections {Connections}, segments in {In}, out {Out}, retransmitted {Retransmitted}, resets sent {Resets}; mbufs not returned {Mbufs}",
                tcp.PassiveOpens + tcp.ActiveOpens, tcp.SegmentsReceived, tcp.SegmentsSent, tcp.RetransmittedSegments, tcp.ResetsSent, MbufsInUseAtStop);
            if (MbufsInUseAtStop != 0)
            {
                _logger.LogWarning("DPDK stack stopped with {Mbufs} mbufs still out of their pools", MbufsInUseAtStop);
            }
        }
    }

    private void TearDown()
    {
        if (_interface is not null)
        {
            _interface.Dispose();
            if (_interface.Reactor.Fault is Exception fault)
            {
                _logger.LogError(fault, "The DPDK reactor faulted");
            }
        }
        if (_port is Port port)
        {
            port.Stop();
            port.Close();
        }
        int inUse = 0;
        foreach (var pool in new[] { _rxPool, _txPool })
        {
            if (pool is not null && !pool.TryDispose(out var n))
            {
                inUse += n;
            }
        }
        MbufsInUseAtStop = inUse;
        // With mbufs still out, the EAL stays: its cleanup would free memory they point into.
        if (inUse == 0)
        {
            _eal?.Dispose();
        }
    }

    /// <summary>Stops the stack if the host did not (see <see cref="Stop"/>).</summary>
    public void Dispose() => Stop();
}
