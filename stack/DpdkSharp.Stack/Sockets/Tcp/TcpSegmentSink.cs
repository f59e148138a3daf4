namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// The four numbers that name a TCP connection (RFC 9293 §3.1: the socket pair). The connection
/// core never reads the addresses: it passes them to its <see cref="ITcpSegmentSink"/>, which
/// builds the IP header and the checksum's pseudo-header, so IPv6 needs a wider tuple, not a new core.
/// </summary>
internal readonly record struct TcpTuple(Ipv4Address LocalAddress, ushort LocalPort, Ipv4Address RemoteAddress, ushort RemotePort)
{
    public override string ToString() => $"{LocalAddress}:{LocalPort}<->{RemoteAddress}:{RemotePort}";
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
