using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace DpdkSharp.Stack.Interface;

/// <summary>
/// Replies built in a lent receive buffer: the device lends the frame's buffer, a zero-copy UDP
/// handler sends the received payload back, and once it returns the reply's headers are written
/// around the payload and the buffer goes to the sink (see the class remarks). The state of the
/// frame being received is one <see cref="RxFrame"/>.
/// </summary>
public sealed partial class NetworkInterfaceCore
{
    private RxFrame _rx = RxFrame.Borrowed;

    /// <summary>
    /// Handles a frame in a lent receive buffer (see <see cref="IFrameReceiver"/>); the core keeps
    /// it only to send a reply built in place (<paramref name="kept"/>).
    /// </summary>
    public RxDisposition Receive(PacketBuffer buffer, int length, Instant now, RxChecksumStatus checksum, out bool kept)
    {
        var room = _pool.GetSpan(buffer);
        _rx.Lend(buffer, room.Length);
        try
        {
            var disposition = ReceiveFrame(ref _rx, room[..length], now, checksum);
            kept = _rx.Loan == LoanState.Taken;
            return disposition;
        }
        finally
        {
            // Also when a handler threw (core-level handlers are not wrapped): never leave a
            // reference to a buffer the device is about to free.
            _rx.EndLoan();
        }
    }

    /// <summary>Sends the pending in-place reply as an ordinary copied datagram; the lent buffer stays the device's.</summary>
    private void SendPendingReplyByCopy(ref RxFrame rx, Instant now)
    {
        var r = rx.Reply;
        rx.Loan = LoanState.Lent;
        var payload = _pool.GetSpan(rx.Buffer).Slice(rx.PayloadOffset, r.PayloadLength);
        rx.PayloadOffset = -1; // nothing more goes in place for this frame
        // Its outcome cannot reach the handler any more (Reply already returned): a failure is
        // counted like any transmit drop.
        SendUdpCopy(r.Local, r.Destination, payload, r.DontFragment, fits: true, now);
    }

    /// <summary>
    /// Builds the pending UDP reply around the received payload in the lent buffer <paramref name="span"/> (same offset a
    /// frame of ours uses, checked in <see cref="ReceiveUdp"/>) and sends it, keeping the buffer; to
    /// a next hop ARP does not know yet it goes by copy instead (see <see cref="TryResolvedNow"/>).
    /// </summary>
    private void SendReplyInPlace(ref RxFrame rx, Span<byte> span, Instant now)
    {
        ref readonly var r = ref rx.Reply; // read in place: a copy of the reply's fields cost a dozen spills per datagram
        if (!TryResolvedNow(in r.Hop, now, out var mac))
        {
            SendPendingReplyByCopy(ref rx, now); // the copy waits for ARP, the receive buffer goes back
            return;
        }
        var udp = span.Slice(_l2Length + Ipv4Packet.MinHeaderLength, UdpDatagram.HeaderLength + r.PayloadLength);
        bool offload = _udpTxOffload;
        if (!offload && rx.Udp.Checksum != 0 && r.PayloadLength == rx.PayloadLength)
        {
            // The whole received payload goes back: one 8-byte store of the header, its checksum updated.
            BinaryPrimitives.WriteUInt64BigEndian(udp, (ulong)r.Local.Port << 48 | (ulong)r.Destination.Port << 32
                | (ulong)(ushort)udp.Length << 16 | ReplyChecksum(in rx.Udp, in r, udp.Length));
        }
        else
        {
            // No checksum received (RFC 768 allows none), a shorter reply, or the device finishes it: summed or offloaded.
            uint payloadSum = offload ? 0 : InternetChecksum.Sum(udp[UdpDatagram.HeaderLength..]);
            UdpDatagram.WriteHeader(udp, r.Local.Address, r.Destination.Address, r.Local.Port, r.Destination.Port, r.PayloadLength, payloadSum, offload);
        }
        SendLentBuffer(ref rx, span, mac, r.Local.Address, r.Destination.Address, IpProtocol.Udp, udp.Length, r.DontFragment, offload);
        _counters.CountTx(NetLayer.Udp, udp.Length);
    }

    /// <summary>
    /// Writes the IPv4 and Ethernet headers in front of the reply's transport bytes in the lent buffer and hands the buffer
    /// to the sink: it is ours from here. The next hop's MAC is known (<see cref="TryResolvedNow"/>): the buffer never waits for ARP.
    /// </summary>
    private void SendLentBuffer(ref RxFrame rx, Span<byte> span, MacAddress destinationMac, Ipv4Address source, Ipv4Address destination,
        IpProtocol protocol, int transportLength, bool dontFragment, bool l4Offload)
    {
        int length = WriteIpv4Headers(span, destinationMac, source, destination, protocol, transportLength, _nextId++, _ttl, dontFragment, false, 0);
        rx.Loan = LoanState.Taken;
        Transmit(rx.Buffer, length, TxInfo(l4Offload));
    }

    /// <summary>
    /// The reply's UDP checksum, updated from the received one by RFC 1624 §3 (eqn. 3: HC' = ~(~HC + ~m + m')) rather
    /// than summed again: the payload is the same bytes, only the pseudo-header and header words change, and those of
    /// both datagrams are known as values (<see cref="ReceivedUdp"/>, parsed on receive; <see cref="InPlaceReply"/>).
    /// For an echo to its sender m' = m (addresses and ports swapped: the same words, in another order) and the checksum
    /// stays as it came. The received checksum was verified (or judged good by the device) and is not zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ushort ReplyChecksum(in ReceivedUdp received, in InPlaceReply reply, int length)
    {
        if (reply.Destination.Address == received.Source && reply.Local.Address == received.Destination
            && reply.Destination.Port == received.SourcePort && reply.Local.Port == received.DestinationPort)
        {
            return received.Checksum; // the echo: m' = m, nothing to sum
        }
        uint old = HeaderWords(received.Source, received.Destination, received.SourcePort, received.DestinationPort, length);
        uint now = HeaderWords(reply.Local.Address, reply.Destination.Address, reply.Local.Port, reply.Destination.Port, length);
        ushort checksum = InternetChecksum.Finish(InternetChecksum.Add(InternetChecksum.Subtract(~(uint)received.Checksum & 0xFFFF, old), now));
        // A computed 0 goes out as 0xFFFF: 0 means "no checksum" (RFC 768).
        return checksum == 0 ? (ushort)0xFFFF : checksum;
    }

    /// <summary>The folded sum of a UDP datagram's pseudo-header and header words (its checksum field as 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint HeaderWords(Ipv4Address source, Ipv4Address destination, ushort sourcePort, ushort destinationPort, int length) =>
        InternetChecksum.Add(InternetChecksum.PseudoHeaderSum(source, destination, IpProtocol.Udp, length),
            InternetChecksum.Fold((uint)sourcePort + destinationPort + (uint)length));

    /// <summary>
    /// Answers an echo request (RFC 792) in its own lent buffer when the message sits where our
    /// frames put it: type and code become 0 (echo reply), the checksum follows by RFC 1624 (only
    /// that word changed), and the IPv4 and Ethernet headers are written anew. True when handled
    /// (sent, or counted as <see cref="DropReason.NoRoute"/>); false leaves the copying path to it.
    /// </summary>
    private bool TryEchoInPlace(ref RxFrame rx, in Ipv4Meta meta, int ipHeaderLength, int icmpLength, Instant now)
    {
        if (!rx.IsLentWhereOursGo(in meta, ipHeaderLength, _l2Length) || Ipv4Packet.MinHeaderLength + icmpLength > _mtu)
        {
            return false;
        }
        if (!TryRoute(meta.Source, out var hop))
        {
            return true;
        }
        if (!TryResolvedNow(in hop, now, out var mac))
        {
            return false;
        }
        var span = _pool.GetSpan(rx.Buffer);
        var icmp = span.Slice(_l2Length + Ipv4Packet.MinHeaderLength, icmpLength);
        uint typeAndCode = BinaryPrimitives.ReadUInt16BigEndian(icmp);
        ushort oldChecksum = BinaryPrimitives.ReadUInt16BigEndian(icmp[2..]);
        uint sum = InternetChecksum.Subtract(~(uint)oldChecksum & 0xFFFF, typeAndCode);
        BinaryPrimitives.WriteUInt16BigEndian(icmp, (ushort)IcmpType.EchoReply << 8);
        ushort checksum = InternetChecksum.Finish(sum);
        // The update yields 0 where the true sum is +0 (an all-zero message: id, sequence and data
        // zero); 0xFFFF is valid in both cases (RFC 1624 §3), 0 only in one.
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], checksum == 0 ? (ushort)0xFFFF : checksum);
        SendLentBuffer(ref rx, span, mac, _address, meta.Source, IpProtocol.Icmp, icmpLength, false, false);
        _counters.CountTx(NetLayer.Icmp, icmpLength);
        return true;
    }

    /// <summary>
    /// A reply goes in place only to a next hop ARP already knows: a receive buffer must not wait in
    /// the ARP queue (a flood from unresolved or spoofed sources would hold the receive pool's mbufs
    /// there); the copying path queues a transmit buffer instead. On success <paramref name="mac"/> is the hop's.
    /// </summary>
    private bool TryResolvedNow(in NextHop hop, Instant now, out MacAddress mac)
    {
        if (!hop.Resolve)
        {
            mac = hop.Mac;
            return true;
        }
        return LookupNeighbor(hop.Address, now, out mac);
    }
}
