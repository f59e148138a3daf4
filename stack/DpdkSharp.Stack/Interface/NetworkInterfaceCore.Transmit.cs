using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace DpdkSharp.Stack.Interface;

/// <summary>The transmit path: routing, fragmentation, framing, ARP resolution or queueing, the sink.</summary>
public sealed partial class NetworkInterfaceCore
{
    /// <summary>
    /// RFC 1122 §3.2.2: an error is never sent about a datagram to a broadcast or multicast
    /// address or from an address that does not name one host; errors about ICMP errors and
    /// about non-first fragments never reach here. Rate limited (RFC 1812 §4.3.2.8).
    /// </summary>
    private void SendIcmpError(IcmpType type, byte code, Ipv4Address offender, bool groupDestination,
        ReadOnlySpan<byte> ipHeader, ReadOnlySpan<byte> ipPayload, Instant now)
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
    /// each frame or queues it on ARP. <paramref name="options"/> (padded to 4) go in the first
    /// fragment only: the options this host sends (record route, timestamp) are not copied into
    /// fragments (their copied flag is 0, RFC 791 §3.1).
    /// </summary>
    private NetError SendIpv4(Ipv4Address source, Ipv4Address destination, IpProtocol protocol,
        ReadOnlySpan<byte> p0, ReadOnlySpan<byte> p1, ReadOnlySpan<byte> p2, bool dontFragment, bool l4Offload, Instant now,
        ReadOnlySpan<byte> options = default)
    {
        if (!TryRoute(destination, out var hop))
        {
            return NetError.NoRoute;
        }
        int payloadLength = p0.Length + p1.Length + p2.Length;
        bool fragment = Ipv4Packet.MinHeaderLength + options.Length + payloadLength > _mtu;
        if (fragment)
        {
            if (dontFragment)
            {
                _counters.CountDrop(DropReason.FragmentationNeeded, DropStage.Transmit);
                return NetError.MessageTooLong;
            }
            l4Offload = false;
        }
        ushort id = _nextId++;
        // RFC 1112 §6.1: a multicast datagram's TTL defaults to 1, so it stays on the link unless asked otherwise.
        byte ttl = destination.IsMulticast ? _multicastTtl : _ttl;
        int offset = 0;
        do
        {
            var fragmentOptions = offset == 0 ? options : default;
            int headerLength = Ipv4Packet.MinHeaderLength + fragmentOptions.Length;
            int maxChunk = _mtu - headerLength;
            if (fragment)
            {
                maxChunk &= ~7;
            }
            int chunk = Math.Min(maxChunk, payloadLength - offset);
            bool more = offset + chunk < payloadLength;
            if (!_pool.TryRent(out var buffer))
            {
                _counters.CountDrop(DropReason.NoBuffer, DropStage.Transmit);
                return NetError.NoBuffers;
            }
            var span = _pool.GetSpan(buffer);
            CopyParts(p0, p1, p2, offset, span.Slice(_l2Length + headerLength, chunk));
            int length = WriteIpv4Headers(span, hop.Mac, source, destination, protocol, chunk, id, ttl, dontFragment, more, offset, fragmentOptions);
            Dispatch(buffer, span, length, TxInfo(l4Offload, headerLength), in hop, now);
            offset += chunk;
        }
        while (offset < payloadLength);
        return NetError.None;
    }

    /// <summary>Where a datagram to <paramref name="destination"/> goes on the link; counts <see cref="DropReason.NoRoute"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per datagram sent: the usual case is the table's last hit
    private bool TryRoute(Ipv4Address destination, out NextHop hop)
    {
        // The last hit needs none of the broadcast and multicast tests: it only ever holds a destination that passed them
        // (it is remembered in TryRouteOther, past them, and the subnet's broadcast address never changes).
        if (_routes.TryLastHit(in _routeHit, destination, out var nextHop))
        {
            hop = new NextHop(default, nextHop, Resolve: true);
            return true;
        }
        return TryRouteOther(destination, out hop);
    }

    /// <summary><see cref="TryRoute"/> past the last hit: a broadcast or multicast destination, or a unicast one looked up in the table.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryRouteOther(Ipv4Address destination, out NextHop hop)
    {
        if (destination.IsBroadcast || destination == _subnetBroadcast)
        {
            hop = new NextHop(MacAddress.Broadcast, default, Resolve: false);
            return true;
        }
        if (destination.IsMulticast)
        {
            hop = new NextHop(MacAddress.ForIpv4Multicast(destination), default, Resolve: false);
            return true;
        }
        // RFC 1122 §3.2.1.3: "this network" addresses ((a), (b)) are sources only and loopback ones (g) never leave a host;
        // a gateway route would take them out. Refused here, before a last hit can remember them.
        if (!IsThisNetwork(destination) && !destination.IsLoopback && _routes.TryLookup(ref _routeHit, destination, out var route))
        {
            hop = new NextHop(default, route.NextHop(destination), Resolve: true);
            return true;
        }
        hop = default;
        _counters.CountDrop(DropReason.NoRoute, DropStage.Transmit);
        return false;
    }

    private TxFrameInfo TxInfo(bool l4Offload, int ipHeaderLength = Ipv4Packet.MinHeaderLength) => new((ushort)_l2Length, (ushort)ipHeaderLength,
        (_ipTxOffload ? TxOffloadRequest.Ipv4Checksum : 0) | (l4Offload ? TxOffloadRequest.UdpChecksum : 0));

    /// <summary>
    /// Writes the Ethernet and IPv4 headers in front of a payload of <paramref name="chunk"/> bytes already in place; returns
    /// the (padded) frame length. <paramref name="destinationMac"/> is the next hop's when known (a hop ARP resolves later
    /// has its MAC written by <see cref="Dispatch"/>).
    /// </summary>
    private int WriteIpv4Headers(Span<byte> span, MacAddress destinationMac, Ipv4Address source, Ipv4Address destination, IpProtocol protocol,
        int chunk, ushort id, byte ttl, bool dontFragment, bool more, int offset, ReadOnlySpan<byte> options = default)
    {
        if (_vlan is null)
        {
            // The untagged header in two overlapping stores: the destination (and two bytes the second store overwrites),
            // then our MAC and the type, one constant (see EthernetFrame.WriteHeader for the general case).
            var ethernet = span[..EthernetFrame.HeaderLength];
            BinaryPrimitives.WriteUInt64BigEndian(ethernet, destinationMac.Value << 16);
            BinaryPrimitives.WriteUInt64BigEndian(ethernet[6..], _sourceAndIpv4Type);
        }
        else
        {
            EthernetFrame.WriteHeader(span, destinationMac, _mac, EtherType.Ipv4, _vlan);
        }
        int ipLength = Ipv4Packet.MinHeaderLength + options.Length + chunk;
        Ipv4Packet.WriteHeader(span[_l2Length..], source, destination, protocol, ipLength, id, ttl,
            dontFragment, more, offset, computeChecksum: !_ipTxOffload, options: options);
        _counters.CountTx(NetLayer.Ipv4, ipLength);
        return Pad(span, _l2Length + ipLength);
    }

    /// <summary>Transmits a finished frame, or hands it to ARP until the next hop resolves (ownership passes either way).</summary>
    private void Dispatch(PacketBuffer buffer, Span<byte> span, int length, in TxFrameInfo info, in NextHop hop, Instant now)
    {
        if (!hop.Resolve)
        {
            Transmit(buffer, length, in info);
            return;
        }
        if (LookupNeighbor(hop.Address, now, out var mac))
        {
            mac.Write(span);
            Transmit(buffer, length, in info);
            return;
        }
        QueueForNeighbor(buffer, length, in info, hop.Address, now);
    }

    /// <summary>Hands a frame to ARP until its next hop resolves; out of line, as it is rare next to the transmit above.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void QueueForNeighbor(PacketBuffer buffer, int length, in TxFrameInfo info, Ipv4Address nextHop, Instant now)
    {
        switch (_arp.Enqueue(nextHop, now, new QueuedFrame(buffer, length, info)))
        {
            case NeighborAnswer.Refused:
                _pool.Return(buffer);
                _counters.CountDrop(DropReason.ArpQueueFull, DropStage.Transmit);
                break;
            case NeighborAnswer.QueuedSendRequest:
                SendArp(ArpOperation.Request, MacAddress.Broadcast, MacAddress.Zero, nextHop);
                break;
        }
        DrainNeighbors();
    }

    /// <summary>
    /// A usable MAC for <paramref name="ip"/> from the ARP cache, sending the unicast refresh the
    /// cache asks for when the entry is about to expire (before the frame that uses it).
    /// </summary>
    private bool LookupNeighbor(Ipv4Address ip, Instant now, out MacAddress mac)
    {
        switch (_arp.Lookup(ip, now, out mac))
        {
            case NeighborAnswer.FoundRefresh:
                SendArp(ArpOperation.Request, mac, MacAddress.Zero, ip);
                return true;
            case NeighborAnswer.Found:
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Does what the ARP cache's outboxes hold: broadcast the requests its timers made due, send the
    /// frames whose next hop resolved, free and count the frames it gave up on.
    /// </summary>
    private void DrainNeighbors()
    {
        while (_arp.TryTakeRequest(out var target))
        {
            SendArp(ArpOperation.Request, MacAddress.Broadcast, MacAddress.Zero, target);
        }
        while (_arp.TryTakeReleased(out var frame, out var destination))
        {
            destination.Write(_pool.GetSpan(frame.Buffer));
            Transmit(frame.Buffer, frame.Length, frame.Info);
        }
        while (_arp.TryTakeDropped(out var frame, out var reason))
        {
            _pool.Return(frame.Buffer);
            _counters.CountDrop(reason, DropStage.Transmit);
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
}
