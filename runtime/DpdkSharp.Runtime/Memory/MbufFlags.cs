using DpdkSharp.Interop;

namespace DpdkSharp.Runtime;

/// <summary>
/// An mbuf's offload flags (<c>ol_flags</c>, DPDK's <c>RTE_MBUF_F_*</c>): what the NIC found on receive
/// and what it is asked to do on transmit. Values are DPDK's own.
/// </summary>
/// <remarks>
/// The checksum results are two-bit fields: test them with <see cref="MbufFlagsExtensions.IpChecksum"/> and
/// <see cref="MbufFlagsExtensions.L4Checksum"/>, not bit by bit (NONE is BAD|GOOD).
/// </remarks>
[Flags]
public enum MbufFlags : ulong
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary>The packet carried a VLAN tag; <see cref="Mbuf.VlanTci"/> is valid.</summary>
    RxVlan = Dpdk.RTE_MBUF_F_RX_VLAN,
    /// <summary><see cref="Mbuf.RssHash"/> is valid.</summary>
    RxRssHash = Dpdk.RTE_MBUF_F_RX_RSS_HASH,
    /// <summary>A flow director filter matched.</summary>
    RxFdir = Dpdk.RTE_MBUF_F_RX_FDIR,
    /// <summary>The L4 checksum is wrong (a bit of the two-bit L4 checksum field).</summary>
    RxL4ChecksumBad = Dpdk.RTE_MBUF_F_RX_L4_CKSUM_BAD,
    /// <summary>The IP checksum is wrong (a bit of the two-bit IP checksum field).</summary>
    RxIpChecksumBad = Dpdk.RTE_MBUF_F_RX_IP_CKSUM_BAD,
    /// <summary>The outer IP checksum is wrong.</summary>
    RxOuterIpChecksumBad = Dpdk.RTE_MBUF_F_RX_OUTER_IP_CKSUM_BAD,
    /// <summary>The VLAN tag was removed from the data.</summary>
    RxVlanStripped = Dpdk.RTE_MBUF_F_RX_VLAN_STRIPPED,
    /// <summary>The IP checksum is right (a bit of the two-bit IP checksum field).</summary>
    RxIpChecksumGood = Dpdk.RTE_MBUF_F_RX_IP_CKSUM_GOOD,
    /// <summary>The L4 checksum is right (a bit of the two-bit L4 checksum field).</summary>
    RxL4ChecksumGood = Dpdk.RTE_MBUF_F_RX_L4_CKSUM_GOOD,
    /// <summary>An IEEE 1588 PTP packet.</summary>
    RxIeee1588Ptp = Dpdk.RTE_MBUF_F_RX_IEEE1588_PTP,
    /// <summary>An IEEE 1588 timestamp was taken.</summary>
    RxIeee1588Timestamp = Dpdk.RTE_MBUF_F_RX_IEEE1588_TMST,
    /// <summary>The outer VLAN (QinQ) was removed.</summary>
    RxQinqStripped = Dpdk.RTE_MBUF_F_RX_QINQ_STRIPPED,
    /// <summary>The packet was coalesced by large receive offload.</summary>
    RxLro = Dpdk.RTE_MBUF_F_RX_LRO,
    /// <summary>The packet carried two VLAN tags.</summary>
    RxQinq = Dpdk.RTE_MBUF_F_RX_QINQ,

    /// <summary>Compute the TCP checksum (the L4 field's TCP value).</summary>
    TxTcpChecksum = Dpdk.RTE_MBUF_F_TX_TCP_CKSUM,
    /// <summary>Compute the SCTP checksum (the L4 field's SCTP value).</summary>
    TxSctpChecksum = Dpdk.RTE_MBUF_F_TX_SCTP_CKSUM,
    /// <summary>Compute the UDP checksum (the L4 field's UDP value: both L4 bits).</summary>
    TxUdpChecksum = Dpdk.RTE_MBUF_F_TX_UDP_CKSUM,
    /// <summary>TCP segmentation offload.</summary>
    TxTcpSegmentation = Dpdk.RTE_MBUF_F_TX_TCP_SEG,
    /// <summary>Insert two VLAN tags.</summary>
    TxQinq = Dpdk.RTE_MBUF_F_TX_QINQ,
    /// <summary>Compute the IPv4 header checksum.</summary>
    TxIpChecksum = Dpdk.RTE_MBUF_F_TX_IP_CKSUM,
    /// <summary>The packet is IPv4 (needed by checksum and segmentation offloads).</summary>
    TxIpv4 = Dpdk.RTE_MBUF_F_TX_IPV4,
    /// <summary>The packet is IPv6 (needed by checksum and segmentation offloads).</summary>
    TxIpv6 = Dpdk.RTE_MBUF_F_TX_IPV6,
    /// <summary>Insert the VLAN tag <see cref="Mbuf.VlanTci"/>.</summary>
    TxVlan = Dpdk.RTE_MBUF_F_TX_VLAN,
    /// <summary>Compute the outer IPv4 checksum.</summary>
    TxOuterIpChecksum = Dpdk.RTE_MBUF_F_TX_OUTER_IP_CKSUM,
    /// <summary>The outer header is IPv4.</summary>
    TxOuterIpv4 = Dpdk.RTE_MBUF_F_TX_OUTER_IPV4,
    /// <summary>The outer header is IPv6.</summary>
    TxOuterIpv6 = Dpdk.RTE_MBUF_F_TX_OUTER_IPV6,

    /// <summary>The mbuf's buffer is external (attached).</summary>
    External = Dpdk.RTE_MBUF_F_EXTERNAL,
    /// <summary>The mbuf is indirect: it shares another mbuf's buffer (e.g. a clone).</summary>
    Indirect = Dpdk.RTE_MBUF_F_INDIRECT,
}

/// <summary>What the NIC concluded about a checksum on receive.</summary>
public enum ChecksumStatus
{
    /// <summary>No information.</summary>
    Unknown,
    /// <summary>The checksum is wrong.</summary>
    Bad,
    /// <summary>The checksum is right.</summary>
    Good,
    /// <summary>The checksum is not correct in the packet, but the data is intact (e.g. it was not computed).</summary>
    None,
}

/// <summary>Reads the two-bit checksum fields of <see cref="MbufFlags"/>.</summary>
public static class MbufFlagsExtensions
{
    /// <summary>The IP checksum result.</summary>
    public static ChecksumStatus IpChecksum(this MbufFlags flags) =>
        Decode((ulong)flags & Dpdk.RTE_MBUF_F_RX_IP_CKSUM_MASK, Dpdk.RTE_MBUF_F_RX_IP_CKSUM_BAD, Dpdk.RTE_MBUF_F_RX_IP_CKSUM_GOOD);

    /// <summary>The L4 checksum result.</summary>
    public static ChecksumStatus L4Checksum(this MbufFlags flags) =>
        Decode((ulong)flags & Dpdk.RTE_MBUF_F_RX_L4_CKSUM_MASK, Dpdk.RTE_MBUF_F_RX_L4_CKSUM_BAD, Dpdk.RTE_MBUF_F_RX_L4_CKSUM_GOOD);

    private static ChecksumStatus Decode(ulong field, ulong bad, ulong good) =>
        field == 0 ? ChecksumStatus.Unknown
        : field == bad ? ChecksumStatus.Bad
        : field == good ? ChecksumStatus.Good
        : ChecksumStatus.None;
}
