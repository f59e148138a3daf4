using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DpdkSharp.Stack;

/// <summary>An echo reply received for <see cref="NetworkInterfaceCore.SendEchoRequest"/>.</summary>
public readonly record struct EchoReply(Ipv4Address Source, ushort Identifier, ushort SequenceNumber, int DataLength, int BytesCopied);

/// <summary>
/// The sans-IO protocol core of one IPv4-over-Ethernet interface: Ethernet II/802.1Q, ARP,
/// IPv4 with routing, reassembly and fragmentation, ICMP and UDP, bound together.
/// </summary>
/// <remarks>
/// <para>Inputs: <see cref="Receive"/> (a frame the caller owns for the duration of the call),
/// <see cref="Poll"/> (timers), and the UDP/ICMP send calls. Outputs: frames built in buffers
/// rented from the <see cref="IPacketBufferPool"/> and handed to the <see cref="IFrameSink"/>;
/// data and errors queued on endpoints, announced by <see cref="UdpEndpointTable.TryDequeueReady"/>.
/// Time is always a parameter (nanoseconds on any monotonic clock the caller chooses).</para>
/// <para>Threading: none. One core is driven by one thread (the reactor of its queue); no locks,
/// no allocation on the packet path once warm (reassembly slots, endpoint queues and the ARP
/// cache allocate on first use, bounded).</para>
/// <para>Replies in place: when the device lends the receive buffer (the second
/// <see cref="Receive(PacketBuffer, int, long, RxChecksumStatus, out bool)"/>) and a zero-copy UDP
/// handler sends the received payload itself back (<see cref="SendUdp"/> with a span that starts
/// at the received payload), the reply is built around the payload in that buffer once the
/// handler returns: no buffer rented, no payload copied.</para>
/// </remarks>
public sealed class NetworkInterfaceCore : IFrameReceiver, IArpHost, IDisposable
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
    private readonly ArpCache _arp;
    private readonly Ipv4Reassembler _reassembly;
    private readonly UdpEndpointTable _udp;
    private readonly RoutingTable _routes = new();
    private readonly DatagramQueue _echoReplies;
    private readonly Ipv4Address[] _groups;
    private readonly MacAddress _mac;
    private readonly Ipv4Address _address;
    private readonly Ipv4Address _subnetBroadcast;
    private readonly int _mtu;
    private readonly ushort? _vlan;
    private readonly int _l2Length;
    private readonly bool _ipTxOffload;
    private readonly bool _udpTxOffload;
    private TokenBucket _icmpErrors;
    private ushort _nextId;
    private int _announcementsLeft;
    private long _nextAnnounceAt;
    private readonly long _announceIntervalNs;
    // The receive buffer lent for the frame being handled, and a reply waiting to be built in it.
    private LoanState _loan;
    private PacketBuffer _loanBuffer;
    private int _rxL2Length;
    private int _loanPayloadOffset;
    private int _loanPayloadLength;
    private InPlaceReply _reply;

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
        _groups = [new Ipv4Address(0xE000_0001), .. options.MulticastGroups];

        _arp = new ArpCache(options.Arp, this);
        _reassembly = new Ipv4Reassembler(options.Reassembly, _counters);
        _udp = new UdpEndpointTable(options.Udp) { InterfaceAddress = _address };
        _echoReplies = new DatagramQueue(options.Icmp.EchoReplyQueueBytes, 1024);
        _icmpErrors = new TokenBucket(options.Icmp.ErrorBurst, options.Icmp.ErrorsPerSecond);
        _announceIntervalNs = (long)options.Arp.AnnounceInterval.TotalNanoseconds;
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
        }
    }

    public InterfaceOptions Options => _options;
    public MacAddress Mac => _mac;
    public Ipv4Address Address => _address;
    public int Mtu => _mtu;
    public NetCounters Counters => _counters;
    public RoutingTable Routes => _routes;
    public ArpCache Neighbors => _arp;
    public Ipv4Reassembler Reassembly => _reassembly;
    public UdpEndpointTable Udp => _udp;

    /// <summary>
    /// Brings the interface up: announces our address with gratuitous ARP (RFC 5227 §2.3, ARP
    /// Announcement: a request with sender and target IP both ours), the first now and the rest
    /// from <see cref="Poll"/>. Address conflict detection (probing, §2.1) is not done: the
    /// address is statically configured.
    /// </summary>
    public void Start(long now)
    {
        _announcementsLeft = _options.Arp.Announcements;
        _nextAnnounceAt = now;
        Poll(now);
    }

    /// <summary>
    /// When <see cref="Poll"/> next has something to do (nanoseconds on the caller's clock): no
    /// later than the earliest ARP retry or expiry, reassembly timeout or announcement, and kept
    /// up to date as packets arm new timers. Reading it is cheap; polling scans the ARP cache and
    /// the reassembly slots, so a driver polls only once this is due.
    /// </summary>
    public long NextTimerAt => Math.Min(Math.Min(_arp.EarliestDeadline, _reassembly.EarliestDeadline),
        _announcementsLeft > 0 ? _nextAnnounceAt : long.MaxValue);

    /// <summary>Runs timers: ARP retries and expiry, reassembly timeouts, announcements. Returns when it next needs to run.</summary>
    public long Poll(long now)
    {
        long next = _arp.Poll(now);
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
        next = Math.Min(next, _reassembly.NextDeadline());
        if (_announcementsLeft > 0 && now >= _nextAnnounceAt)
        {
            SendArp(ArpOperation.Request, MacAddress.Broadcast, MacAddress.Zero, _address);
            _announcementsLeft--;
            _nextAnnounceAt = now + _announceIntervalNs;
        }
        if (_announcementsLeft > 0)
        {
            next = Math.Min(next, _nextAnnounceAt);
        }
        return next;
    }

    /// <summary>
    /// Handles one received frame. The caller keeps ownership of <paramref name="frame"/>; the
    /// core copies what it keeps. Every frame ends as exactly one <see cref="RxDisposition"/>,
    /// and every <see cref="RxDisposition.Dropped"/> is counted under one reason.
    /// </summary>
    public RxDisposition Receive(ReadOnlySpan<byte> frame, long nowNanoseconds, RxChecksumStatus checksum = RxChecksumStatus.Unknown)
    {
        _loan = LoanState.None;
        return ReceiveFrame(frame, nowNanoseconds, checksum);
    }

    /// <summary>
    /// Handles a frame in a lent receive buffer (see <see cref="IFrameReceiver"/>); the core keeps
    /// it only to send a reply built in place (<paramref name="kept"/>).
    /// </summary>
    public RxDisposition Receive(PacketBuffer buffer, int length, long nowNanoseconds, RxChecksumStatus checksum, out bool kept)
    {
        _loan = LoanState.Lent;
        _loanBuffer = buffer;
        _loanPayloadOffset = -1;
        try
        {
            var disposition = ReceiveFrame(_pool.GetSpan(buffer)[..length], nowNanoseconds, checksum);
            kept = _loan == LoanState.Taken;
            return disposition;
        }
        finally
        {
            // Also when a handler threw (core-level handlers are not wrapped): never leave a
            // reference to a buffer the device is about to free.
            _loan = LoanState.None;
            _loanBuffer = default;
        }
    }

    private RxDisposition ReceiveFrame(ReadOnlySpan<byte> frame, long nowNanoseconds, RxChecksumStatus checksum)
    {
        _counters.FramesReceivedField++;
        var disposition = ReceiveEthernet(frame, nowNanoseconds, checksum);
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
    public NetError SendUdp(UdpHandle handle, Ipv4Endpoint? remote, ReadOnlySpan<byte> payload, long now)
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
        if (_loan == LoanState.ReplyPending)
        {
            // Another send from the handler: the pending reply goes first, as the socket's order
            // demands, and by copy, since the buffer stays the handler's until it returns.
            SendPendingReplyByCopy(now);
        }
        if (fits && _loan == LoanState.Lent && IsLentPayload(payload))
        {
            // The reply is built around the payload after the handler returns (the handler may
            // still read the payload until then): see SendReplyInPlace.
            if (!TryRoute(destination.Address, out var hop))
            {
                return NetError.NoRoute;
            }
            _reply = new InPlaceReply(local, destination, hop, payload.Length, dontFragment);
            _loan = LoanState.ReplyPending;
            return NetError.None;
        }
        return SendUdpCopy(local, destination, payload, dontFragment, fits, now);
    }

    /// <summary>Frames a datagram into rented buffers (copying the payload), fragmenting when it does not fit.</summary>
    private NetError SendUdpCopy(Ipv4Endpoint local, Ipv4Endpoint destination, ReadOnlySpan<byte> payload, bool dontFragment, bool fits, long now)
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

    /// <summary>Sends the pending in-place reply as an ordinary copied datagram; the lent buffer stays the device's.</summary>
    private void SendPendingReplyByCopy(long now)
    {
        var r = _reply;
        _loan = LoanState.Lent;
        var payload = _pool.GetSpan(_loanBuffer).Slice(_loanPayloadOffset, r.PayloadLength);
        _loanPayloadOffset = -1; // nothing more goes in place for this frame
        SendUdpCopy(r.Local, r.Destination, payload, r.DontFragment, fits: true, now);
    }

    /// <summary>Sends an ICMP echo request (ping). Replies arrive through <see cref="TryReceiveEchoReply"/>.</summary>
    public NetError SendEchoRequest(Ipv4Address destination, ushort identifier, ushort sequence, ReadOnlySpan<byte> data, long now)
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

    public void Dispose()
    {
        _arp.Clear();
        _metrics?.Dispose();
    }

    // ---- receive path ----------------------------------------------------------------------

    private RxDisposition RxDrop(DropReason reason)
    {
        _counters.CountDrop(reason, DropStage.Receive);
        return RxDisposition.Dropped;
    }

    private RxDisposition ReceiveEthernet(ReadOnlySpan<byte> frame, long now, RxChecksumStatus checksum)
    {
        if (!EthernetFrame.TryParse(frame, out var eth))
        {
            return RxDrop(DropReason.Malformed);
        }
        _counters.CountRx(NetLayer.Ethernet, frame.Length);
        _rxL2Length = frame.Length - eth.Payload.Length;
        if (_vlan is ushort vid)
        {
            if (eth.TagCount != 1 || eth.VlanId != vid)
            {
                return RxDrop(DropReason.NotForUs);
            }
        }
        else if (eth.TagCount > 1 || (eth.TagCount == 1 && eth.VlanId != 0))
        {
            // Untagged interface: accept untagged and priority-tagged (VID 0) frames only.
            return RxDrop(DropReason.NotForUs);
        }
        var dst = eth.Destination;
        bool linkMulticast = dst.IsMulticast; // broadcast included
        if (dst != _mac && !linkMulticast && !_options.Promiscuous)
        {
            return RxDrop(DropReason.NotForUs);
        }
        if (eth.Source == _mac || eth.Source.IsMulticast)
        {
            // Our own frame reflected back, or a group address as source (IEEE 802 forbids it).
            return RxDrop(DropReason.InvalidAddress);
        }
        return eth.EtherType switch
        {
            EtherType.Arp => ReceiveArp(eth.Payload, now),
            EtherType.Ipv4 => ReceiveIpv4(eth.Payload, linkMulticast, now, checksum),
            _ => RxDrop(DropReason.UnsupportedProtocol),
        };
    }

    /// <summary>RFC 826 "Packet Reception", with the RFC 5227 §2.4 rule that nobody else may claim our address.</summary>
    private RxDisposition ReceiveArp(ReadOnlySpan<byte> payload, long now)
    {
        if (!ArpPacket.TryParse(payload, out var arp, out var reason))
        {
            return RxDrop(reason);
        }
        _counters.CountRx(NetLayer.Arp, ArpPacket.Length);
        var sha = arp.SenderMac;
        var spa = arp.SenderIp;
        if (sha.IsMulticast || sha.IsZero || spa.IsMulticast || spa.IsBroadcast)
        {
            return RxDrop(DropReason.InvalidAddress);
        }
        if (spa == _address)
        {
            _counters.ArpConflictsField++;
            return RxDrop(DropReason.InvalidAddress);
        }
        bool forUs = arp.TargetIp == _address;
        // A probe (sender IP 0.0.0.0, RFC 5227 §2.1.1) is answered but not learned.
        bool learned = !spa.IsAny && _arp.Learn(spa, sha, forUs, now);
        if (forUs && arp.Operation == ArpOperation.Request)
        {
            SendArp(ArpOperation.Reply, sha, sha, spa);
        }
        return forUs || learned ? RxDisposition.Consumed : RxDrop(DropReason.NotForUs);
    }

    /// <summary>RFC 791 §3.2 / RFC 1122 §3.2.1 and §3.3.6: validate, accept only our destinations, reassemble, demultiplex.</summary>
    private RxDisposition ReceiveIpv4(ReadOnlySpan<byte> payload, bool linkMulticast, long now, RxChecksumStatus checksum)
    {
        if ((checksum & RxChecksumStatus.Ipv4Bad) != 0)
        {
            return RxDrop(DropReason.BadChecksum);
        }
        if (!Ipv4Packet.TryParse(payload, (checksum & RxChecksumStatus.Ipv4Good) == 0, out var ip, out var reason))
        {
            return RxDrop(reason);
        }
        _counters.CountRx(NetLayer.Ipv4, ip.TotalLength);
        var src = ip.Source;
        var dst = ip.Destination;
        if (src.IsMulticast || src.IsBroadcast || src == _address || (src == _subnetBroadcast && !src.IsAny))
        {
            return RxDrop(DropReason.InvalidAddress);
        }
        bool groupDestination;
        if (dst == _address)
        {
            groupDestination = false;
            // RFC 1122 §3.3.6: a unicast datagram that came as link-layer broadcast is discarded.
            if (linkMulticast)
            {
                return RxDrop(DropReason.NotForUs);
            }
        }
        else if (dst.IsBroadcast || dst == _subnetBroadcast || (dst.IsMulticast && IsJoined(dst)))
        {
            groupDestination = true;
        }
        else
        {
            return RxDrop(DropReason.NotForUs);
        }
        if (ip.Ttl == 0)
        {
            return RxDrop(DropReason.TtlExpired);
        }

        if (ip.IsFragment)
        {
            var status = _reassembly.Accept(in ip, now, out var datagram, out var meta, out int slot, out reason);
            if (status == ReassemblyStatus.Buffered)
            {
                return RxDisposition.Buffered;
            }
            if (status == ReassemblyStatus.Dropped)
            {
                return RxDrop(reason);
            }
            try
            {
                // Device checksum flags described the last fragment, not the datagram: verify in software.
                meta = meta with { DestinationIsBroadcastOrMulticast = groupDestination };
                return Deliver(in meta, _reassembly.GetFirstHeader(slot), datagram, now, RxChecksumStatus.Unknown);
            }
            finally
            {
                _reassembly.Release(slot);
            }
        }
        var single = new Ipv4Meta(src, dst, ip.Protocol, ip.Ttl, Reassembled: false, groupDestination || linkMulticast);
        return Deliver(in single, ip.Header, ip.Payload, now, checksum);
    }

    private RxDisposition Deliver(in Ipv4Meta meta, ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload, long now, RxChecksumStatus checksum)
    {
        switch (meta.Protocol)
        {
            case IpProtocol.Udp:
                return ReceiveUdp(in meta, header, payload, now, checksum);
            case IpProtocol.Icmp:
                return ReceiveIcmp(in meta, payload, now);
            default:
                // RFC 1122 §3.2.2.1: protocol unreachable SHOULD be sent.
                SendIcmpError(IcmpType.DestinationUnreachable, (byte)IcmpUnreachableCode.Protocol, meta.Source,
                    meta.DestinationIsBroadcastOrMulticast, header, payload, now);
                return RxDrop(DropReason.UnsupportedProtocol);
        }
    }

    private RxDisposition ReceiveUdp(in Ipv4Meta meta, ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload, long now, RxChecksumStatus checksum)
    {
        if (!UdpDatagram.TryParse(payload, out var udp))
        {
            return RxDrop(DropReason.Malformed);
        }
        if ((checksum & RxChecksumStatus.L4Bad) != 0)
        {
            return RxDrop(DropReason.BadChecksum);
        }
        if ((checksum & RxChecksumStatus.L4Good) == 0 && !udp.ChecksumValid(meta.Source, meta.Destination))
        {
            return RxDrop(DropReason.BadChecksum);
        }
        _counters.CountRx(NetLayer.Udp, udp.Length);
        int endpoint = _udp.Demux(meta.Destination, udp.DestinationPort, meta.Source, udp.SourcePort);
        if (endpoint < 0)
        {
            // RFC 1122 §4.1.3.1: port unreachable SHOULD be sent (never for broadcast/multicast).
            SendIcmpError(IcmpType.DestinationUnreachable, (byte)IcmpUnreachableCode.Port, meta.Source,
                meta.DestinationIsBroadcastOrMulticast, header, payload, now);
            return RxDrop(DropReason.NoSocket);
        }
        if (_loan == LoanState.Lent && !meta.Reassembled && header.Length == Ipv4Packet.MinHeaderLength && _rxL2Length == _l2Length)
        {
            // The payload sits where a frame of ours puts it: a reply can be built around it.
            _loanPayloadOffset = _l2Length + Ipv4Packet.MinHeaderLength + UdpDatagram.HeaderLength;
            _loanPayloadLength = udp.Payload.Length;
        }
        if (!_udp.Deliver(endpoint, udp.Payload, new Ipv4Endpoint(meta.Source, udp.SourcePort)))
        {
            return RxDrop(DropReason.ReceiveBufferFull);
        }
        if (_loan == LoanState.ReplyPending)
        {
            SendReplyInPlace(now);
        }
        return RxDisposition.Delivered;
    }

    private RxDisposition ReceiveIcmp(in Ipv4Meta meta, ReadOnlySpan<byte> payload, long now)
    {
        if (!IcmpMessage.TryParse(payload, verifyChecksum: true, out var icmp, out var reason))
        {
            return RxDrop(reason);
        }
        _counters.CountRx(NetLayer.Icmp, payload.Length);
        switch (icmp.Type)
        {
            case IcmpType.EchoRequest:
                // RFC 792 "Echo or Echo Reply Message"; RFC 1122 §3.2.2.6.
                if (meta.DestinationIsBroadcastOrMulticast && !_options.Icmp.AnswerBroadcastEcho)
                {
                    return RxDrop(DropReason.NotForUs);
                }
                if (meta.Source.IsAny)
                {
                    return RxDrop(DropReason.InvalidAddress);
                }
                Span<byte> header = stackalloc byte[IcmpMessage.HeaderLength];
                IcmpMessage.WriteHeader(header, IcmpType.EchoReply, 0, icmp.Identifier, icmp.SequenceNumber, InternetChecksum.Sum(icmp.Body));
                if (SendIpv4(_address, meta.Source, IpProtocol.Icmp, header, icmp.Body, default, false, false, now) == NetError.None)
                {
                    _counters.CountTx(NetLayer.Icmp, payload.Length);
                }
                return RxDisposition.Consumed;

            case IcmpType.EchoReply:
                if (!_echoReplies.TryEnqueue(icmp.Body, new Ipv4Endpoint(meta.Source, icmp.Identifier), icmp.SequenceNumber))
                {
                    return RxDrop(DropReason.ReceiveBufferFull);
                }
                return RxDisposition.Delivered;

            case IcmpType.DestinationUnreachable:
            case IcmpType.TimeExceeded:
            case IcmpType.ParameterProblem:
                // RFC 1122 §4.1.3.3: UDP MUST pass ICMP errors up to the application.
                if (!icmp.TryGetQuotedUdp(out var local, out var remote) || local.Address != _address)
                {
                    return RxDrop(DropReason.NoSocket);
                }
                int endpoint = _udp.Demux(local.Address, local.Port, remote.Address, remote.Port);
                if (endpoint < 0)
                {
                    return RxDrop(DropReason.NoSocket);
                }
                _udp.SetError(endpoint, MapError(icmp.Type, icmp.Code), remote);
                return RxDisposition.Consumed;

            default:
                // Source quench is deprecated (RFC 6633); redirects are for routers to send, not
                // for this host to follow; timestamp/information messages are not implemented.
                return RxDrop(DropReason.UnsupportedProtocol);
        }
    }

    private static NetError MapError(IcmpType type, byte code) => type switch
    {
        IcmpType.TimeExceeded => NetError.TimeExceeded,
        IcmpType.ParameterProblem => NetError.ParameterProblem,
        _ => (IcmpUnreachableCode)code switch
        {
            IcmpUnreachableCode.Network => NetError.NetworkUnreachable,
            IcmpUnreachableCode.Protocol => NetError.ProtocolUnreachable,
            IcmpUnreachableCode.Port => NetError.ConnectionRefused,
            IcmpUnreachableCode.FragmentationNeeded => NetError.MessageTooLong,
            _ => NetError.HostUnreachable,
        },
    };

    private bool IsJoined(Ipv4Address group)
    {
        foreach (var g in _groups)
        {
            if (g == group)
            {
                return true;
            }
        }
        return false;
    }

    // ---- transmit path ---------------------------------------------------------------------

    /// <summary>
    /// RFC 1122 §3.2.2: an error is never sent about a datagram to a broadcast or multicast
    /// address or from an address that does not name one host; errors about ICMP errors and
    /// about non-first fragments never reach here. Rate limited (RFC 1812 §4.3.2.8).
    /// </summary>
    private void SendIcmpError(IcmpType type, byte code, Ipv4Address offender, bool groupDestination,
        ReadOnlySpan<byte> ipHeader, ReadOnlySpan<byte> ipPayload, long now)
    {
        if (groupDestination || offender.IsAny || offender.IsMulticast || offender.IsBroadcast || offender == _subnetBroadcast)
        {
            return;
        }
        if (!_icmpErrors.TryTake(now))
        {
            _counters.CountDrop(DropReason.IcmpRateLimited, DropStage.Transmit);
            return;
        }
        int room = IcmpErrorMaxLength - Ipv4Packet.MinHeaderLength - IcmpMessage.HeaderLength - ipHeader.Length;
        var quote = ipPayload[..Math.Min(ipPayload.Length, Math.Max(8, room))];
        Span<byte> header = stackalloc byte[IcmpMessage.HeaderLength];
        IcmpMessage.WriteHeader(header, type, code, 0, 0, InternetChecksum.Sum(quote, InternetChecksum.Sum(ipHeader)));
        if (SendIpv4(_address, offender, IpProtocol.Icmp, header, ipHeader, quote, false, false, now) == NetError.None)
        {
            _counters.CountTx(NetLayer.Icmp, header.Length + ipHeader.Length + quote.Length);
        }
    }

    /// <summary>
    /// Routes, fragments (RFC 791 §3.2 "Fragmentation": 8-byte aligned pieces, MF on all but the
    /// last, one identification) and frames a datagram whose payload is p0+p1+p2, then transmits
    /// each frame or queues it on ARP.
    /// </summary>
    private NetError SendIpv4(Ipv4Address source, Ipv4Address destination, IpProtocol protocol,
        ReadOnlySpan<byte> p0, ReadOnlySpan<byte> p1, ReadOnlySpan<byte> p2, bool dontFragment, bool l4Offload, long now)
    {
        if (!TryRoute(destination, out var hop))
        {
            return NetError.NoRoute;
        }
        int payloadLength = p0.Length + p1.Length + p2.Length;
        int maxChunk = _mtu - Ipv4Packet.MinHeaderLength;
        if (payloadLength > maxChunk)
        {
            if (dontFragment)
            {
                _counters.CountDrop(DropReason.FragmentationNeeded, DropStage.Transmit);
                return NetError.MessageTooLong;
            }
            maxChunk &= ~7;
            l4Offload = false;
        }
        ushort id = _nextId++;
        var info = TxInfo(l4Offload);
        int offset = 0;
        do
        {
            int chunk = Math.Min(maxChunk, payloadLength - offset);
            bool more = offset + chunk < payloadLength;
            if (!_pool.TryRent(out var buffer))
            {
                _counters.CountDrop(DropReason.NoBuffer, DropStage.Transmit);
                return NetError.NoBuffers;
            }
            var span = _pool.GetSpan(buffer);
            CopyParts(p0, p1, p2, offset, span.Slice(_l2Length + Ipv4Packet.MinHeaderLength, chunk));
            int length = WriteIpv4Headers(span, in hop, source, destination, protocol, chunk, id, dontFragment, more, offset);
            Dispatch(buffer, span, length, in info, in hop, now);
            offset += chunk;
        }
        while (offset < payloadLength);
        return NetError.None;
    }

    /// <summary>
    /// Builds the pending UDP reply around the received payload in the lent buffer (same offset a
    /// frame of ours uses, checked in <see cref="ReceiveUdp"/>) and sends it; the buffer is ours from here.
    /// </summary>
    private void SendReplyInPlace(long now)
    {
        var r = _reply;
        var hop = r.Hop;
        var span = _pool.GetSpan(_loanBuffer);
        var udp = span.Slice(_l2Length + Ipv4Packet.MinHeaderLength, UdpDatagram.HeaderLength + r.PayloadLength);
        bool offload = _udpTxOffload;
        uint payloadSum = offload ? 0 : PayloadSumOfReceived(span, udp);
        UdpDatagram.WriteHeader(udp, r.Local.Address, r.Destination.Address, r.Local.Port, r.Destination.Port, r.PayloadLength, payloadSum, offload);
        int length = WriteIpv4Headers(span, in hop, r.Local.Address, r.Destination.Address, IpProtocol.Udp, udp.Length, _nextId++, r.DontFragment, false, 0);
        _loan = LoanState.Taken;
        Dispatch(_loanBuffer, span, length, TxInfo(offload), in hop, now);
        _counters.CountTx(NetLayer.Udp, udp.Length);
    }

    /// <summary>
    /// The sum of the reply's payload, read off the received datagram's checksum when the payload
    /// is all of it (RFC 1624 §3: take the old pseudo-header and header out of the old sum) rather
    /// than summed again; the received headers are still in the buffer. A zero checksum (none
    /// sent, RFC 768) or a shorter reply means summing.
    /// </summary>
    private uint PayloadSumOfReceived(Span<byte> frame, Span<byte> udp)
    {
        ushort oldChecksum = BinaryPrimitives.ReadUInt16BigEndian(udp[6..]);
        int oldLength = BinaryPrimitives.ReadUInt16BigEndian(udp[4..]);
        if (oldChecksum == 0 || oldLength != udp.Length)
        {
            return InternetChecksum.Sum(udp[UdpDatagram.HeaderLength..]);
        }
        var ip = frame[_l2Length..];
        uint oldPseudo = InternetChecksum.PseudoHeaderSum(Ipv4Address.Read(ip[12..]), Ipv4Address.Read(ip[16..]), IpProtocol.Udp, oldLength);
        uint oldHeader = InternetChecksum.Add(InternetChecksum.Add(BinaryPrimitives.ReadUInt16BigEndian(udp), BinaryPrimitives.ReadUInt16BigEndian(udp[2..])), (uint)oldLength);
        uint oldTotal = ~(uint)oldChecksum & 0xFFFF;
        return InternetChecksum.Subtract(InternetChecksum.Subtract(oldTotal, oldPseudo), oldHeader);
    }

    /// <summary>Whether <paramref name="payload"/> starts at the received UDP payload of the lent buffer (and is not longer).</summary>
    private bool IsLentPayload(ReadOnlySpan<byte> payload) =>
        _loanPayloadOffset >= 0 && payload.Length <= _loanPayloadLength && !payload.IsEmpty
        && Unsafe.AreSame(ref MemoryMarshal.GetReference(payload), ref _pool.GetSpan(_loanBuffer)[_loanPayloadOffset]);

    /// <summary>Where a datagram to <paramref name="destination"/> goes on the link; counts <see cref="DropReason.NoRoute"/>.</summary>
    private bool TryRoute(Ipv4Address destination, out NextHop hop)
    {
        if (destination.IsBroadcast || destination == _subnetBroadcast)
        {
            hop = new NextHop(MacAddress.Broadcast, default, Resolve: false);
        }
        else if (destination.IsMulticast)
        {
            hop = new NextHop(MacAddress.ForIpv4Multicast(destination), default, Resolve: false);
        }
        else if (_routes.TryLookup(destination, out var route))
        {
            hop = new NextHop(default, route.NextHop(destination), Resolve: true);
        }
        else
        {
            hop = default;
            _counters.CountDrop(DropReason.NoRoute, DropStage.Transmit);
            return false;
        }
        return true;
    }

    private TxFrameInfo TxInfo(bool l4Offload) => new((ushort)_l2Length, Ipv4Packet.MinHeaderLength,
        (_ipTxOffload ? TxOffloadRequest.Ipv4Checksum : 0) | (l4Offload ? TxOffloadRequest.UdpChecksum : 0));

    /// <summary>Writes the Ethernet and IPv4 headers in front of a payload of <paramref name="chunk"/> bytes already in place; returns the (padded) frame length.</summary>
    private int WriteIpv4Headers(Span<byte> span, in NextHop hop, Ipv4Address source, Ipv4Address destination, IpProtocol protocol,
        int chunk, ushort id, bool dontFragment, bool more, int offset)
    {
        EthernetFrame.WriteHeader(span, hop.Mac, _mac, EtherType.Ipv4, _vlan);
        int ipLength = Ipv4Packet.MinHeaderLength + chunk;
        Ipv4Packet.WriteHeader(span[_l2Length..], source, destination, protocol, ipLength, id, _options.DefaultTtl,
            dontFragment, more, offset, computeChecksum: !_ipTxOffload);
        _counters.CountTx(NetLayer.Ipv4, ipLength);
        return Pad(span, _l2Length + ipLength);
    }

    /// <summary>Transmits a finished frame, or hands it to ARP until the next hop resolves (ownership passes either way).</summary>
    private void Dispatch(PacketBuffer buffer, Span<byte> span, int length, in TxFrameInfo info, in NextHop hop, long now)
    {
        if (!hop.Resolve)
        {
            Transmit(buffer, length, in info);
        }
        else if (_arp.ResolveOrQueue(hop.Address, now, buffer, length, in info, out var mac))
        {
            mac.Write(span);
            Transmit(buffer, length, in info);
        }
    }

    private static void CopyParts(ReadOnlySpan<byte> p0, ReadOnlySpan<byte> p1, ReadOnlySpan<byte> p2, int offset, Span<byte> destination)
    {
        CopyPart(p0, ref offset, ref destination);
        CopyPart(p1, ref offset, ref destination);
        CopyPart(p2, ref offset, ref destination);
    }

    private static void CopyPart(ReadOnlySpan<byte> part, ref int offset, ref Span<byte> destination)
    {
        if (destination.IsEmpty)
        {
            return;
        }
        if (offset >= part.Length)
        {
            offset -= part.Length;
            return;
        }
        int n = Math.Min(part.Length - offset, destination.Length);
        part.Slice(offset, n).CopyTo(destination);
        destination = destination[n..];
        offset = 0;
    }

    /// <summary>Pads to the Ethernet minimum (IEEE 802.3 §4.2.3.3) so devices that do not pad still send legal frames.</summary>
    private static int Pad(Span<byte> frame, int length)
    {
        if (length >= EthernetFrame.MinimumFrameLength)
        {
            return length;
        }
        frame[length..EthernetFrame.MinimumFrameLength].Clear();
        return EthernetFrame.MinimumFrameLength;
    }

    private void Transmit(PacketBuffer buffer, int length, in TxFrameInfo info)
    {
        if (_sink.Transmit(buffer, length, in info))
        {
            _counters.CountTx(NetLayer.Ethernet, length);
        }
        else
        {
            _counters.CountDrop(DropReason.TransmitQueueFull, DropStage.Transmit);
        }
    }

    private void SendArp(ArpOperation op, MacAddress ethDestination, MacAddress targetMac, Ipv4Address targetIp)
    {
        if (!_pool.TryRent(out var buffer))
        {
            _counters.CountDrop(DropReason.NoBuffer, DropStage.Transmit);
            return;
        }
        var span = _pool.GetSpan(buffer);
        int l2 = EthernetFrame.WriteHeader(span, ethDestination, _mac, EtherType.Arp, _vlan);
        ArpPacket.Write(span[l2..], op, _mac, _address, targetMac, targetIp);
        int length = Pad(span, l2 + ArpPacket.Length);
        _counters.CountTx(NetLayer.Arp, ArpPacket.Length);
        Transmit(buffer, length, new TxFrameInfo((ushort)l2, 0, TxOffloadRequest.None));
    }

    void IArpHost.SendArpRequest(Ipv4Address target, MacAddress unicastTo) =>
        SendArp(ArpOperation.Request, unicastTo, MacAddress.Zero, target);

    void IArpHost.TransmitQueued(PacketBuffer buffer, int length, in TxFrameInfo info, MacAddress destination)
    {
        destination.Write(_pool.GetSpan(buffer));
        Transmit(buffer, length, in info);
    }

    void IArpHost.DropQueued(PacketBuffer buffer, DropReason reason)
    {
        _pool.Return(buffer);
        _counters.CountDrop(reason, DropStage.Transmit);
    }

    /// <summary>A frame's link-layer destination: a known MAC, or a next hop for ARP to resolve.</summary>
    private readonly record struct NextHop(MacAddress Mac, Ipv4Address Address, bool Resolve);

    /// <summary>A UDP reply to build in the lent receive buffer once the handler returns.</summary>
    private readonly record struct InPlaceReply(Ipv4Endpoint Local, Ipv4Endpoint Destination, NextHop Hop, int PayloadLength, bool DontFragment);

    private enum LoanState : byte
    {
        /// <summary>The frame being handled is the caller's (or nothing is being handled).</summary>
        None,
        /// <summary>The frame is in a lent buffer the device frees afterwards.</summary>
        Lent,
        /// <summary>A handler asked to send the received payload back: the reply is built after it returns.</summary>
        ReplyPending,
        /// <summary>The buffer carries our reply and belongs to the sink (or the ARP queue) now.</summary>
        Taken,
    }
}
