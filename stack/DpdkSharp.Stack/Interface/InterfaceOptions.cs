using System.Diagnostics.Metrics;

namespace DpdkSharp.Stack.Interface;

/// <summary>Static configuration of one interface (no DHCP here: addresses, routes and neighbours are given).</summary>
public sealed record InterfaceOptions
{
    /// <summary>Name used as the <c>interface</c> tag of the metrics.</summary>
    public string Name { get; init; } = "net0";
    /// <summary>The interface's unicast MAC. Left zero, <c>DpdkInterface</c> takes the port's; a core built directly needs one.</summary>
    public MacAddress Mac { get; init; }
    /// <summary>The interface's IPv4 address.</summary>
    public required Ipv4Address Address { get; init; }
    /// <summary>The length of the connected subnet's prefix (24 for a /24).</summary>
    public int PrefixLength { get; init; } = 24;
    /// <summary>The default gateway; null for none (only the connected subnet and static routes are reachable).</summary>
    public Ipv4Address? Gateway { get; init; }
    /// <summary>IP MTU (RFC 791 minimum 68; Ethernet 1500; jumbo up to what the buffers hold).</summary>
    public int Mtu { get; init; } = 1500;
    /// <summary>802.1Q VLAN this interface is on; null for untagged.</summary>
    public ushort? VlanId { get; init; }
    /// <summary>Accept frames for any destination MAC (they still have to be for one of our IP addresses).</summary>
    public bool Promiscuous { get; init; }
    /// <summary>Checksums the device computes on transmit (<c>DpdkInterface</c> sets them from the port's configured offloads).</summary>
    public ChecksumOffloads Offloads { get; init; }
    /// <summary>TTL of datagrams we originate (RFC 1700/IANA default 64).</summary>
    public byte DefaultTtl { get; init; } = 64;
    /// <summary>TTL of multicast datagrams we originate (RFC 1112 §6.1: 1 by default, the link only; Linux's IP_MULTICAST_TTL).</summary>
    public byte MulticastTtl { get; init; } = 1;
    /// <summary>Routes besides the connected subnet and the default.</summary>
    public IReadOnlyList<Ipv4Route> StaticRoutes { get; init; } = [];
    /// <summary>ARP entries that never expire (address, MAC).</summary>
    public IReadOnlyList<KeyValuePair<Ipv4Address, MacAddress>> StaticNeighbors { get; init; } = [];
    /// <summary>
    /// IPv4 multicast groups to receive (224.0.0.1, all hosts, is always received: RFC 1112 §4), reported to routers and
    /// snooping switches by IGMP (<see cref="Igmp"/>). Fixed for the interface's life.
    /// </summary>
    public IReadOnlyList<Ipv4Address> MulticastGroups { get; init; } = [];
    /// <summary>IGMP membership reports for <see cref="MulticastGroups"/>.</summary>
    public IgmpOptions Igmp { get; init; } = new();
    /// <summary>ARP timing and bounds.</summary>
    public ArpOptions Arp { get; init; } = new();
    /// <summary>IPv4 reassembly bounds.</summary>
    public ReassemblyOptions Reassembly { get; init; } = new();
    /// <summary>ICMP error limits and echo behaviour.</summary>
    public IcmpOptions Icmp { get; init; } = new();
    /// <summary>UDP endpoint table limits.</summary>
    public UdpOptions Udp { get; init; } = new();
    /// <summary>TCP bounds and defenses for all connections of the interface.</summary>
    public TcpStackOptions Tcp { get; init; } = new();
    /// <summary>Publish counters under the <c>DpdkSharp.Net</c> meter.</summary>
    public bool PublishMetrics { get; init; } = true;
    /// <summary>Where the metrics' meter comes from (dependency injection); null: a meter of its own.</summary>
    public IMeterFactory? MeterFactory { get; init; }
    /// <summary>
    /// Where the interface logs what an operator should see: address conflicts (another host claims our address),
    /// next hops that never answered ARP, and, through <c>DpdkInterface</c>, the interface going up and down, port
    /// link changes and reactor faults. Null: no logging, and no cost.
    /// </summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; init; }
}
