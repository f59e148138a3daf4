namespace DpdkSharp.Runtime;

/// <summary>How DPDK maps memory for devices (<c>--iova-mode</c>).</summary>
public enum IovaMode
{
    /// <summary>Let the EAL decide (no argument passed).</summary>
    Auto,
    /// <summary>Physical addresses (<c>--iova-mode=pa</c>).</summary>
    PhysicalAddress,
    /// <summary>Virtual addresses (<c>--iova-mode=va</c>).</summary>
    VirtualAddress,
}

/// <summary>DPDK's log levels (<c>RTE_LOG_*</c>), for <see cref="EalOptions.LogLevel"/>.</summary>
public enum DpdkLogLevel
{
    /// <summary>System is unusable.</summary>
    Emergency = 1,
    /// <summary>Action must be taken immediately.</summary>
    Alert = 2,
    /// <summary>Critical conditions.</summary>
    Critical = 3,
    /// <summary>Error conditions.</summary>
    Error = 4,
    /// <summary>Warning conditions.</summary>
    Warning = 5,
    /// <summary>Normal but significant condition.</summary>
    Notice = 6,
    /// <summary>Informational.</summary>
    Info = 7,
    /// <summary>Debug-level messages.</summary>
    Debug = 8,
}

/// <summary>
/// Typed EAL arguments. Every property left unset gets a default that works on any machine: hugepages when
/// a hugetlbfs is mounted with free pages (otherwise <c>--no-huge</c>), <c>--no-pci</c> when there is no PCI
/// allow list, and a file prefix unique to this process so two processes never share runtime files.
/// </summary>
public sealed record EalOptions
{
    /// <summary>The lcores to use, in EAL syntax (<c>-l</c>), e.g. <c>"0-3"</c> or <c>"0,2"</c>. Null: the EAL's default (all cores).</summary>
    public string? Lcores { get; init; }

    /// <summary>The main lcore (<c>--main-lcore</c>). Null: the first of <see cref="Lcores"/>.</summary>
    public int? MainLcore { get; init; }

    /// <summary>Memory to preallocate in MB (<c>-m</c>). Null: 256 MB without hugepages, the EAL's default with them.</summary>
    public int? MemoryMb { get; init; }

    /// <summary>Virtual devices (<c>--vdev</c>), e.g. <c>"net_ring0"</c>, <c>"net_tap0,iface=dtap0"</c>.</summary>
    public IReadOnlyList<string> VirtualDevices { get; init; } = [];

    /// <summary>PCI devices to use (<c>-a</c>); when empty and <see cref="PciBlockList"/> is empty too, <c>--no-pci</c> is passed.</summary>
    public IReadOnlyList<string> PciAllowList { get; init; } = [];

    /// <summary>PCI devices not to use (<c>-b</c>).</summary>
    public IReadOnlyList<string> PciBlockList { get; init; } = [];

    /// <summary>Runtime file prefix (<c>--file-prefix</c>). Null: <c>dpdksharp-&lt;pid&gt;</c>, unique per process.</summary>
    public string? FilePrefix { get; init; }

    /// <summary>
    /// Keep everything in memory, create no runtime files; no secondary process can attach. Passed as
    /// <c>--in-memory</c> with hugepages, and as <c>--no-shconf</c> without (DPDK refuses <c>--in-memory</c>
    /// with <c>--no-huge</c>, and without hugepages no-shconf is all in-memory adds).
    /// </summary>
    public bool InMemory { get; init; }

    /// <summary>
    /// Run as a DPDK multi-process primary that DPDK's own tools attach to as secondary processes: <c>dpdk-dumpcap</c>
    /// captures its ports' traffic (the runtime calls <c>rte_pdump_init</c> after <c>rte_eal_init</c>, and
    /// <c>rte_pdump_uninit</c> before cleanup), <c>dpdk-proc-info</c> reads its port stats, and <c>dpdk-telemetry.py</c>
    /// its telemetry socket (unless <see cref="NoTelemetry"/>). They find it by its <see cref="FilePrefix"/>
    /// (<c>--file-prefix</c>; set one you can name, the default is <c>dpdksharp-&lt;pid&gt;</c>). Needs hugepages:
    /// a secondary maps the primary's memory from its hugepage files, which a <c>--no-huge</c> primary does not have.
    /// <see cref="Eal.Initialize"/> refuses it with <see cref="InMemory"/>, with <see cref="UseHugepages"/> false,
    /// with <c>--no-huge</c>, <c>--in-memory</c> or <c>--no-shconf</c> among <see cref="ExtraArguments"/>
    /// (an <see cref="ArgumentException"/>), and on a machine without free hugepages (an
    /// <see cref="InvalidOperationException"/>), each time saying what to do. Run packet work on EAL worker lcores
    /// (<see cref="Lcore.Launch(int, Func{int})"/>): <see cref="Lcore.RegisterCurrentThread"/> refuses on a multi-process primary,
    /// because DPDK's <c>rte_thread_register</c> turns multi-process off for the rest of the process.
    /// </summary>
    public bool MultiProcess { get; init; }

    /// <summary>Use hugepages. Null: when a hugetlbfs is mounted with free pages.</summary>
    public bool? UseHugepages { get; init; }

    /// <summary>The global log level (<c>--log-level</c>). Null: the EAL's default.</summary>
    public DpdkLogLevel? LogLevel { get; init; }

    /// <summary>IOVA mode (<c>--iova-mode</c>).</summary>
    public IovaMode IovaMode { get; init; } = IovaMode.Auto;

    /// <summary>Disable the telemetry socket (<c>--no-telemetry</c>).</summary>
    public bool NoTelemetry { get; init; }

    /// <summary>Further EAL arguments passed as they are, after the typed ones.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>
    /// Where DPDK's own log and the runtime's messages go: DPDK's log is routed into the category
    /// <c>DpdkSharp.Dpdk</c> (<c>rte_openlog_stream</c>, from before <c>rte_eal_init</c>, levels mapped: Emergency to
    /// Critical as Critical, Notice and Info as Information; net_tap's known harmless messages about the multiq
    /// qdisc and secondary processes as Debug), the runtime's (failed probes, teardown left undone) into
    /// <c>DpdkSharp.Runtime</c>. Null: DPDK logs as it does by default, and the runtime logs nothing.
    /// <see cref="LogLevel"/> still decides what DPDK emits at all.
    /// </summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>argv[0] as the EAL sees it.</summary>
    public string ProgramName { get; init; } = "dpdksharp";
}
