namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// Receives an endpoint's datagrams synchronously, inside <see cref="NetworkInterfaceCore.Receive(ReadOnlySpan{byte}, Instant, RxChecksumStatus)"/>,
/// instead of having them queued: the zero-copy path. The payload is the receive
/// buffer itself (an mbuf's data, or the reassembly buffer) and is valid only during the call.
/// The handler may send through the same core (it runs on the core's thread).
/// </summary>
public interface IUdpDatagramHandler
{
    /// <summary>One datagram for <paramref name="endpoint"/> from <paramref name="remote"/>; <paramref name="payload"/> is valid during the call only.</summary>
    void OnDatagram(UdpHandle endpoint, ReadOnlySpan<byte> payload, Ipv4Endpoint remote);
}
