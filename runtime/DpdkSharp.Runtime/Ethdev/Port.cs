using DpdkSharp.Interop;
using DpdkSharp.Runtime.Native;
using DpdkSharp.Wire;
using Microsoft.Extensions.Logging;

namespace DpdkSharp.Runtime;

/// <summary>
/// An Ethernet port (<c>rte_eth_dev</c>), by its id: a small handle an application can store. Control-path
/// operations check DPDK's result and throw <see cref="DpdkException"/>; the data path is in
/// <see cref="RxQueue"/> and <see cref="TxQueue"/>, obtained from a configured port.
/// </summary>
public readonly unsafe partial struct Port : IEquatable<Port>, IDisposable
{
    /// <summary>A handle for port <paramref name="id"/> (not checked until used).</summary>
    public Port(ushort id) => Id = id;

    /// <summary>DPDK's port id.</summary>
    public ushort Id { get; }

    /// <summary>Number of ports available (<c>rte_eth_dev_count_avail</c>).</summary>
    public static int Count
    {
        get
        {
            Eal.EnsureInitialized();
            return Dpdk.rte_eth_dev_count_avail();
        }
    }

    /// <summary>Every available port, in id order (<c>RTE_ETH_FOREACH_DEV</c>).</summary>
    public static IReadOnlyList<Port> All
    {
        get
        {
            Eal.EnsureInitialized();
            var ports = new List<Port>();
            for (var id = Dpdk.rte_eth_find_next(0); id < Dpdk.RTE_MAX_ETHPORTS; id = Dpdk.rte_eth_find_next((ushort)(id + 1)))
            {
                ports.Add(new Port(id));
            }

            return ports;
        }
    }

    /// <summary>The port whose device is named <paramref name="name"/> (e.g. <c>net_ring0</c>).</summary>
    /// <exception cref="DpdkException">
    /// No such port (ENODEV). For a virtual device that failed to probe (<see cref="Eal.ProbeFailures"/>) the message
    /// says so, with the likely reason and DPDK's own messages.
    /// </exception>
    public static Port FindByName(string name)
    {
        if (TryFindByName(name, out var port))
        {
            return port;
        }

        if (Eal.ProbeFailureOf(name) is { } failure)
        {
            throw new DpdkException("rte_eth_dev_get_port_by_name", 19 /* ENODEV */, $"no port named '{name}'. {failure.Message}");
        }

        throw new DpdkException("rte_eth_dev_get_port_by_name", 19 /* ENODEV */, $"no port named '{name}'; ports: {string.Join(", ", All.Select(p => p.Name))}");
    }

    /// <summary>Finds the port named <paramref name="name"/>.</summary>
    public static bool TryFindByName(string name, out Port port)
    {
        Eal.EnsureInitialized();
        ushort id;
        int rc;
        using (var native = new Utf8String(name))
        {
            rc = Dpdk.rte_eth_dev_get_port_by_name(native.Pointer, &id);
        }

        port = rc == 0 ? new Port(id) : default;
        return rc == 0;
    }

    /// <summary>Whether the id names an attached port.</summary>
    public bool IsValid => Eal.IsInitialized && Dpdk.rte_eth_dev_is_valid_port(Id) != 0;

    /// <summary>The device name (<c>rte_eth_dev_get_name_by_port</c>).</summary>
    public string Name
    {
        get
        {
            var name = stackalloc sbyte[Dpdk.RTE_ETH_NAME_MAX_LEN];
            Check(Dpdk.rte_eth_dev_get_name_by_port(Id, name), "rte_eth_dev_get_name_by_port");
            return Utf8String.Read(name);
        }
    }

    /// <summary>The NUMA socket the port is attached to (-1 when unknown).</summary>
    public int SocketId => Dpdk.rte_eth_dev_socket_id(Id);

    /// <summary>What the port is and can do (<c>rte_eth_dev_info_get</c>).</summary>
    public PortInfo Info
    {
        get
        {
            var info = RawInfo();
            return new PortInfo
            {
                Name = Name,
                DriverName = Utf8String.Read(info.driver_name),
                InterfaceIndex = info.if_index,
                MinMtu = info.min_mtu,
                MaxMtu = info.max_mtu,
                MaxRxPacketLength = info.max_rx_pktlen,
                MaxRxQueues = info.max_rx_queues,
                MaxTxQueues = info.max_tx_queues,
                RxQueueCount = info.nb_rx_queues,
                TxQueueCount = info.nb_tx_queues,
                RxOffloadCapabilities = (RxOffloads)info.rx_offload_capa,
                TxOffloadCapabilities = (TxOffloads)info.tx_offload_capa,
                RssCapabilities = (RssHash)info.flow_type_rss_offloads,
                RetaSize = info.reta_size,
                HashKeySize = info.hash_key_size,
                RxDescriptorLimits = new(info.rx_desc_lim.nb_min, info.rx_desc_lim.nb_max, info.rx_desc_lim.nb_align),
                TxDescriptorLimits = new(info.tx_desc_lim.nb_min, info.tx_desc_lim.nb_max, info.tx_desc_lim.nb_align),
            };
        }
    }

    internal rte_eth_dev_info RawInfo()
    {
        Eal.EnsureInitialized();
        rte_eth_dev_info info;
        Check(Dpdk.rte_eth_dev_info_get(Id, &info), "rte_eth_dev_info_get");
        return info;
    }

    // Start, stop, close, reset and configure change what the port's queues burst to (see PortEpochs): each
    // invalidates the queue handles' cached driver pointers before and after it, whether it succeeds or not.

    /// <summary>Starts the port (<c>rte_eth_dev_start</c>); it must be configured.</summary>
    /// <exception cref="InvalidOperationException">The port is not configured (<see cref="Configure"/> first).</exception>
    /// <exception cref="NotSupportedException">
    /// The port was configured with <see cref="PortConfig.RxInterrupts"/> and its driver gives a receive queue no
    /// interrupt; the port is left stopped.
    /// </exception>
    public void Start()
    {
        PortEpochs.Invalidate(Id);
        try
        {
            var rc = Dpdk.rte_eth_dev_start(Id);
            if (rc == -22 /* EINVAL */ && IsValid && !IsConfigured())
            {
                throw new InvalidOperationException($"{this} ({Name}) is not configured: call Port.Configure (queues and their pool) before Port.Start.");
            }
            Check(rc, "rte_eth_dev_start");
        }
        finally
        {
            PortEpochs.Invalidate(Id);
        }
        // DPDK accepts intr_conf.rxq from any driver and makes the vectors at start; a driver without them only
        // shows it here (no event fd), so the check is here, before any loop counts on sleeping.
        if (RxInterrupts)
        {
            var queues = RawInfo().nb_rx_queues;
            for (var q = 0; q < queues; q++)
            {
                if (Dpdk.rte_eth_dev_rx_intr_ctl_q_get_fd(Id, (ushort)q) < 0)
                {
                    Stop();
                    throw NoRxInterrupt(this, q);
                }
            }
        }
    }

    internal static NotSupportedException NoRxInterrupt(Port port, int queue) =>
        new($"{port} ({port.Info.DriverName}) has no RX interrupt for queue {queue} (rte_eth_dev_rx_intr_ctl_q_get_fd failed): " +
            "its driver does not support them. Configure it without PortConfig.RxInterrupts and poll (RxMode.Poll).");

    /// <summary>Stops the port (<c>rte_eth_dev_stop</c>); its queues then receive and send nothing.</summary>
    public void Stop()
    {
        PortEpochs.Invalidate(Id);
        try
        {
            Check(Dpdk.rte_eth_dev_stop(Id), "rte_eth_dev_stop");
        }
        finally
        {
            PortEpochs.Invalidate(Id);
        }
    }

    /// <summary>
    /// Closes the port (<c>rte_eth_dev_close</c>), releasing it and the mbufs its queues hold; stop it first. The id
    /// is then invalid, and the port's <see cref="ClaimQueue">queue claims</see> are released.
    /// </summary>
    public void Close()
    {
        PortEpochs.Invalidate(Id);
        try
        {
            Check(Dpdk.rte_eth_dev_close(Id), "rte_eth_dev_close");
        }
        finally
        {
            PortEpochs.Invalidate(Id);
            QueueClaims.ReleasePort(Id);
        }
    }

    /// <summary>
    /// Stops and closes the port (<see cref="Stop"/>, <see cref="Close"/>): closing releases its queues, and drivers
    /// give back the mbufs their receive rings hold (a software ring such as net_ring's keeps what sits in it), so
    /// dispose ports before the pools they receive into (declare the pool's <c>using</c> first). Idempotent
    /// (a closed port, or one whose EAL is gone, is left alone), and it never throws: a teardown failure must not
    /// replace an exception already in flight, so it is logged (<see cref="EalOptions.LoggerFactory"/>) instead;
    /// call <see cref="Stop"/> and <see cref="Close"/> to see it.
    /// </summary>
    public void Dispose()
    {
        if (!IsValid)
        {
            return;
        }
        try
        {
            Stop();
            Close();
        }
        catch (Exception e) when (e is DpdkException or InvalidOperationException)
        {
            DpdkLog.Runtime.LogWarning(e, "Disposing {Port} did not complete; it may still hold mbufs of its pools", this);
        }
    }

    /// <summary>Whether <c>rte_eth_dev_configure</c> has set the port up: its first receive or transmit queue exists.</summary>
    private bool IsConfigured()
    {
        rte_eth_rxq_info rx;
        rte_eth_txq_info tx;
        // EINVAL: no such queue or not set up; anything else (ENOTSUP: the driver cannot describe it) means it exists.
        return Dpdk.rte_eth_rx_queue_info_get(Id, 0, &rx) != -22 || Dpdk.rte_eth_tx_queue_info_get(Id, 0, &tx) != -22;
    }

    /// <summary>Resets the device (<c>rte_eth_dev_reset</c>); it must be configured and started again.</summary>
    public void Reset()
    {
        PortEpochs.Invalidate(Id);
        try
        {
            Check(Dpdk.rte_eth_dev_reset(Id), "rte_eth_dev_reset");
        }
        finally
        {
            PortEpochs.Invalidate(Id);
        }
    }

    /// <summary>
    /// Makes this port's <see cref="RxQueue"/>/<see cref="TxQueue"/> handles read the driver's pointers again on
    /// their next burst. <see cref="Start"/>, <see cref="Stop"/>, <see cref="Configure"/>, <see cref="Reset"/> and
    /// <see cref="Close"/> do it themselves; call it after changing the port's lifecycle through the raw API
    /// (<c>rte_eth_dev_start</c>, <c>rte_eth_dev_stop</c>, <c>rte_eth_dev_configure</c>, queue setup) while
    /// handles of it are kept.
    /// </summary>
    public void InvalidateQueueHandles() => PortEpochs.Invalidate(Id);

    /// <summary>The link now, without waiting (<c>rte_eth_link_get_nowait</c>).</summary>
    public LinkStatus Link
    {
        get
        {
            rte_eth_link link;
            Check(Dpdk.rte_eth_link_get_nowait(Id, &link), "rte_eth_link_get_nowait");
            return new LinkStatus(link.link_status == Dpdk.RTE_ETH_LINK_UP, link.link_speed,
                link.link_duplex == Dpdk.RTE_ETH_LINK_FULL_DUPLEX, link.link_autoneg == Dpdk.RTE_ETH_LINK_AUTONEG);
        }
    }

    /// <summary>Polls the link until it is up or <paramref name="timeout"/> passes; returns whether it came up.</summary>
    public bool WaitForLinkUp(TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            if (Link.IsUp)
            {
                return true;
            }

            if (Environment.TickCount64 >= deadline)
            {
                return false;
            }

            Thread.Sleep(10);
        }
    }

    /// <summary>The port's MAC address (<c>rte_eth_macaddr_get</c>; set: <c>rte_eth_dev_default_mac_addr_set</c>).</summary>
    public MacAddress MacAddress
    {
        get
        {
            rte_ether_addr addr;
            Check(Dpdk.rte_eth_macaddr_get(Id, &addr), "rte_eth_macaddr_get");
            return MacAddress.Read(addr.addr_bytes);
        }
        set
        {
            rte_ether_addr addr = default;
            value.Write(addr.addr_bytes);
            Check(Dpdk.rte_eth_dev_default_mac_addr_set(Id, &addr), "rte_eth_dev_default_mac_addr_set", $"address {value}");
        }
    }

    /// <summary>Whether the port receives every frame (<c>rte_eth_promiscuous_get/enable/disable</c>).</summary>
    public bool Promiscuous
    {
        get => Check(Dpdk.rte_eth_promiscuous_get(Id), "rte_eth_promiscuous_get") == 1;
        set => Check(value ? Dpdk.rte_eth_promiscuous_enable(Id) : Dpdk.rte_eth_promiscuous_disable(Id),
            value ? "rte_eth_promiscuous_enable" : "rte_eth_promiscuous_disable");
    }

    /// <summary>The MTU (<c>rte_eth_dev_get_mtu</c> / <c>rte_eth_dev_set_mtu</c>).</summary>
    public int Mtu
    {
        get
        {
            ushort mtu;
            Check(Dpdk.rte_eth_dev_get_mtu(Id, &mtu), "rte_eth_dev_get_mtu");
            return mtu;
        }
        set
        {
            if (value is < 0 or > ushort.MaxValue)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "MTU must fit 16 bits.");
            }

            Check(Dpdk.rte_eth_dev_set_mtu(Id, (ushort)value), "rte_eth_dev_set_mtu", $"MTU {value}");
        }
    }

    /// <summary>Basic counters (<c>rte_eth_stats_get</c>).</summary>
    public PortStats Stats
    {
        get
        {
            rte_eth_stats s;
            Check(Dpdk.rte_eth_stats_get(Id, &s), "rte_eth_stats_get");
            return new PortStats
            {
                RxPackets = s.ipackets, TxPackets = s.opackets, RxBytes = s.ibytes, TxBytes = s.obytes,
                RxMissed = s.imissed, RxErrors = s.ierrors, TxErrors = s.oerrors, RxNoMbuf = s.rx_nombuf,
            };
        }
    }

    /// <summary>Zeroes the basic counters (<c>rte_eth_stats_reset</c>).</summary>
    public void ResetStats() => Check(Dpdk.rte_eth_stats_reset(Id), "rte_eth_stats_reset");

    /// <summary>Every extended statistic, name and value (<c>rte_eth_xstats_get_names</c> + <c>rte_eth_xstats_get</c>).</summary>
    public IReadOnlyList<ExtendedStat> ExtendedStats
    {
        get
        {
            var count = Check(Dpdk.rte_eth_xstats_get_names(Id, null, 0), "rte_eth_xstats_get_names");
            var names = new rte_eth_xstat_name[count];
            var values = new rte_eth_xstat[count];
            fixed (rte_eth_xstat_name* n = names)
            {
                Check(Dpdk.rte_eth_xstats_get_names(Id, n, (uint)count), "rte_eth_xstats_get_names");
            }

            int got;
            fixed (rte_eth_xstat* v = values)
            {
                got = Check(Dpdk.rte_eth_xstats_get(Id, v, (uint)count), "rte_eth_xstats_get");
            }

            var result = new List<ExtendedStat>(got);
            for (var i = 0; i < Math.Min(got, count); i++)
            {
                result.Add(new ExtendedStat(Utf8String.Read(names[(int)values[i].id].name), values[i].value));
            }

            return result;
        }
    }

    /// <summary>Zeroes the extended statistics (<c>rte_eth_xstats_reset</c>).</summary>
    public void ResetExtendedStats() => Check(Dpdk.rte_eth_xstats_reset(Id), "rte_eth_xstats_reset");

    private int Check(int rc, string function, string? context = null) =>
        DpdkException.Check(rc, function, context is null ? $"port {Id}" : $"port {Id}, {context}");

    /// <inheritdoc/>
    public bool Equals(Port other) => Id == other.Id;
    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Port other && Equals(other);
    /// <inheritdoc/>
    public override int GetHashCode() => Id;
    /// <summary>Equality.</summary>
    public static bool operator ==(Port left, Port right) => left.Equals(right);
    /// <summary>Inequality.</summary>
    public static bool operator !=(Port left, Port right) => !left.Equals(right);
    /// <inheritdoc/>
    public override string ToString() => $"port {Id}";
}
