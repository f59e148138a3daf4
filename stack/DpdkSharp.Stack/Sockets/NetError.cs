namespace DpdkSharp.Stack.Sockets;

/// <summary>Errors of the endpoint API (the socket layer maps them to <c>SocketError</c>).</summary>
public enum NetError
{
    None,
    /// <summary>Nothing to receive now.</summary>
    WouldBlock,
    InvalidHandle,
    InvalidArgument,
    AddressInUse,
    NoEphemeralPorts,
    TooManyEndpoints,
    NotConnected,
    /// <summary>Datagram too large for UDP, or for the MTU with Don't Fragment (EMSGSIZE).</summary>
    MessageTooLong,
    NoRoute,
    NoBuffers,
    /// <summary>ICMP port unreachable (ECONNREFUSED).</summary>
    ConnectionRefused,
    HostUnreachable,
    NetworkUnreachable,
    ProtocolUnreachable,
    TimeExceeded,
    ParameterProblem,
}
