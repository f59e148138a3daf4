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

    /// <summary>
    /// Started with <see cref="EalOptions.MultiProcess"/>: secondaries attach, the packet capture framework
    /// (<c>rte_pdump</c>) runs, and no thread may become an lcore by <see cref="Lcore.RegisterCurrentThread"/>.
    /// </summary>
    internal bool IsMultiProcessPrimary { get; private init; }

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
    /// <exception cref="InvalidOperationException">
    /// The EAL was already initialised, cleaned up, or failed to initialise in this process; or
    /// <see cref="EalOptions.MultiProcess"/> on a machine without free hugepages (the message says how to get them).
    /// </exception>
    /// <exception cref="BindingsVersionMismatchException">The loaded DPDK is not the version the bindings were generated for.</exception>
    /// <exception cref="DpdkException">
    /// rte_eal_init failed; the message carries rte_errno, its text, the EAL's own reason (a bad argument, in a line:
    /// what the EAL prints during start-up is captured, and its usage text dropped) and the arguments used.
    /// </exception>
    /// <exception cref="ArgumentException">
    /// An argument would make the EAL exit the process (<c>-h</c>, <c>--help</c>), or the options contradict
    /// <see cref="EalOptions.MultiProcess"/> (no hugepages, in-memory); the message says what to do.
    /// </exception>
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
            if (options.MultiProcess)
            {
                StartPacketCaptureFramework(arguments);
            }

            _state = EalState.Initialized;
            _current = new Eal(argv, arguments, EalStartup.FindProbeFailures(options.VirtualDevices, outcome.Lines))
            {
                IsMultiProcessPrimary = options.MultiProcess,
            };
            if (options.MultiProcess)
            {
                DpdkLog.Runtime.LogInformation("DPDK multi-process primary: secondary processes attach with --file-prefix {FilePrefix}",
                    MultiProcessRequirements.FilePrefixIn(arguments));
            }
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

    /// <summary>
    /// Answers dpdk-dumpcap's requests (<c>rte_pdump_init</c>): a secondary asks the primary to copy a port's packets
    /// to its ring, and only a primary that registered this handler can. A failure cleans the EAL up: a primary
    /// that was asked for and is not complete is not handed out.
    /// </summary>
    private static void StartPacketCaptureFramework(List<string> arguments)
    {
        if (Dpdk.rte_pdump_init() < 0)
        {
            var error = DpdkException.FromErrno("rte_pdump_init", "EalOptions.MultiProcess; arguments: " + string.Join(' ', arguments));
            _state = EalState.CleanedUp;
            _ = Dpdk.rte_eal_cleanup();
            throw error;
        }
    }

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
            // Before cleanup: the handler and its memzone belong to the EAL being torn down. Its failure is reported
            // after the cleanup, which must run either way.
            var pdumpError = IsMultiProcessPrimary && Dpdk.rte_pdump_uninit() < 0 ? DpdkException.FromErrno("rte_pdump_uninit") : null;
            var rc = Dpdk.rte_eal_cleanup();
            GC.KeepAlive(_argv); // see the field: never freed
            DpdkException.Check(rc, "rte_eal_cleanup");
            if (pdumpError is not null)
            {
                throw pdumpError;
            }
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
