namespace DpdkSharp.Stack.Interface;

/// <summary>Facts about a received datagram that upper layers need after reassembly (when no single header exists).</summary>
public readonly record struct Ipv4Meta(Ipv4Address Source, Ipv4Address Destination, IpProtocol Protocol, byte Ttl,
    bool Reassembled, bool DestinationIsBroadcastOrMulticast);
