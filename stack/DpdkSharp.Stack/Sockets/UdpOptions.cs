namespace DpdkSharp.Stack.Sockets;

/// <summary>UDP endpoint table limits.</summary>
public sealed record UdpOptions
{
    /// <summary>Payload bytes queued per endpoint before datagrams are dropped (Linux default rmem: 212992).</summary>
    public int ReceiveBufferBytes { get; init; } = 212_992;
    /// <summary>Datagrams queued per endpoint, whatever their size (bounds the metadata ring).</summary>
    public int MaxQueuedDatagrams { get; init; } = 1024;
    /// <summary>Endpoints bound at once.</summary>
    public int MaxEndpoints { get; init; } = 1024;
    /// <summary>Ephemeral port range (Linux ip_local_port_range default; RFC 6056 §2.1 suggests 1024-65535).</summary>
    public ushort EphemeralFirst { get; init; } = 32768;
    /// <summary>The last port of the ephemeral range.</summary>
    public ushort EphemeralLast { get; init; } = 60999;
    /// <summary>
    /// Multicast groups one socket may join (<c>UdpSocket.JoinMulticastGroup</c>; Linux's net.ipv4.igmp_max_memberships:
    /// 20): the interface checks its groups on every multicast frame received.
    /// </summary>
    public int MaxMembershipsPerSocket { get; init; } = 20;
}
