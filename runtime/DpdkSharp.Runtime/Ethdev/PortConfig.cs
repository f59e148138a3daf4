namespace DpdkSharp.Runtime;

/// <summary>How <see cref="Port.Configure"/> sets a port up: queues, descriptors, offloads, RSS, MTU.</summary>
public sealed record PortConfig
{
    /// <summary>Number of receive queues.</summary>
    public int RxQueues { get; init; } = 1;

    /// <summary>Number of transmit queues.</summary>
    public int TxQueues { get; init; } = 1;

    /// <summary>Descriptors per receive queue (adjusted to the device's limits by <c>rte_eth_dev_adjust_nb_rx_tx_desc</c>).</summary>
    public int RxDescriptors { get; init; } = 1024;

    /// <summary>Descriptors per transmit queue (adjusted to the device's limits).</summary>
    public int TxDescriptors { get; init; } = 1024;

    /// <summary>The pool receive queues take mbufs from; required when <see cref="RxQueues"/> &gt; 0.</summary>
    public Mempool? RxPool { get; init; }

    /// <summary>Receive offloads; each must be in <see cref="PortInfo.RxOffloadCapabilities"/>.</summary>
    public RxOffloads RxOffloads { get; init; }

    /// <summary>Transmit offloads; each must be in <see cref="PortInfo.TxOffloadCapabilities"/>.</summary>
    public TxOffloads TxOffloads { get; init; }

    /// <summary>Flow types RSS spreads across receive queues; each must be in <see cref="PortInfo.RssCapabilities"/>. None: no RSS.</summary>
    public RssHash Rss { get; init; }

    /// <summary>The MTU to set; null leaves the device's.</summary>
    public int? Mtu { get; init; }

    /// <summary>Receive every frame whatever its destination MAC; null leaves the device's setting.</summary>
    public bool? Promiscuous { get; init; }

    /// <summary>
    /// Give the receive queues interrupts (<c>intr_conf.rxq</c>), so that a loop can sleep while they are empty
    /// (<see cref="Polling.RxWaitSet"/> in <see cref="Polling.RxMode.Interrupt"/> or <see cref="Polling.RxMode.Adaptive"/>).
    /// Not every driver has them (net_tap does; net_ring, net_null and, in DPDK 22.11, net_memif do not):
    /// <see cref="Port.Start"/> then throws <see cref="NotSupportedException"/>. Polling works either way.
    /// </summary>
    public bool RxInterrupts { get; init; }

    /// <summary>NUMA socket for the queues' memory; null: the port's own socket.</summary>
    public int? SocketId { get; init; }
}
