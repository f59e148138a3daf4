using Microsoft.Extensions.Logging;
namespace DpdkSharp.Stack.Interface;

/// <summary>An echo reply received for <see cref="NetworkInterfaceCore.SendEchoRequest"/>.</summary>
public readonly record struct EchoReply(Ipv4Address Source, ushort Identifier, ushort SequenceNumber, int DataLength, int BytesCopied);

/// <summary>
/// The sans-IO protocol core of one IPv4-over-Ethernet interface: Ethernet II/802.1Q, ARP,
/// IPv4 with routing, reassembly and fragmentation, ICMP and UDP, bound together.
/// </summary>
/// <remarks>
/// <para>Inputs: <see cref="Receive(ReadOnlySpan{byte}, Instant, RxChecksumStatus)"/> (a frame the caller owns for the duration of the call),
/// <see cref="Poll"/> (timers), and the UDP/ICMP send calls. Outputs: frames built in buffers
/// rented from the <see cref="IPacketBufferPool"/> and handed to the <see cref="IFrameSink"/>;
/// data and errors queued on endpoints, announced by <see cref="UdpEndpointTable.TryDequeueReady"/>.
/// Time is always a parameter (nanoseconds on any monotonic clock the caller chooses).</para>
/// <para>Threading: none. One core is driven by one thread (the reactor of its queue); no locks,
/// no allocation on the packet path once warm (reassembly blocks, endpoint queues and the ARP
/// cache allocate on first use, bounded).</para>
/// <para>Replies in place: when the device lends the receive buffer (the second
/// <see cref="Receive(PacketBuffer, int, Instant, RxChecksumStatus, out bool)"/>) and a zero-copy UDP
/// handler sends the received payload itself back (<see cref="SendUdp"/> with a span that starts
/// at the received payload), the reply is built around the payload in that buffer once the
/// handler returns: no buffer rented, no payload copied.</para>
/// </remarks>
public sealed partial class NetworkInterfaceCore : IFrameReceiver, IDisposable
{
    /// <summary>Minimum IPv4 MTU (RFC 791 §3.2: every host must handle 68-byte datagrams).</summary>
    public const int MinMtu = 68;
    /// <summary>ICMP errors quote at most this much of a datagram (RFC 1812 §4.3.2.3: the error fits in 576 bytes).</summary>
    private const int IcmpErrorMaxLength = 576;

    private readonly InterfaceOptions _options;
    private readonly IPacketBufferPool _pool;
    private readonly IFrameSink _sink;
    private readonly NetCounters _counters = new();
    private readonly NetMetrics? _metrics;
    private readonly InterfaceLog? _log;
    private readonly ArpCache _arp;
    private readonly Ipv4Reassembler _reassembly;
    private readonly UdpEndpointTable _udp;
    private readonly TcpEndpointTable _tcp;
    private readonly RoutingTable _routes = new();
    private RouteHit _routeHit; // the last route the transmit path looked up (see RoutingTable.TryLookup)
    private readonly DatagramQueue _echoReplies;
    private Ipv4Address[] _groups; // received: all systems and every joined group (replaced on a join or leave)
    private readonly Dictionary<Ipv4Address, int> _groupJoins = []; // joins per group, a configured group's included
    private readonly IgmpHost? _igmp; // null when IgmpOptions.Enabled is off
    private readonly MacAddress _mac;
    private readonly Ipv4Address _address;
    private readonly Ipv4Address _subnetBroadcast;
    private readonly int _mtu;
    private readonly ulong _sourceAndIpv4Type; // bytes 6-13 of every untagged IPv4 frame we send: our MAC, then the IPv4 EtherType
    private readonly byte _ttl; // InterfaceOptions.DefaultTtl, read per datagram sent without going through the options
    private readonly byte _multicastTtl; // InterfaceOptions.MulticastTtl
    private readonly ushort? _vlan;
    private readonly int _l2Length;
    private readonly bool _ipTxOffload;
    private readonly bool _udpTxOffload;
    private readonly bool _tcpTxOffload;
    private TokenBucket _icmpErrors;
    private ushort _nextId;
    private int _announcementsLeft;
    private Instant _nextAnnounceAt;
    private readonly TimeSpan _announceInterval;

    /// <summary>A core for <paramref name="options"/> that rents from <paramref name="pool"/> and sends to <paramref name="sink"/>.</summary>
    public NetworkInterfaceCore(InterfaceOptions options, IPacketBufferPool pool, IFrameSink sink)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Mtu, MinMtu);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Mtu, Ipv4Packet.MaxTotalLength);
        ArgumentOutOfRangeException.ThrowIfNegative(options.PrefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.PrefixLength, 32);
        if (options.Mac.IsMulticast || options.Mac.IsZero)
        {
            throw new ArgumentException("The interface MAC must be a unicast address.", nameof(options));
        }
        _options = options;
        _pool = pool;
        _sink = sink;
        _mac = options.Mac;
        _address = options.Address;
        _mtu = options.Mtu;
        _ttl = options.DefaultTtl;
        _multicastTtl = options.MulticastTtl;
        _sourceAndIpv4Type = _mac.Value << 16 | (ushort)EtherType.Ipv4;
        _vlan = options.VlanId;
        _l2Length = EthernetFrame.HeaderLengthFor(_vlan);
        if (_l2Length + _mtu > pool.BufferSize)
        {
            throw new ArgumentException($"MTU {_mtu} plus a {_l2Length}-byte header does not fit the pool's {pool.BufferSize}-byte buffers.", nameof(options));
        }
        uint mask = Ipv4Address.Mask(options.PrefixLength);
        // /31 and /32 have no broadcast address (RFC 3021).
        _subnetBroadcast = options.PrefixLength >= 31 ? Ipv4Address.Broadcast : new Ipv4Address(_address.Value | ~mask);
        _ipTxOffload = (options.Offloads & ChecksumOffloads.Ipv4Tx) != 0;
        _udpTxOffload = (options.Offloads & ChecksumOffloads.UdpTx) != 0;
        _tcpTxOffload = (options.Offloads & ChecksumOffloads.TcpTx) != 0;
        _groups = [IgmpMessage.AllSystems];
        if (options.Igmp.Enabled)
        {
            // Seeded from what tells this host from its neighbours: their report delays differ (RFC 2236 §3).
            _igmp = new IgmpHost(options.Igmp, (int)(_address.Value ^ (uint)_mac.Value ^ (uint)(_mac.Value >> 16)));
        }
        foreach (var group in options.MulticastGroups)
        {
            JoinGroup(group, Instant.Zero); // reported when the interface starts
        }

        _arp = new ArpCache(options.Arp);
        if (options.LoggerFactory?.CreateLogger(LogCategory) is { } logger)
        {
            _log = new InterfaceLog(logger, options.Name);
        }
        _arp.Unresolved = OnUnresolved;
        _reassembly = new Ipv4Reassembler(options.Reassembly, _counters);
        _udp = new UdpEndpointTable(options.Udp) { InterfaceAddress = _address };
        _tcp = new TcpEndpointTable(options.Tcp, _address, _mtu, new TcpSegmentSink(this), _counters);
        _echoReplies = new DatagramQueue(options.Icmp.EchoReplyQueueBytes, 1024);
        _icmpErrors = new TokenBucket(options.Icmp.ErrorBurst, options.Icmp.ErrorsPerSecond);
        _announceInterval = options.Arp.AnnounceInterval;
        _nextId = (ushort)(_address.Value ^ _mac.Value);

        _routes.AddConnected(_address, options.PrefixLength);
        foreach (var route in options.StaticRoutes)
        {
            _routes.Add(route);
        }
        if (options.Gateway is Ipv4Address gw)
        {
            _routes.SetDefaultGateway(gw);
        }
        foreach (var (ip, mac) in options.StaticNeighbors)
        {
            _arp.AddStatic(ip, mac);
        }
        if (options.PublishMetrics)
        {
            _metrics = new NetMetrics(_counters, options.Name, options.MeterFactory);
            _tcp.RttRecorder = _metrics.AddTcp(_tcp.Counters);
        }
    }

    /// <summary>
    /// A next hop never answered ARP: logged, and every connected UDP socket whose peer is reached
    /// through it reports <see cref="NetError.HostUnreachable"/> on its next operation, as Linux's
    /// EHOSTUNREACH does (RFC 1122 §2.3.2.1: the link layer tells the host the neighbour is unreachable).
    /// </summary>
    private void OnUnresolved(Ipv4Address nextHop, int requests)
    {
        _log?.Unresolved(nextHop, requests);
        _udp.SetErrorWhereConnected(remote => _routes.TryLookup(remote, out var route) && route.NextHop(remote) == nextHop, NetError.HostUnreachable);
    }

    /// <summary>The configuration the core was built with.</summary>
    public InterfaceOptions Options => _options;

    /// <summary>The logging category of the interface (<see cref="InterfaceOptions.LoggerFactory"/>).</summary>
    public const string LogCategory = "DpdkSharp.Stack.Interface";
    /// <summary>The interface's MAC address.</summary>
    public MacAddress Mac => _mac;
    /// <summary>The interface's IPv4 address.</summary>
    public Ipv4Address Address => _address;
    /// <summary>The IP MTU.</summary>
    public int Mtu => _mtu;
    /// <summary>Packet, byte and drop counters (readable from any thread, possibly stale).</summary>
    public NetCounters Counters => _counters;
    /// <summary>The routing table (reactor thread only).</summary>
    public RoutingTable Routes => _routes;
    /// <summary>The ARP cache (reactor thread only).</summary>
    public ArpCache Neighbors => _arp;
    /// <summary>IPv4 reassembly state (reactor thread only).</summary>
    public Ipv4Reassembler Reassembly => _reassembly;
    /// <summary>The UDP endpoints (reactor thread only).</summary>
    public UdpEndpointTable Udp => _udp;

    /// <summary>
    /// Brings the interface up: announces our address with gratuitous ARP (RFC 5227 §2.3, ARP
    /// Announcement: a request with sender and target IP both ours), the first now and the rest
    /// from <see cref="Poll"/>, and reports the multicast groups (IGMP, RFC 2236 §3) the same way.
    /// Address conflict detection (probing, §2.1) is not done: the address is statically configured.
    /// </summary>
    public void Start(Instant now)
    {
        _announcementsLeft = _options.Arp.Announcements;
        _nextAnnounceAt = now;
        _igmp?.Start(now);
        Poll(now);
    }

    /// <summary>
    /// When <see cref="Poll"/> next has something to do (nanoseconds on the caller's clock): no
    /// later than the earliest ARP retry or expiry, reassembly timeout or announcement, and kept
    /// up to date as packets arm new timers. Reading it is cheap; polling scans the ARP cache and
    /// the partial datagrams, so a driver polls only once this is due.
    /// </summary>
    public Instant NextTimerAt => Instant.Min(Instant.Min(Instant.Min(_arp.EarliestDeadline, _reassembly.EarliestDeadline),
        _announcementsLeft > 0 ? _nextAnnounceAt : Instant.Never), Instant.Min(_tcp.NextTimerAt, _igmp?.NextDeadline ?? Instant.Never));

    /// <summary>Runs timers: ARP retries and expiry, reassembly timeouts, announcements, IGMP reports, TCP's. Returns when it next needs to run.</summary>
    public Instant Poll(Instant now)
    {
        var next = _arp.Poll(now);
        DrainNeighbors();
        _tcp.Poll(now);
        next = Instant.Min(next, _tcp.NextTimerAt);
        while (_reassembly.TryExpire(now, out var source, out var firstFragment))
        {
            // RFC 792 Time Exceeded, code 1, only if fragment zero arrived (RFC 1122 §3.3.2).
            if (firstFragment.Length >= Ipv4Packet.MinHeaderLength)
            {
                int ihl = (firstFragment[0] & 0x0F) * 4;
                var dst = Ipv4Address.Read(firstFragment[16..]);
                bool broadcast = dst != _address;
                SendIcmpError(IcmpType.TimeExceeded, 1, source, broadcast, firstFragment[..ihl], firstFragment[ihl..], now);
            }
        }
        next = Instant.Min(next, _reassembly.NextDeadline());
        if (_announcementsLeft > 0 && now >= _nextAnnounceAt)
        {
            SendArp(ArpOperation.Request, MacAddress.Broadcast, MacAddress.Zero, _address);
            _announcementsLeft--;
            _nextAnnounceAt = now + _announceInterval;
        }
        if (_announcementsLeft > 0)
        {
            next = Instant.Min(next, _nextAnnounceAt);
        }
        if (_igmp is not null)
        {
            SendDueIgmpReports(now);
            next = Instant.Min(next, _igmp.NextDeadline);
        }
        return next;
    }

    /// <summary>
    /// Handles one received frame. The caller keeps ownership of <paramref name="frame"/>; the
    /// core copies what it keeps. Every frame ends as exactly one <see cref="RxDisposition"/>,
    /// and every <see cref="RxDisposition.Dropped"/> is counted under one reason.
    /// </summary>
    public RxDisposition Receive(ReadOnlySpan<byte> frame, Instant now, RxChecksumStatus checksum = RxChecksumStatus.Unknown)
    {
        var rx = RxFrame.Borrowed;
        return ReceiveFrame(ref rx, frame, now, checksum);
    }

    private RxDisposition ReceiveFrame(ref RxFrame rx, ReadOnlySpan<byte> frame, Instant now, RxChecksumStatus checksum)
    {
        _counters.FramesReceivedField++;
        if (!TryReceivePlainIpv4(ref rx, frame, now, checksum, out var disposition))
        {
            disposition = ReceiveEthernet(ref rx, frame, now, checksum);
        }
        switch (disposition)
        {
            case RxDisposition.Delivered: _counters.FramesDeliveredField++; break;
            case RxDisposition.Consumed: _counters.FramesConsumedField++; break;
            case RxDisposition.Buffered: _counters.FramesBufferedField++; break;
            default: _counters.FramesDroppedField++; break;
        }
        return disposition;
    }

    /// <summary>
    /// Sends a UDP datagram from an endpoint, to <paramref name="remote"/> or (null) to the
    /// connected peer. Fragments when larger than the MTU unless the endpoint set Don't Fragment.
    /// Returns a pending ICMP error instead of sending if there is one. <see cref="NetError.None"/>
    /// also when the frame waits for ARP.
    /// </summary>
    public NetError SendUdp(UdpHandle handle, Ipv4Endpoint? remote, ReadOnlySpan<byte> payload, Instant now)
    {
        var error = _udp.PrepareSend(handle, remote, out var local, out var destination, out bool dontFragment);
        if (error != NetError.None)
        {
            return error;
        }
        if (payload.Length > UdpDatagram.MaxPayload)
        {
            return NetError.MessageTooLong;
        }
        int ipPayload = UdpDatagram.HeaderLength + payload.Length;
        bool fits = Ipv4Packet.MinHeaderLength + ipPayload <= _mtu;
        if (!fits && dontFragment)
        {
            _counters.CountDrop(DropReason.FragmentationNeeded, DropStage.Transmit);
            return NetError.MessageTooLong;
        }
        if (_rx.Loan == LoanState.ReplyPending)
        {
            // Another send from the handler: the pending reply goes first, as the socket's order
            // demands, and by copy, since the buffer stays the handler's until it returns.
            SendPendingReplyByCopy(ref _rx, now);
        }
        if (fits && _rx.Loan == LoanState.Lent && _rx.IsLentPayload(payload))
        {
            // The reply is built around the payload after the handler returns (the handler may
            // still read the payload until then): see SendReplyInPlace.
            // Written in place (see InPlaceReply); a failed route leaves a hop nobody reads, the reply not being pending.
            ref var reply = ref _rx.Reply;
            if (!TryRoute(destination.Address, out reply.Hop))
            {
                return NetError.NoRoute;
            }
            reply.Local = local;
            reply.Destination = destination;
            reply.PayloadLength = payload.Length;
            reply.DontFragment = dontFragment;
            _rx.Loan = LoanState.ReplyPending;
            return NetError.None;
        }
        return SendUdpCopy(local, destination, payload, dontFragment, fits, now);
    }

    /// <summary>Frames a datagram into rented buffers (copying the payload), fragmenting when it does not fit.</summary>
    private NetError SendUdpCopy(Ipv4Endpoint local, Ipv4Endpoint destination, ReadOnlySpan<byte> payload, bool dontFragment, bool fits, Instant now)
    {
        // A device finishes the UDP checksum only for a datagram it sees whole.
        bool offload = _udpTxOffload && fits;
        uint payloadSum = offload ? 0 : InternetChecksum.Sum(payload);
        Span<byte> header = stackalloc byte[UdpDatagram.HeaderLength];
        UdpDatagram.WriteHeader(header, local.Address, destination.Address, local.Port, destination.Port, payload.Length, payloadSum, offload);
        var error = SendIpv4(local.Address, destination.Address, IpProtocol.Udp, header, payload, default, dontFragment, offload, now);
        if (error == NetError.None)
        {
            _counters.CountTx(NetLayer.Udp, UdpDatagram.HeaderLength + payload.Length);
        }
        return error;
    }

    /// <summary>Sends an ICMP echo request (ping). Replies arrive through <see cref="TryReceiveEchoReply"/>.</summary>
    public NetError SendEchoRequest(Ipv4Address destination, ushort identifier, ushort sequence, ReadOnlySpan<byte> data, Instant now)
    {
        if (data.Length > Ipv4Packet.MaxTotalLength - Ipv4Packet.MinHeaderLength - IcmpMessage.HeaderLength)
        {
            return NetError.MessageTooLong;
        }
        Span<byte> header = stackalloc byte[IcmpMessage.HeaderLength];
        IcmpMessage.WriteHeader(header, IcmpType.EchoRequest, 0, identifier, sequence, InternetChecksum.Sum(data));
        var error = SendIpv4(_address, destination, IpProtocol.Icmp, header, data, default, false, false, now);
        if (error == NetError.None)
        {
            _counters.CountTx(NetLayer.Icmp, header.Length + data.Length);
        }
        return error;
    }

    /// <summary>Takes the oldest echo reply; its data is copied into <paramref name="data"/> (truncated if short).</summary>
    public bool TryReceiveEchoReply(Span<byte> data, out EchoReply reply)
    {
        if (!_echoReplies.TryDequeue(data, out int copied, out int length, out var from, out ushort sequence))
        {
            reply = default;
            return false;
        }
        reply = new EchoReply(from.Address, from.Port, sequence, length, copied);
        return true;
    }

    /// <summary>Drops the frames waiting for ARP (back to the pool, counted) and stops publishing metrics.</summary>
    public void Dispose()
    {
        _arp.Clear();
        DrainNeighbors();
        _metrics?.Dispose();
    }
}
