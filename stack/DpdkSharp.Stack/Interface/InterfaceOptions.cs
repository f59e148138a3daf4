using System.Diagnostics.Metrics;

namespace DpdkSharp.Stack.Interface;

/// <summary>Static configuration of one interface (no DHCP here: addresses, routes and neighbours are given).</summary>
public sealed record InterfaceOptions
{
    /// <summary>Name used as the <c>interface</c> tag of the metrics.</summary>
    public string Name { get; init; } = "net0";
    /// <summary>The interface's unicast MAC. Left zero, <c>DpdkInterface</c> takes the port's; a core built directly needs one.</summary>
    public MacAddress Mac { get; init; }
    public required Ipv4Address Address { get; init; }
    public int PrefixLength { get; init; } = 24;
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
    public IReadOnlyList<Ipv4Route> StaticRoutes { get; init; } = [];
    public IReadOnlyList<KeyValuePair<Ipv4Address, MacAddress>> StaticNeighbors { get; init; } = [];
    /// <summary>IPv4 multicast groups to receive (224.0.0.1, all hosts, is always received: RFC 1112 §4).</summary>
    public IReadOnlyList<Ipv4Address> MulticastGroups { get; init; } = [];
    public ArpOptions Arp { get; init; } = new();
    public ReassemblyOptions Reassembly { get; init; } = new();
    public IcmpOptions Icmp { get; init; } = new();
    public UdpOptions Udp { get; init; } = new();
    /// <summary>Publish counters under the <c>DpdkSharp.Net</c> meter.</summary>
    public bool PublishMetrics { get; init; } = true;
    public IMeterFactory? MeterFactory { get; init; }
}
