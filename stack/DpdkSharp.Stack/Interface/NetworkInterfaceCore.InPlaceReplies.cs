using System.Buffers.Binary;

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
        _rx.Lend(buffer);
        try
        {
            var disposition = ReceiveFrame(ref _rx, _pool.GetSpan(buffer)[..length], now, checksum);
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
    /// Builds the pending UDP reply around the received payload in the lent buffer (same offset a
    /// frame of ours uses, checked in <see cref="ReceiveUdp"/>) and sends it, keeping the buffer; to
    /// a next hop ARP does not know yet it goes by copy instead (see <see cref="TryResolvedNow"/>).
    /// </summary>
    private void SendReplyInPlace(ref RxFrame rx, Instant now)
    {
        var r = rx.Reply;
        var hop = r.Hop;
        if (!TryResolvedNow(ref hop, now))
        {
            SendPendingReplyByCopy(ref rx, now); // the copy waits for ARP, the receive buffer goes back
            return;
        }
        var span = _pool.GetSpan(rx.Buffer);
        var udp = span.Slice(_l2Length + Ipv4Packet.MinHeaderLength, UdpDatagram.HeaderLength + r.PayloadLength);
        bool offload = _udpTxOffload;
        uint payloadSum = offload ? 0 : PayloadSumOfReceived(span, udp);
        UdpDatagram.WriteHeader(udp, r.Local.Address, r.Destination.Address, r.Local.Port, r.Destination.Port, r.PayloadLength, payloadSum, offload);
        SendLentBuffer(ref rx, span, in hop, r.Local.Address, r.Destination.Address, IpProtocol.Udp, udp.Length, r.DontFragment, offload, now);
        _counters.CountTx(NetLayer.Udp, udp.Length);
    }

    /// <summary>Writes the IPv4 and Ethernet headers in front of the reply's transport bytes in the lent buffer and hands the buffer on: it is ours from here.</summary>
    private void SendLentBuffer(ref RxFrame rx, Span<byte> span, in NextHop hop, Ipv4Address source, Ipv4Address destination, IpProtocol protocol,
        int transportLength, bool dontFragment, bool l4Offload, Instant now)
    {
        int length = WriteIpv4Headers(span, in hop, source, destination, protocol, transportLength, _nextId++, dontFragment, false, 0);
        rx.Loan = LoanState.Taken;
        Dispatch(rx.Buffer, span, length, TxInfo(l4Offload), in hop, now);
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
        uint oldHeader = InternetChecksum.Fold((uint)BinaryPrimitives.ReadUInt16BigEndian(udp) + BinaryPrimitives.ReadUInt16BigEndian(udp[2..]) + (uint)oldLength);
        uint oldTotal = ~(uint)oldChecksum & 0xFFFF;
        return InternetChecksum.Subtract(InternetChecksum.Subtract(oldTotal, oldPseudo), oldHeader);
    }

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
        if (!TryResolvedNow(ref hop, now))
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
        SendLentBuffer(ref rx, span, in hop, _address, meta.Source, IpProtocol.Icmp, icmpLength, false, false, now);
        _counters.CountTx(NetLayer.Icmp, icmpLength);
        return true;
    }

    /// <summary>
    /// A reply goes in place only to a next hop ARP already knows: a receive buffer must not wait in
    /// the ARP queue (a flood from unresolved or spoofed sources would hold the receive pool's mbufs
    /// there); the copying path queues a transmit buffer instead. On success the hop carries the MAC.
    /// </summary>
    private bool TryResolvedNow(ref NextHop hop, Instant now)
    {
        if (!hop.Resolve)
        {
            return true;
        }
        if (!LookupNeighbor(hop.Address, now, out var mac))
        {
            return false;
        }
        hop = new NextHop(mac, default, Resolve: false);
        return true;
    }
}
