namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// The four numbers that name a TCP connection (RFC 9293 §3.1: the socket pair), with addresses
/// of either family (<see cref="IpAddress"/>). The connection core and the table never look
/// inside the addresses: the keyed hashes (ISNs, SYN cookies, ephemeral ports) take them as bytes,
/// and the network layer's edge (the interface's <see cref="ITcpSegmentSink"/> and its receive
/// path) builds and checks the IP header and the checksum's pseudo-header. IPv6 needs a new edge,
/// not a new core.
/// </summary>
internal readonly record struct TcpTuple(IpAddress LocalAddress, ushort LocalPort, IpAddress RemoteAddress, ushort RemotePort)
{
    /// <summary>
    /// The connection table's hash: every field mixed with a per-process seed (<see cref="HashCode"/>). The remote
    /// address and port are the sender's to choose; the compiler's hash for a record adds them up linearly, which
    /// would let a sender aim many tuples at one bucket (RFC 9293 §3.10.7 demultiplexes every segment through it).
    /// </summary>
    public override int GetHashCode() => HashCode.Combine(LocalAddress, LocalPort, RemoteAddress, RemotePort);

    /// <summary>The IPv6 header (RFC 8200 §3): fixed, options go in extension headers.</summary>
    private const int Ipv6HeaderLength = 40;

    /// <summary>
    /// The network-layer header in front of each segment, which the MSS leaves room for (RFC 9293
    /// §3.7.1): IPv4's 20 bytes (the stack sends no IP options), IPv6's 40.
    /// </summary>
    public int NetworkHeaderLength => LocalAddress.IsIpv4 ? Ipv4Packet.MinHeaderLength : Ipv6HeaderLength;

    public override string ToString() => LocalAddress.IsIpv4
        ? $"{LocalAddress}:{LocalPort}<->{RemoteAddress}:{RemotePort}"
        : $"[{LocalAddress}]:{LocalPort}<->[{RemoteAddress}]:{RemotePort}";
}

/// <summary>The fields of an outgoing TCP header that the connection decides; ports and checksum come from the sink.</summary>
internal readonly record struct TcpHeader(SequenceNumber Sequence, SequenceNumber Acknowledgment, TcpFlags Flags, ushort Window);

/// <summary>Where a connection's segments go: the interface builds IP and TCP headers and transmits (or a test records them).</summary>
internal interface ITcpSegmentSink
{
    /// <summary>
    /// Sends one segment whose data is <paramref name="first"/> followed by <paramref name="second"/>
    /// (the send queue is a ring). False when it could not be sent now (no buffer, no route): the
    /// connection treats it as lost and its timers recover. <paramref name="now"/> is for address resolution.
    /// </summary>
    bool Send(in TcpTuple tuple, in TcpHeader header, in TcpOptions options, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Instant now);
}

/// <summary>What happened to a connection since the socket layer last looked (<see cref="TcpControlBlock.TakeEvents"/>).</summary>
[Flags]
internal enum TcpEvents
{
    None = 0,
    /// <summary>The handshake completed.</summary>
    Connected = 1,
    /// <summary>Data (or the peer's FIN) can be read.</summary>
    Readable = 2,
    /// <summary>Room opened in the send queue.</summary>
    Writable = 4,
    /// <summary>The connection ended (see <see cref="TcpControlBlock.Error"/>), or reached TIME-WAIT.</summary>
    Closed = 8,
}
