namespace DpdkSharp.Wire;

/// <summary>Why a packet was dropped. Every drop in the stack is counted under exactly one reason.</summary>
public enum DropReason
{
    /// <summary>Too short, bad length fields, bad version/IHL, bad options, inconsistent fragment.</summary>
    Malformed,
    /// <summary>IPv4 header, ICMP or UDP checksum mismatch (or the device flagged it bad).</summary>
    BadChecksum,
    /// <summary>IPv4 TTL of zero (RFC 791 §3.2, "Time to Live").</summary>
    TtlExpired,
    /// <summary>No route (or no usable next hop) to the destination.</summary>
    NoRoute,
    /// <summary>UDP datagram for a port with no endpoint, or an ICMP error matching no endpoint.</summary>
    NoSocket,
    /// <summary>Layer 2 or 3 destination is not one of ours (or a VLAN we are not on).</summary>
    NotForUs,
    /// <summary>The endpoint's bounded receive queue (bytes or datagrams) is full.</summary>
    ReceiveBufferFull,
    /// <summary>A packet waiting for address resolution did not fit in (or was pushed out of) the ARP queue.</summary>
    ArpQueueFull,
    /// <summary>A packet waiting for address resolution was released because resolution failed.</summary>
    ArpTimeout,
    /// <summary>A fragment was refused or a partial datagram abandoned because of reassembly limits.</summary>
    ReassemblyLimit,
    /// <summary>A partial datagram expired before all its fragments arrived.</summary>
    ReassemblyTimeout,
    /// <summary>A fragment with exactly the extent of one already held (RFC 8200 §4.5: dropped, the datagram kept).</summary>
    DuplicateFragment,
    /// <summary>An EtherType, IP protocol, ARP hardware/protocol type or ICMP type we do not handle.</summary>
    UnsupportedProtocol,
    /// <summary>A source address that must never appear as a source (RFC 1122 §3.2.1.3).</summary>
    InvalidAddress,
    /// <summary>Datagram larger than the MTU with Don't Fragment set.</summary>
    FragmentationNeeded,
    /// <summary>The buffer pool had no buffer for an outgoing frame.</summary>
    NoBuffer,
    /// <summary>The device (transmit sink) refused the frame.</summary>
    TransmitQueueFull,
    /// <summary>An ICMP error was not sent because of the error rate limit (RFC 1812 §4.3.2.8).</summary>
    IcmpRateLimited,
    /// <summary>
    /// A fragment overlapping bytes already received with a different extent: the fragment and its
    /// whole partial datagram are dropped (RFC 5722 for IPv6; Linux does the same for IPv4).
    /// </summary>
    OverlappingFragment,
    /// <summary>A TCP segment outside the receive window, or acknowledging what was never sent (RFC 9293 §3.10.7.4; RFC 5961).</summary>
    OutOfWindow,
    /// <summary>A TCP segment with a timestamp older than the connection's (PAWS, RFC 7323 §5).</summary>
    PawsRejected,
    /// <summary>A SYN on a synchronized TCP connection (answered with a challenge ACK, RFC 5961 §4).</summary>
    UnexpectedSyn,
    /// <summary>A SYN or handshake ACK refused because a listener's queue was full (and SYN cookies off), or a SYN cookie that did not validate.</summary>
    ListenQueueFull,
    /// <summary>
    /// An IPv4 datagram with a loose or strict source route option: dropped by default (RFC 7126 §4.3.5, §4.4.5), as Linux
    /// does with accept_source_route 0.
    /// </summary>
    SourceRoute,
}
