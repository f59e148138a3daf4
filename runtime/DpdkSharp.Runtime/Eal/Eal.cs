using DpdkSharp.Interop;
using DpdkSharp.Runtime.Native;
using Microsoft.Extensions.Logging;

namespace DpdkSharp.Runtime;

/// <summary>
/// The initialised DPDK Environment Abstraction Layer. DPDK allows one initialisation per process, and none
/// after cleanup: <see cref="Initialize"/> enforces that with an <see cref="InvalidOperationException"/>
/// instead of DPDK's undefined behaviour. Disposing runs <c>rte_eal_cleanup</c>; free pools, rings and
/// ports before that.
/// </summary>
public sealed class Eal : IDisposable
{
    private static readonly Lock Gate = new();
    private static EalState _state = EalState.NotInitialized;
    private static Eal? _current;

    // The EAL keeps pointers into argv (getopt permutes it; some options are kept as given) and some of them are
    // freed by rte_eal_cleanup itself: freeing the copy afterwards is a double free. A few hundred bytes, once per
    // process: deliberately never freed.
    private readonly NativeArgv _argv;
    private bool _disposed;

    private Eal(NativeArgv argv, IReadOnlyList<string> arguments, IReadOnlyList<VirtualDeviceProbeFailure> probeFailures)
    {
        _argv = argv;
        Arguments = arguments;
        ProbeFailures = probeFailures;
    }

    /// <summary>The arguments the EAL was initialised with (argv, including argv[0]).</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>Whether the EAL is initialised and not yet cleaned up in this process.</summary>
    public static bool IsInitialized
    {
        get { lock (Gate)
            {
                return _state == EalState.Initialized;
            }
        }
    }

    /// <summary>The live EAL, or null.</summary>
    public static Eal? Current
    {
        get { lock (Gate)
            {
                return _current;
            }
        }
    }

    /// <summary>
    /// Initialises the EAL (<c>rte_eal_init</c>) from typed options.
    /// </summary>
    /// <exception cref="InvalidOperationException">The EAL was already initialised, cleaned up, or failed to initialise in this process.</exception>
    /// <exception cref="BindingsVersionMismatchException">The loaded DPDK is not the version the bindings were generated for.</exception>
    /// <exception cref="DpdkException">
    /// rte_eal_init failed; the message carries rte_errno, its text, the EAL's own reason (a bad argument, in a line:
    /// what the EAL prints during start-up is captured, and its usage text dropped) and the arguments used.
    /// </exception>
    /// <exception cref="ArgumentException">An argument would make the EAL exit the process (<c>-h</c>, <c>--help</c>).</exception>
    /// <remarks>
    /// A network virtual device that fails to probe does not fail the start (DPDK carries on without it): it is
    /// listed in <see cref="ProbeFailures"/>, logged, and named by <see cref="Port.FindByName"/>.
    /// </remarks>
    public static Eal Initialize(EalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (Gate)
        {
            if (_state != EalState.NotInitialized)
            {
                throw new InvalidOperationException(_state switch
                {
                    EalState.Initialized => "The DPDK EAL is already initialised in this process; DPDK allows one initialisation per process. Share the existing Eal (Eal.Current).",
                    EalState.CleanedUp => "The DPDK EAL was cleaned up in this process; DPDK cannot be initialised again after rte_eal_cleanup. Start a new process.",
                    _ => "A previous DPDK EAL initialisation failed in this process; DPDK cannot retry it. Start a new process.",
                });
            }

            BindingsVersion.EnsureLoadedMatches();

            var arguments = EalArguments.Build(options, HugepageProbe.Available());
            if (options.LoggerFactory is { } loggerFactory)
            {
                DpdkLog.Route(loggerFactory); // before rte_eal_init: its own messages are included
            }
            var argv = new NativeArgv(arguments);
            var outcome = EalStartup.Run(argv);
            if (outcome.Result < 0)
            {
                _state = EalState.Failed;
                // The EAL may keep pointers into argv even after a failure: leak it rather than risk a dangling read.
                var reason = EalStartup.FailureReason(outcome);
                throw new DpdkException("rte_eal_init", outcome.Errno,
                    (reason.Length == 0 ? "" : reason + "; ") + "arguments: " + string.Join(' ', arguments));
            }
            EalStartup.Replay(outcome.Output);

            _state = EalState.Initialized;
            _current = new Eal(argv, arguments, EalStartup.FindProbeFailures(options.VirtualDevices, outcome.Lines));
            foreach (var failure in _current.ProbeFailures)
            {
                DpdkLog.Runtime.LogError("{ProbeFailure}", failure.Message);
            }
            return _current;
        }
    }

    /// <summary>
    /// The network virtual devices of <see cref="EalOptions.VirtualDevices"/> that failed to probe (DPDK starts
    /// without them), each with the likely reason and DPDK's messages; empty when every one became a port.
    /// </summary>
    public IReadOnlyList<VirtualDeviceProbeFailure> ProbeFailures { get; }

    /// <summary>The probe failure of the virtual device named <paramref name="name"/>, if it had one.</summary>
    internal static VirtualDeviceProbeFailure? ProbeFailureOf(string name) =>
        Current?.ProbeFailures.FirstOrDefault(f => f.Name == name);

    /// <summary>Cleans the EAL up (<c>rte_eal_cleanup</c>). After this, DPDK cannot be used again in this process.</summary>
    public void Dispose()
    {
        lock (Gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _state = EalState.CleanedUp;
            _current = null;
            var rc = Dpdk.rte_eal_cleanup();
            GC.KeepAlive(_argv); // see the field: never freed
            DpdkException.Check(rc, "rte_eal_cleanup");
        }
    }

    /// <summary>Throws unless the EAL is initialised: resources need it, and DPDK would crash rather than fail.</summary>
    internal static void EnsureInitialized()
    {
        if (!IsInitialized)
        {
            throw new InvalidOperationException("The DPDK EAL is not initialised: call Eal.Initialize first.");
        }
    }

    private enum EalState
    {
        NotInitialized,
        Initialized,
        CleanedUp,
        Failed,
    }
}
