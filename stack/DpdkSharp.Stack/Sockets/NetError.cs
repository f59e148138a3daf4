namespace DpdkSharp.Stack.Sockets;

/// <summary>Errors of the endpoint API (the socket layer maps them to <c>SocketError</c>).</summary>
public enum NetError
{
    /// <summary>Success.</summary>
    None,
    /// <summary>Nothing to receive now.</summary>
    WouldBlock,
    /// <summary>The handle names no open endpoint (closed, or never bound).</summary>
    InvalidHandle,
    /// <summary>An argument the call cannot use (e.g. an address not of this interface: EADDRNOTAVAIL).</summary>
    InvalidArgument,
    /// <summary>The address and port are bound already (EADDRINUSE).</summary>
    AddressInUse,
    /// <summary>Every ephemeral port is in use.</summary>
    NoEphemeralPorts,
    /// <summary>The endpoint table is full (EMFILE).</summary>
    TooManyEndpoints,
    /// <summary>A send without a destination on an unconnected endpoint (EDESTADDRREQ).</summary>
    NotConnected,
    /// <summary>Datagram too large for UDP, or for the MTU with Don't Fragment (EMSGSIZE).</summary>
    MessageTooLong,
    /// <summary>No route to the destination (ENETUNREACH).</summary>
    NoRoute,
    /// <summary>No buffer to build the frame in (ENOBUFS).</summary>
    NoBuffers,
    /// <summary>ICMP port unreachable (ECONNREFUSED).</summary>
    ConnectionRefused,
    /// <summary>ICMP host unreachable (EHOSTUNREACH).</summary>
    HostUnreachable,
    /// <summary>ICMP network unreachable (ENETUNREACH).</summary>
    NetworkUnreachable,
    /// <summary>ICMP protocol unreachable.</summary>
    ProtocolUnreachable,
    /// <summary>ICMP time exceeded.</summary>
    TimeExceeded,
    /// <summary>ICMP parameter problem (EPROTO).</summary>
    ParameterProblem,
}
