using DpdkSharp.Interop;

namespace DpdkSharp.Runtime;

/// <summary>Receive offloads of a port (<c>RTE_ETH_RX_OFFLOAD_*</c>; DPDK's values).</summary>
[Flags]
public enum RxOffloads : ulong
{
    /// <summary>No offload.</summary>
    None = 0,
    /// <summary>Strip the VLAN tag into the mbuf.</summary>
    VlanStrip = Dpdk.RTE_ETH_RX_OFFLOAD_VLAN_STRIP,
    /// <summary>Check IPv4 header checksums.</summary>
    Ipv4Checksum = Dpdk.RTE_ETH_RX_OFFLOAD_IPV4_CKSUM,
    /// <summary>Check UDP checksums.</summary>
    UdpChecksum = Dpdk.RTE_ETH_RX_OFFLOAD_UDP_CKSUM,
    /// <summary>Check TCP checksums.</summary>
    TcpChecksum = Dpdk.RTE_ETH_RX_OFFLOAD_TCP_CKSUM,
    /// <summary>Large receive offload for TCP.</summary>
    TcpLro = Dpdk.RTE_ETH_RX_OFFLOAD_TCP_LRO,
    /// <summary>Strip the outer VLAN tag.</summary>
    QinqStrip = Dpdk.RTE_ETH_RX_OFFLOAD_QINQ_STRIP,
    /// <summary>Check outer IPv4 checksums.</summary>
    OuterIpv4Checksum = Dpdk.RTE_ETH_RX_OFFLOAD_OUTER_IPV4_CKSUM,
    /// <summary>Strip MACsec.</summary>
    MacsecStrip = Dpdk.RTE_ETH_RX_OFFLOAD_MACSEC_STRIP,
    /// <summary>Filter by VLAN.</summary>
    VlanFilter = Dpdk.RTE_ETH_RX_OFFLOAD_VLAN_FILTER,
    /// <summary>Extended VLAN.</summary>
    VlanExtend = Dpdk.RTE_ETH_RX_OFFLOAD_VLAN_EXTEND,
    /// <summary>Receive packets larger than one mbuf into segment chains.</summary>
    Scatter = Dpdk.RTE_ETH_RX_OFFLOAD_SCATTER,
    /// <summary>Timestamp packets.</summary>
    Timestamp = Dpdk.RTE_ETH_RX_OFFLOAD_TIMESTAMP,
    /// <summary>Inline security processing.</summary>
    Security = Dpdk.RTE_ETH_RX_OFFLOAD_SECURITY,
    /// <summary>Keep the Ethernet CRC.</summary>
    KeepCrc = Dpdk.RTE_ETH_RX_OFFLOAD_KEEP_CRC,
    /// <summary>Check SCTP checksums.</summary>
    SctpChecksum = Dpdk.RTE_ETH_RX_OFFLOAD_SCTP_CKSUM,
    /// <summary>Check outer UDP checksums.</summary>
    OuterUdpChecksum = Dpdk.RTE_ETH_RX_OFFLOAD_OUTER_UDP_CKSUM,
    /// <summary>Deliver the RSS hash in the mbuf.</summary>
    RssHash = Dpdk.RTE_ETH_RX_OFFLOAD_RSS_HASH,
    /// <summary>Split headers and payload into different pools.</summary>
    BufferSplit = Dpdk.RTE_ETH_RX_OFFLOAD_BUFFER_SPLIT,
}

/// <summary>Transmit offloads of a port (<c>RTE_ETH_TX_OFFLOAD_*</c>; DPDK's values).</summary>
[Flags]
public enum TxOffloads : ulong
{
    /// <summary>No offload.</summary>
    None = 0,
    /// <summary>Insert VLAN tags.</summary>
    VlanInsert = Dpdk.RTE_ETH_TX_OFFLOAD_VLAN_INSERT,
    /// <summary>Compute IPv4 header checksums.</summary>
    Ipv4Checksum = Dpdk.RTE_ETH_TX_OFFLOAD_IPV4_CKSUM,
    /// <summary>Compute UDP checksums.</summary>
    UdpChecksum = Dpdk.RTE_ETH_TX_OFFLOAD_UDP_CKSUM,
    /// <summary>Compute TCP checksums.</summary>
    TcpChecksum = Dpdk.RTE_ETH_TX_OFFLOAD_TCP_CKSUM,
    /// <summary>Compute SCTP checksums.</summary>
    SctpChecksum = Dpdk.RTE_ETH_TX_OFFLOAD_SCTP_CKSUM,
    /// <summary>TCP segmentation.</summary>
    TcpTso = Dpdk.RTE_ETH_TX_OFFLOAD_TCP_TSO,
    /// <summary>UDP segmentation.</summary>
    UdpTso = Dpdk.RTE_ETH_TX_OFFLOAD_UDP_TSO,
    /// <summary>Compute outer IPv4 checksums.</summary>
    OuterIpv4Checksum = Dpdk.RTE_ETH_TX_OFFLOAD_OUTER_IPV4_CKSUM,
    /// <summary>Insert two VLAN tags.</summary>
    QinqInsert = Dpdk.RTE_ETH_TX_OFFLOAD_QINQ_INSERT,
    /// <summary>Transmit from several threads on one queue without locking.</summary>
    MtLockFree = Dpdk.RTE_ETH_TX_OFFLOAD_MT_LOCKFREE,
    /// <summary>Transmit segment chains.</summary>
    MultiSegments = Dpdk.RTE_ETH_TX_OFFLOAD_MULTI_SEGS,
    /// <summary>Free transmitted mbufs fast (one pool, refcount 1).</summary>
    MbufFastFree = Dpdk.RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE,
    /// <summary>Inline security processing.</summary>
    Security = Dpdk.RTE_ETH_TX_OFFLOAD_SECURITY,
    /// <summary>Compute outer UDP checksums.</summary>
    OuterUdpChecksum = Dpdk.RTE_ETH_TX_OFFLOAD_OUTER_UDP_CKSUM,
}

/// <summary>What receive-side scaling hashes on (<c>RTE_ETH_RSS_*</c>; DPDK's values).</summary>
[Flags]
public enum RssHash : ulong
{
    /// <summary>No RSS.</summary>
    None = 0,
    /// <summary>IPv4 addresses.</summary>
    Ipv4 = Dpdk.RTE_ETH_RSS_IPV4,
    /// <summary>Fragmented IPv4.</summary>
    FragmentedIpv4 = Dpdk.RTE_ETH_RSS_FRAG_IPV4,
    /// <summary>IPv4 TCP ports.</summary>
    Ipv4Tcp = Dpdk.RTE_ETH_RSS_NONFRAG_IPV4_TCP,
    /// <summary>IPv4 UDP ports.</summary>
    Ipv4Udp = Dpdk.RTE_ETH_RSS_NONFRAG_IPV4_UDP,
    /// <summary>IPv4 SCTP ports.</summary>
    Ipv4Sctp = Dpdk.RTE_ETH_RSS_NONFRAG_IPV4_SCTP,
    /// <summary>Other IPv4.</summary>
    Ipv4Other = Dpdk.RTE_ETH_RSS_NONFRAG_IPV4_OTHER,
    /// <summary>IPv6 addresses.</summary>
    Ipv6 = Dpdk.RTE_ETH_RSS_IPV6,
    /// <summary>Fragmented IPv6.</summary>
    FragmentedIpv6 = Dpdk.RTE_ETH_RSS_FRAG_IPV6,
    /// <summary>IPv6 TCP ports.</summary>
    Ipv6Tcp = Dpdk.RTE_ETH_RSS_NONFRAG_IPV6_TCP,
    /// <summary>IPv6 UDP ports.</summary>
    Ipv6Udp = Dpdk.RTE_ETH_RSS_NONFRAG_IPV6_UDP,
    /// <summary>IPv6 SCTP ports.</summary>
    Ipv6Sctp = Dpdk.RTE_ETH_RSS_NONFRAG_IPV6_SCTP,
    /// <summary>Other IPv6.</summary>
    Ipv6Other = Dpdk.RTE_ETH_RSS_NONFRAG_IPV6_OTHER,
    /// <summary>L2 payload.</summary>
    L2Payload = Dpdk.RTE_ETH_RSS_L2_PAYLOAD,
    /// <summary>IPv6 with extension headers.</summary>
    Ipv6Ex = Dpdk.RTE_ETH_RSS_IPV6_EX,
    /// <summary>IPv6 TCP with extension headers.</summary>
    Ipv6TcpEx = Dpdk.RTE_ETH_RSS_IPV6_TCP_EX,
    /// <summary>IPv6 UDP with extension headers.</summary>
    Ipv6UdpEx = Dpdk.RTE_ETH_RSS_IPV6_UDP_EX,
    /// <summary>Port numbers.</summary>
    Port = Dpdk.RTE_ETH_RSS_PORT,
    /// <summary>Ethernet header.</summary>
    Eth = Dpdk.RTE_ETH_RSS_ETH,
    /// <summary>Every IP flow type (<c>RTE_ETH_RSS_IP</c>).</summary>
    Ip = Dpdk.RTE_ETH_RSS_IP,
    /// <summary>Every UDP flow type (<c>RTE_ETH_RSS_UDP</c>).</summary>
    Udp = Dpdk.RTE_ETH_RSS_UDP,
    /// <summary>Every TCP flow type (<c>RTE_ETH_RSS_TCP</c>).</summary>
    Tcp = Dpdk.RTE_ETH_RSS_TCP,
}
