using DpdkSharp.Interop;

namespace DpdkSharp.Runtime;

public readonly unsafe partial struct Port
{
    /// <summary>The receive offloads the port is configured with (<c>rte_eth_dev_conf_get</c>).</summary>
    public RxOffloads ConfiguredRxOffloads => (RxOffloads)(ulong)CurrentConf().rxmode.offloads;

    /// <summary>The transmit offloads the port is configured with (<c>rte_eth_dev_conf_get</c>).</summary>
    public TxOffloads ConfiguredTxOffloads => (TxOffloads)(ulong)CurrentConf().txmode.offloads;

    /// <summary>Whether the port is configured with RX interrupts (<see cref="PortConfig.RxInterrupts"/>; <c>rte_eth_dev_conf_get</c>).</summary>
    public bool RxInterrupts => CurrentConf().intr_conf.rxq != 0;

    private rte_eth_conf CurrentConf()
    {
        rte_eth_conf conf;
#pragma warning disable DPDKEXP001 // experimental since 21.11 and unchanged through 25.11; the only way to read the configuration back
        Check(Dpdk.rte_eth_dev_conf_get(Id, &conf), "rte_eth_dev_conf_get");
#pragma warning restore DPDKEXP001
        return conf;
    }

    /// <summary>
    /// Configures the port and sets up every queue (<c>rte_eth_dev_configure</c>, <c>rte_eth_rx_queue_setup</c>,
    /// <c>rte_eth_tx_queue_setup</c>), then MTU and promiscuous mode if asked. Queue counts and offloads are
    /// checked against the device's capabilities first, so a mistake is reported with what is supported
    /// instead of DPDK's bare EINVAL. The port must be stopped; <see cref="Start"/> it afterwards.
    /// </summary>
    /// <exception cref="ArgumentException">A queue count is out of the device's range, or no RX pool was given.</exception>
    /// <exception cref="NotSupportedException">An offload or RSS type is not supported; the message lists what is.</exception>
    /// <exception cref="DpdkException">DPDK refused the configuration.</exception>
    public void Configure(PortConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        PortEpochs.Invalidate(Id);
        try
        {
            ConfigureCore(config);
        }
        finally
        {
            PortEpochs.Invalidate(Id); // queues were freed and made again: see PortEpochs
        }
    }

    private void ConfigureCore(PortConfig config)
    {
        var info = RawInfo();
        CheckQueues(config, info);
        CheckSupported("receive offloads", (ulong)config.RxOffloads, info.rx_offload_capa, v => ((RxOffloads)v).ToString());
        CheckSupported("transmit offloads", (ulong)config.TxOffloads, info.tx_offload_capa, v => ((TxOffloads)v).ToString());
        CheckSupported("RSS hash types", (ulong)config.Rss, info.flow_type_rss_offloads, v => ((RssHash)v).ToString());

        rte_eth_conf conf = default;
        conf.intr_conf.rxq = config.RxInterrupts ? 1u : 0u;
        conf.rxmode.offloads = (nuint)config.RxOffloads;
        conf.txmode.offloads = (nuint)config.TxOffloads;
        if (config.Rss != RssHash.None)
        {
            conf.rxmode.mq_mode = rte_eth_rx_mq_mode.RTE_ETH_MQ_RX_RSS;
            conf.rx_adv_conf.rss_conf.rss_hf = (nuint)config.Rss;
        }
        Check(Dpdk.rte_eth_dev_configure(Id, (ushort)config.RxQueues, (ushort)config.TxQueues, &conf), "rte_eth_dev_configure",
            $"{config.RxQueues} rx / {config.TxQueues} tx queues, rx offloads {config.RxOffloads}, tx offloads {config.TxOffloads}, RSS {config.Rss}");

        var rxDesc = (ushort)config.RxDescriptors;
        var txDesc = (ushort)config.TxDescriptors;
        Check(Dpdk.rte_eth_dev_adjust_nb_rx_tx_desc(Id, &rxDesc, &txDesc), "rte_eth_dev_adjust_nb_rx_tx_desc");

        var socket = (uint)(config.SocketId ?? Math.Max(SocketId, 0));
        var rxconf = info.default_rxconf;
        rxconf.offloads = (nuint)config.RxOffloads;
        for (var q = 0; q < config.RxQueues; q++)
        {
            Check(Dpdk.rte_eth_rx_queue_setup(Id, (ushort)q, rxDesc, socket, &rxconf, config.RxPool!.Pointer), "rte_eth_rx_queue_setup",
                $"queue {q}, {rxDesc} descriptors, pool '{config.RxPool.Name}'");
        }

        var txconf = info.default_txconf;
        txconf.offloads = (nuint)config.TxOffloads;
        for (var q = 0; q < config.TxQueues; q++)
        {
            Check(Dpdk.rte_eth_tx_queue_setup(Id, (ushort)q, txDesc, socket, &txconf), "rte_eth_tx_queue_setup", $"queue {q}, {txDesc} descriptors");
        }

        if (config.Mtu is { } mtu)
        {
            Mtu = mtu;
        }

        if (config.Promiscuous is { } promiscuous)
        {
            Promiscuous = promiscuous;
        }
    }

    private void CheckQueues(PortConfig config, rte_eth_dev_info info)
    {
        if (config.RxQueues < 0 || config.RxQueues > info.max_rx_queues)
        {
            throw new ArgumentOutOfRangeException(nameof(config), config.RxQueues, $"{this} ({Utf8Name(info)}) supports 0 to {info.max_rx_queues} receive queues.");
        }

        if (config.TxQueues < 0 || config.TxQueues > info.max_tx_queues)
        {
            throw new ArgumentOutOfRangeException(nameof(config), config.TxQueues, $"{this} ({Utf8Name(info)}) supports 0 to {info.max_tx_queues} transmit queues.");
        }

        if (config.RxQueues > 0 && config.RxPool is null)
        {
            throw new ArgumentException("Receive queues need a pool: set PortConfig.RxPool.", nameof(config));
        }

        if (config.RxDescriptors is <= 0 or > ushort.MaxValue || config.TxDescriptors is <= 0 or > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(config), "Descriptor counts must be between 1 and 65535.");
        }
    }

    private void CheckSupported(string what, ulong requested, ulong supported, Func<ulong, string> names)
    {
        var missing = requested & ~supported;
        if (missing == 0)
        {
            return;
        }

        var available = supported == 0 ? "none" : names(supported);
        throw new NotSupportedException($"{this} ({Name}) does not support {what} {names(missing)}; supported: {available}.");
    }

    private static string Utf8Name(rte_eth_dev_info info) => Native.Utf8String.Read(info.driver_name);

    /// <summary>
    /// Receive queue <paramref name="index"/> of this configured port. The check happens here, once, because
    /// DPDK's burst functions do not check and would crash on a queue that was never set up.
    /// </summary>
    /// <exception cref="InvalidOperationException">The port is not configured, or the queue not set up.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The index is not below the configured queue count.</exception>
    public RxQueue GetRxQueue(int index)
    {
        var info = RawInfo();
        CheckQueueIndex(index, info.nb_rx_queues, "receive");
        rte_eth_rxq_info qinfo;
        var rc = Dpdk.rte_eth_rx_queue_info_get(Id, (ushort)index, &qinfo);
        if (rc == -22 /* EINVAL: not set up */)
        {
            throw new InvalidOperationException($"Receive queue {index} of {this} is not set up; configure the port with Port.Configure.");
        }

        return new RxQueue(Id, (ushort)index);
    }

    /// <summary>Transmit queue <paramref name="index"/> of this configured port (see <see cref="GetRxQueue"/>).</summary>
    /// <exception cref="InvalidOperationException">The port is not configured, or the queue not set up.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The index is not below the configured queue count.</exception>
    public TxQueue GetTxQueue(int index)
    {
        var info = RawInfo();
        CheckQueueIndex(index, info.nb_tx_queues, "transmit");
        rte_eth_txq_info qinfo;
        var rc = Dpdk.rte_eth_tx_queue_info_get(Id, (ushort)index, &qinfo);
        if (rc == -22 /* EINVAL: not set up */)
        {
            throw new InvalidOperationException($"Transmit queue {index} of {this} is not set up; configure the port with Port.Configure.");
        }

        return new TxQueue(Id, (ushort)index);
    }

    private void CheckQueueIndex(int index, int configured, string direction)
    {
        if (configured == 0)
        {
            throw new InvalidOperationException($"{this} ({Name}) is not configured: it has no {direction} queues. Call Port.Configure first.");
        }

        if ((uint)index >= (uint)configured)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"{this} has {configured} {direction} queue(s): 0 to {configured - 1}.");
        }
    }
}
