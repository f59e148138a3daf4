using System.Net.Sockets;

namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// Handles one datagram on the reactor thread (<see cref="UdpSocket.SetHandler"/>). Keep it short
/// and non-blocking: the interface receives nothing while it runs.
/// </summary>
public delegate void UdpDatagramHandler(UdpDatagramContext datagram);

/// <summary>
/// One received datagram, lent to a <see cref="UdpDatagramHandler"/>: the payload is the receive
/// buffer itself (the mbuf's data, or the reassembly buffer for a fragmented datagram), valid
/// only during the call. Replies go out from the same thread without a command round trip.
/// </summary>
public readonly ref struct UdpDatagramContext
{
    private readonly UdpSocket _socket;

    internal UdpDatagramContext(UdpSocket socket, ReadOnlySpan<byte> payload, Ipv4Endpoint remote)
    {
        _socket = socket;
        Payload = payload;
        Remote = remote;
    }

    /// <summary>The datagram's payload; do not keep it past the handler.</summary>
    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>The sender.</summary>
    public Ipv4Endpoint Remote { get; }

    /// <summary>The socket that received it.</summary>
    public UdpSocket Socket => _socket;

    /// <summary>
    /// Sends <paramref name="payload"/> back to the sender. Passing <see cref="Payload"/> itself
    /// (or a prefix of it) replies in place: once the handler returns, the reply's headers are
    /// written around the payload in the receive buffer, which goes to the transmit queue; nothing
    /// is rented or copied, and the payload stays readable until the handler returns. Any other
    /// span, or a datagram that arrived in fragments or with IP options, is copied into a new
    /// frame; so is a pending in-place reply when the handler sends again (it goes first, keeping
    /// the order the handler sent in).
    /// </summary>
    public SocketError Reply(ReadOnlySpan<byte> payload) => _socket.SendOnReactor(payload, Remote);

    /// <summary>Sends <paramref name="payload"/> from this socket to <paramref name="remote"/>.</summary>
    public SocketError SendTo(ReadOnlySpan<byte> payload, Ipv4Endpoint remote) => _socket.SendOnReactor(payload, remote);
}
