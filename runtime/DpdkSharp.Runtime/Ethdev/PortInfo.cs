namespace DpdkSharp.Runtime;

/// <summary>Descriptor count limits of a port's queues.</summary>
/// <param name="Min">Fewest descriptors per queue.</param>
/// <param name="Max">Most descriptors per queue.</param>
/// <param name="Alignment">Descriptor counts must be a multiple of this.</param>
public readonly record struct DescriptorLimits(int Min, int Max, int Alignment);

/// <summary>What a port is and can do (<c>rte_eth_dev_info</c>).</summary>
public sealed record PortInfo
{
    /// <summary>The device name, e.g. <c>net_ring0</c>.</summary>
    public required string Name { get; init; }
    /// <summary>The driver, e.g. <c>net_ring</c>.</summary>
    public required string DriverName { get; init; }
    /// <summary>Kernel interface index, 0 if none.</summary>
    public uint InterfaceIndex { get; init; }
    /// <summary>Smallest MTU the device accepts.</summary>
    public int MinMtu { get; init; }
    /// <summary>Largest MTU the device accepts.</summary>
    public int MaxMtu { get; init; }
    /// <summary>Largest receivable frame.</summary>
    public uint MaxRxPacketLength { get; init; }
    /// <summary>Most receive queues.</summary>
    public int MaxRxQueues { get; init; }
    /// <summary>Most transmit queues.</summary>
    public int MaxTxQueues { get; init; }
    /// <summary>Receive queues currently configured (0 before <see cref="Port.Configure"/>).</summary>
    public int RxQueueCount { get; init; }
    /// <summary>Transmit queues currently configured.</summary>
    public int TxQueueCount { get; init; }
    /// <summary>Receive offloads the port supports.</summary>
    public RxOffloads RxOffloadCapabilities { get; init; }
    /// <summary>Transmit offloads the port supports.</summary>
    public TxOffloads TxOffloadCapabilities { get; init; }
    /// <summary>Flow types RSS can hash on.</summary>
    public RssHash RssCapabilities { get; init; }
    /// <summary>RSS redirection table size.</summary>
    public int RetaSize { get; init; }
    /// <summary>RSS hash key size in bytes.</summary>
    public int HashKeySize { get; init; }
    /// <summary>Receive descriptor limits.</summary>
    public DescriptorLimits RxDescriptorLimits { get; init; }
    /// <summary>Transmit descriptor limits.</summary>
    public DescriptorLimits TxDescriptorLimits { get; init; }
}

/// <summary>A port's basic counters (<c>rte_eth_stats</c>).</summary>
public sealed record PortStats
{
    /// <summary>Packets received.</summary>
    public ulong RxPackets { get; init; }
    /// <summary>Packets transmitted.</summary>
    public ulong TxPackets { get; init; }
    /// <summary>Bytes received.</summary>
    public ulong RxBytes { get; init; }
    /// <summary>Bytes transmitted.</summary>
    public ulong TxBytes { get; init; }
    /// <summary>Packets dropped by the hardware because no descriptor was free.</summary>
    public ulong RxMissed { get; init; }
    /// <summary>Erroneous received packets.</summary>
    public ulong RxErrors { get; init; }
    /// <summary>Failed transmissions.</summary>
    public ulong TxErrors { get; init; }
    /// <summary>Receive mbuf allocation failures.</summary>
    public ulong RxNoMbuf { get; init; }
}

/// <summary>One extended statistic: DPDK's name and its value.</summary>
public readonly record struct ExtendedStat(string Name, ulong Value);

/// <summary>A port's link.</summary>
/// <param name="IsUp">Whether the link is up.</param>
/// <param name="SpeedMbps">Speed in Mbit/s (0 when unknown or down).</param>
/// <param name="FullDuplex">Full duplex.</param>
/// <param name="AutoNegotiated">Speed was auto-negotiated.</param>
public readonly record struct LinkStatus(bool IsUp, uint SpeedMbps, bool FullDuplex, bool AutoNegotiated);
