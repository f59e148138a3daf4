using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace DpdkSharp.Hosting;

/// <summary>
/// The running DPDK stack of a host set up with <c>AddDpdk</c>: the EAL, the receive and transmit mempools, the
/// port and the stack's interface with its reactor (a <see cref="DpdkStack"/>), started before any hosted service
/// starts and stopped after every one stopped. Resolve it from the host's services and open sockets on its
/// <see cref="Reactor"/> once the host runs (in <c>BackgroundService.ExecuteAsync</c>, not in a constructor:
/// services are built before the host starts the stack).
/// </summary>
/// <remarks>
/// DPDK's EAL initialises once per process and never again after its cleanup: one <see cref="DpdkNetwork"/> runs
/// per process, once. A second host with DPDK in the same process, or the same host started again after it
/// stopped, fails to start with <see cref="InvalidOperationException"/> saying so.
/// </remarks>
public sealed class DpdkNetwork : IDisposable
{
    /// <summary>The logging category of the stack's start and stop lines.</summary>
    public const string LogCategory = "DpdkSharp.Hosting";

    private static int s_started;
    private readonly Lock _gate = new();
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly IMeterFactory? _meterFactory;
    private DpdkStack? _stack;
    private bool _stopped;

    internal DpdkNetwork(DpdkOptions options, ILoggerFactory loggerFactory, IMeterFactory? meterFactory)
    {
        Options = options;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger(LogCategory);
        _meterFactory = meterFactory;
    }

    /// <summary>The options the host was set up with.</summary>
    public DpdkOptions Options { get; }

    /// <summary>Whether the stack runs (started, not yet stopped).</summary>
    public bool IsRunning
    {
        get
        {
            lock (_gate)
            {
                return _stack is not null && !_stopped;
            }
        }
    }

    /// <summary>The stack's interface on the port (its reactor, core and counters).</summary>
    /// <exception cref="InvalidOperationException">The host has not started the stack yet.</exception>
    public DpdkInterface Interface => _stack?.Interface ?? throw new InvalidOperationException("The DPDK stack is not started yet: it starts with the host (use it from a hosted service's ExecuteAsync or StartAsync).");

    /// <summary>The reactor that sockets are made on (<c>new UdpSocket(network.Reactor)</c>, <c>new TcpSocketListener(network.Reactor, port)</c>).</summary>
    /// <exception cref="InvalidOperationException">The host has not started the stack yet.</exception>
    public Reactor Reactor => Interface.Reactor;

    /// <summary>Mbufs still out of their pools when the stack stopped (0: every one came back); null until it stopped.</summary>
    public int? MbufsInUseAtStop => _stack?.MbufsInUseAtStop;

    /// <summary>Starts the EAL, pools, port and interface (once; later calls return).</summary>
    internal void Start()
    {
        lock (_gate)
        {
            if (_stack is not null && !_stopped)
            {
                return;
            }
            if (_stopped || Interlocked.Exchange(ref s_started, 1) != 0)
            {
                _stopped = true;
                throw new InvalidOperationException("One host with DPDK may run per process, once: DPDK's EAL initialises once per process " +
                    "and cannot be initialised again after its cleanup. Run each such host in a process of its own.");
            }
            try
            {
                _stack = DpdkStack.Start(Options.ToStackOptions(_loggerFactory, _meterFactory));
            }
            catch
            {
                _stopped = true;
                throw;
            }
            _logger.LogInformation("DPDK stack started: {Address} on {Device} (MAC {Mac}, lcores {Lcores}); metrics under the meter {Meter}",
                Options.Address, Options.Device, _stack.Core.Mac, Options.Lcores, NetMetrics.MeterName);
        }
    }

    /// <summary>
    /// Stops the stack: the reactor closes what is still open with FINs (resetting what is left after
    /// <see cref="DpdkOptions.TcpShutdownTimeout"/>), then the port stops and closes, the pools are freed
    /// (<see cref="MbufsInUseAtStop"/> says whether every mbuf came back) and the EAL is cleaned up.
    /// </summary>
    internal void Stop()
    {
        lock (_gate)
        {
            if (_stopped || _stack is null)
            {
                _stopped = true;
                return;
            }
            _stopped = true;
            var tcp = _stack.Core.TcpCounters;
            var transmitter = _stack.Interface.Device.Transmitter;
            _stack.Dispose();
            _logger.LogInformation("DPDK stack stopped: TCP connections {Connections}, segments in {In}, out {Out}, retransmitted {Retransmitted}, resets sent {Resets}; frames the transmit queue refused {TxDrops}; mbufs not returned {Mbufs}",
                tcp.PassiveOpens + tcp.ActiveOpens, tcp.SegmentsReceived, tcp.SegmentsSent, tcp.RetransmittedSegments, tcp.ResetsSent, transmitter.FlushDrops, MbufsInUseAtStop);
            if (MbufsInUseAtStop != 0)
            {
                _logger.LogWarning("DPDK stack stopped with {Mbufs} mbufs still out of their pools (the pools and the EAL were left in place)", MbufsInUseAtStop);
            }
        }
    }

    /// <summary>Stops the stack if the host did not (see <see cref="Stop"/>).</summary>
    public void Dispose() => Stop();
}
