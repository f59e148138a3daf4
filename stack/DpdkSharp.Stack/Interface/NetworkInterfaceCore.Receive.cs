using System.Runtime.CompilerServices;

namespace DpdkSharp.Stack.Interface;

/// <summary>The receive path: Ethernet → ARP / IPv4 (reassembly) → UDP / ICMP, every drop counted by reason.</summary>
public sealed partial class NetworkInterfaceCore
{
    private RxDisposition RxDrop(DropReason reason)
    {
        _counters.CountDrop(reason, DropStage.Receive);
        return RxDisposition.Dropped;
    }

    private RxDisposition ReceiveEthernet(ref RxFrame rx, ReadOnlySpan<byte> frame, Instant now, RxChecksumStatus checksum)
    {
        if (!EthernetFrame.TryParse(frame, out var eth))
        {
            return RxDrop(DropReason.Malformed);
        }
        _counters.CountRx(NetLayer.Ethernet, frame.Length);
        rx.L2Length = eth.PayloadOffset;
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
            EtherType.Ipv4 => ReceiveIpv4(ref rx, eth.Payload, linkMulticast, now, checksum),
            _ => RxDrop(DropReason.UnsupportedProtocol),
        };
    }

    /// <summary>RFC 826 "Packet Reception", with the RFC 5227 §2.4 rule that nobody else may claim our address.</summary>
    private RxDisposition ReceiveArp(ReadOnlySpan<byte> payload, Instant now)
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
            _log?.Conflict(_address, sha, _counters.ArpConflictsField, now);
            return RxDrop(DropReason.InvalidAddress);
        }
        bool forUs = arp.TargetIp == _address;
        // A probe (sender IP 0.0.0.0, RFC 5227 §2.1.1) is answered but not learned.
        bool learned = !spa.IsAny && _arp.Learn(spa, sha, forUs, now);
        DrainNeighbors();
        if (forUs && arp.Operation == ArpOperation.Request)
        {
            SendArp(ArpOperation.Reply, sha, sha, spa);
        }
        return forUs || learned ? RxDisposition.Consumed : RxDrop(DropReason.NotForUs);
    }

    /// <summary>RFC 791 §3.2 / RFC 1122 §3.2.1 and §3.3.6: validate, accept only our destinations, reassemble, demultiplex.</summary>
    private RxDisposition ReceiveIpv4(ref RxFrame rx, ReadOnlySpan<byte> payload, bool linkMulticast, Instant now, RxChecksumStatus checksum)
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
        if (ip.HeaderLength > Ipv4Packet.MinHeaderLength && Ipv4Options.HasSourceRoute(ip.Header[Ipv4Packet.MinHeaderLength..]))
        {
            return RxDrop(DropReason.SourceRoute);
        }
        var src = ip.Source;
        var dst = ip.Destination;
        if (IsForbiddenSource(src))
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
            if (IsThisNetwork(src))
            {
                return RxDrop(DropReason.InvalidAddress);
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
        // TTL 0 is not checked: it matters to a router forwarding the datagram (RFC 1812 §5.3.1),
        // not to the host it is delivered to (RFC 1122 §3.2.1.7 only forbids sending it).

        if (ip.IsFragment)
        {
            // A copy goes by reference, not ip itself: a local whose address is taken lives in memory on every path, and
            // each of its fields read below would be a load (and its construction a row of stores) for every datagram.
            var fragment = ip;
            return ReceiveFragment(ref rx, in fragment, groupDestination, now);
        }
        var single = new Ipv4Meta(src, dst, ip.Protocol, ip.Ttl, Reassembled: false, groupDestination || linkMulticast);
        return Deliver(ref rx, in single, ip.Header, ip.Payload, now, checksum);
    }

    /// <summary>
    /// RFC 791 §3.2 reassembly of a fragment; the datagram it completes is delivered. Kept out of the receive path
    /// every unfragmented datagram takes: its exception handler would otherwise make that path keep its locals on the stack.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private RxDisposition ReceiveFragment(ref RxFrame rx, in Ipv4Packet ip, bool groupDestination, Instant now)
    {
        var status = _reassembly.Accept(in ip, now, out var datagram, out var meta, out int slot, out var reason);
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
            return Deliver(ref rx, in meta, _reassembly.GetFirstHeader(slot), datagram, now, RxChecksumStatus.Unknown);
        }
        finally
        {
            _reassembly.Release(slot);
        }
    }

    private RxDisposition Deliver(ref RxFrame rx, in Ipv4Meta meta, ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload, Instant now, RxChecksumStatus checksum)
    {
        switch (meta.Protocol)
        {
            case IpProtocol.Udp:
                return ReceiveUdp(ref rx, in meta, header, payload, now, checksum);
            case IpProtocol.Icmp:
                return ReceiveIcmp(ref rx, in meta, header, payload, now);
            case IpProtocol.Tcp:
                return ReceiveTcp(in meta, payload, now, checksum);
            case IpProtocol.Igmp when _igmp is not null:
                return ReceiveIgmp(in meta, payload, now);
            default:
                // RFC 1122 §3.2.2.1: protocol unreachable SHOULD be sent.
                SendIcmpError(IcmpType.DestinationUnreachable, (byte)IcmpUnreachableCode.Protocol, meta.Source,
                    meta.DestinationIsBroadcastOrMulticast, header, payload, now);
                return RxDrop(DropReason.UnsupportedProtocol);
        }
    }

    // Its own compilation root: inlined into the Ethernet and IPv4 path, it came last and found the JIT's inlining
    // budget spent, and the small helpers it calls per datagram (header fields, endpoint, delivery) stayed calls.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private unsafe RxDisposition ReceiveUdp(ref RxFrame rx, in Ipv4Meta meta, ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload, Instant now, RxChecksumStatus checksum)
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
        if (rx.IsLentWhereOursGo(in meta, header.Length, _l2Length))
        {
            rx.PayloadOffset = _l2Length + Ipv4Packet.MinHeaderLength + UdpDatagram.HeaderLength;
            rx.PayloadLength = udp.Payload.Length;
            rx.Udp = new ReceivedUdp(meta.Source, meta.Destination, udp.SourcePort, udp.DestinationPort, udp.Checksum);
        }
        bool delivered;
        fixed (byte* pinned = udp.Payload)
        {
            // Pinned while the handler runs, so that a send from it recognises the payload by address (RxFrame.IsLentPayload).
            rx.PayloadAddress = (nint)pinned;
            delivered = _udp.Deliver(endpoint, udp.Payload, new Ipv4Endpoint(meta.Source, udp.SourcePort));
        }
        if (!delivered)
        {
            return RxDrop(DropReason.ReceiveBufferFull);
        }
        if (rx.Loan == LoanState.ReplyPending)
        {
            SendReplyInPlace(ref rx, rx.LentBufferAround(udp.Payload), now);
        }
        return RxDisposition.Delivered;
    }

    private RxDisposition ReceiveIcmp(ref RxFrame rx, in Ipv4Meta meta, ReadOnlySpan<byte> ipHeader, ReadOnlySpan<byte> payload, Instant now)
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
                if (TryEchoInPlace(ref rx, in meta, ipHeader.Length, payload.Length, now))
                {
                    return RxDisposition.Consumed;
                }
                Span<byte> header = stackalloc byte[IcmpMessage.HeaderLength];
                IcmpMessage.WriteHeader(header, IcmpType.EchoReply, 0, icmp.Identifier, icmp.SequenceNumber, InternetChecksum.Sum(icmp.Body));
                // RFC 1122 §3.2.2.6: record route and timestamp options come back, updated with us.
                Span<byte> options = stackalloc byte[Ipv4Options.MaxLength];
                int optionsLength = ipHeader.Length > Ipv4Packet.MinHeaderLength
                    ? Ipv4Options.ReflectForEchoReply(ipHeader[Ipv4Packet.MinHeaderLength..], _address, Ipv4Options.NonStandardTimestamp(now), options)
                    : 0;
                if (SendIpv4(_address, meta.Source, IpProtocol.Icmp, header, icmp.Body, default, false, false, now, options[..optionsLength]) == NetError.None)
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
                // RFC 1122 §4.2.3.9: TCP MUST act on them too (hard errors, soft errors, PMTU).
                if (icmp.TryGetQuoted(IpProtocol.Tcp, out var tcpLocal, out var tcpRemote, out var tcpQuote) && tcpLocal.Address == _address)
                {
                    var tuple = new TcpTuple(tcpLocal.Address, tcpLocal.Port, tcpRemote.Address, tcpRemote.Port);
                    return _tcp.OnIcmpError(in tuple, tcpQuote, icmp.Type, icmp.Code, icmp.SequenceNumber, now)
                        ? RxDisposition.Consumed
                        : RxDisposition.Dropped;
                }
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

    /// <summary>
    /// A source no datagram may carry (RFC 1122 §3.2.1.3, whose invalid sources a host MUST silently discard): a group or
    /// the limited broadcast address, a loopback address ({127, &lt;any&gt;} MUST NOT appear outside a host; answered, it would
    /// go to the gateway), our own address (our datagram reflected back), or our subnet's broadcast address.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsForbiddenSource(Ipv4Address source) =>
        source.IsMulticast || source.IsBroadcast || source.IsLoopback || source == _address || (source == _subnetBroadcast && !source.IsAny);

    /// <summary>
    /// A source on "this network", {0, 0} or {0, &lt;host&gt;} (RFC 1122 §3.2.1.3 (a), (b)): only a host still learning its own
    /// address sends from it, and such a host broadcasts (RFC 2131 §4.1), so it is refused to our unicast address (as Linux
    /// refuses it everywhere but the limited broadcast). Nothing may be sent back to it: (b) is no destination either.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsThisNetwork(Ipv4Address source) => (source.Value >> 24) == 0;

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
}
