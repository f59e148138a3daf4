namespace DpdkSharp.Stack.Interface;

/// <summary>
/// TCP on the interface: segments in to the connection table, segments out as IPv4 frames. This is
/// TCP's IPv4 edge, the only TCP code that knows the address family: it checks the IPv4
/// pseudo-header checksum and that the segment is unicast, and builds the IPv4 header and
/// pseudo-header of what goes out. The table and the connections hold family-neutral tuples.
/// </summary>
public sealed partial class NetworkInterfaceCore
{
    /// <summary>TCP's counters (segments, retransmissions, recoveries, SYN cookies, resets…); drops are in <see cref="Counters"/> by reason.</summary>
    public TcpCounters TcpCounters => _tcp.Counters;

    /// <summary>The TCP connections and listeners (reactor thread only).</summary>
    internal TcpEndpointTable Tcp => _tcp;

    private RxDisposition ReceiveTcp(in Ipv4Meta meta, ReadOnlySpan<byte> payload, Instant now, RxChecksumStatus checksum)
    {
        if (!TcpSegment.TryParse(payload, out var segment, out var reason))
        {
            return RxDrop(reason);
        }
        if ((checksum & RxChecksumStatus.L4Bad) != 0
            || ((checksum & RxChecksumStatus.L4Good) == 0 && !segment.ChecksumValid(meta.Source, meta.Destination)))
        {
            return RxDrop(DropReason.BadChecksum);
        }
        _counters.CountRx(NetLayer.Tcp, payload.Length);
        if (meta.DestinationIsBroadcastOrMulticast || meta.Source.IsAny)
        {
            return RxDrop(DropReason.InvalidAddress); // TCP is unicast only (RFC 1122 §4.2.3.10)
        }
        // The table counts its own drops by reason (RFC 9293 §3.10.7).
        return _tcp.Receive(meta.Source, meta.Destination, in segment, now) ? RxDisposition.Delivered : RxDisposition.Dropped;
    }

    /// <summary>
    /// Builds and sends one segment: Ethernet, IPv4 with Don't Fragment (segments are sized to the
    /// MTU; RFC 9293 §3.7.2), the TCP header and options, the data copied once from the send queue.
    /// </summary>
    private bool SendTcp(in TcpTuple tuple, in TcpHeader header, in TcpOptions options, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Instant now)
    {
        // Connections of this table are IPv4 only: its local address is the interface's IPv4 address.
        var source = tuple.LocalAddress.AsIpv4();
        var destination = tuple.RemoteAddress.AsIpv4();
        if (!TryRoute(destination, out var hop))
        {
            return false;
        }
        Span<byte> optionBytes = stackalloc byte[TcpSegment.MaxHeaderLength - TcpSegment.MinHeaderLength];
        int optionLength = options.Write(optionBytes);
        int tcpHeaderLength = TcpSegment.MinHeaderLength + optionLength;
        int payloadLength = first.Length + second.Length;
        if (Ipv4Packet.MinHeaderLength + tcpHeaderLength + payloadLength > _mtu)
        {
            _counters.CountDrop(DropReason.FragmentationNeeded, DropStage.Transmit);
            return false;
        }
        if (!_pool.TryRent(out var buffer))
        {
            _counters.CountDrop(DropReason.NoBuffer, DropStage.Transmit);
            return false;
        }
        var span = _pool.GetSpan(buffer);
        int tcpOffset = _l2Length + Ipv4Packet.MinHeaderLength;
        var data = span.Slice(tcpOffset + tcpHeaderLength, payloadLength);
        first.CopyTo(data);
        second.CopyTo(data[first.Length..]);
        uint payloadSum = _tcpTxOffload ? 0 : InternetChecksum.Sum(data);
        TcpSegment.WriteHeader(span[tcpOffset..], source, destination, tuple.LocalPort, tuple.RemotePort,
            header.Sequence, header.Acknowledgment, header.Flags, header.Window, optionBytes[..optionLength], payloadLength, payloadSum, _tcpTxOffload);
        int length = WriteIpv4Headers(span, hop.Mac, source, destination, IpProtocol.Tcp,
            tcpHeaderLength + payloadLength, _nextId++, _ttl, dontFragment: true, more: false, offset: 0);
        _counters.CountTx(NetLayer.Tcp, tcpHeaderLength + payloadLength);
        var info = new TxFrameInfo((ushort)_l2Length, Ipv4Packet.MinHeaderLength,
            (_ipTxOffload ? TxOffloadRequest.Ipv4Checksum : 0) | (_tcpTxOffload ? TxOffloadRequest.TcpChecksum : 0));
        Dispatch(buffer, span, length, in info, in hop, now);
        return true;
    }

    /// <summary>The interface as the connections' segment sink.</summary>
    private sealed class TcpSegmentSink(NetworkInterfaceCore core) : ITcpSegmentSink
    {
        public bool Send(in TcpTuple tuple, in TcpHeader header, in TcpOptions options, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Instant now) =>
            core.SendTcp(in tuple, in header, in options, first, second, now);
    }
}
