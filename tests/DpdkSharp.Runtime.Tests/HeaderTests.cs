using System.Net;
using DpdkSharp.Runtime.Headers;

namespace DpdkSharp.Runtime.Tests;

/// <summary>Header views over plain byte arrays, no DPDK needed.</summary>
public sealed class HeaderTests
{
    [Fact]
    public void Ipv4_fields_are_read_in_network_order_and_the_checksum_matches_a_known_header()
    {
        // RFC 1071-style example header (checksum 0xB861).
        byte[] bytes = Convert.FromHexString("450000730000400040110000C0A80001C0A800C7");
        var ip = new Ipv4Header(bytes);
        Assert.Equal(4, ip.Version);
        Assert.Equal(20, ip.HeaderLength);
        Assert.Equal(0x73, ip.TotalLength);
        Assert.Equal(IpProtocols.Udp, ip.Protocol);
        Assert.Equal(IPAddress.Parse("192.168.0.1"), ip.Source);
        Assert.Equal(0xC0A800C7u, ip.DestinationRaw);
        Assert.Equal(0xB861, ip.ComputeChecksum());
        Assert.False(ip.IsChecksumValid);
        ip.UpdateChecksum();
        Assert.True(ip.IsChecksumValid);
        Assert.Equal(0xB8, bytes[10]);
    }

    [Fact]
    public void Ethernet_vlan_udp_tcp_and_arp_views_write_what_they_read()
    {
        var frame = new byte[64];
        var eth = new EthernetHeader(frame) { Destination = MacAddress.Broadcast, Source = MacAddress.Parse("02:00:00:00:00:09"), EtherType = EtherTypes.Vlan };
        Assert.Equal(0x81, frame[12]);
        var vlan = new VlanHeader(eth.Payload) { VlanId = 100, Priority = 5, EtherType = EtherTypes.Arp };
        Assert.Equal((5 << 13) | 100, vlan.Tci);
        var arp = new ArpHeader(vlan.Payload);
        arp.InitializeIpv4OverEthernet(ArpHeader.OpRequest);
        arp.TargetIp = IPAddress.Parse("10.1.2.3");
        Assert.Equal(IPAddress.Parse("10.1.2.3"), arp.TargetIp);
        Assert.Equal(ArpHeader.OpRequest, arp.Operation);

        eth.SwapAddresses();
        Assert.Equal(MacAddress.Broadcast, eth.Source);
        Assert.Equal("02:00:00:00:00:09", eth.Destination.ToString());

        var udp = new UdpHeader(new byte[8]) { SourcePort = 53, DestinationPort = 4000, Length = 8 };
        Assert.Equal((53, 4000, 8), (udp.SourcePort, (int)udp.DestinationPort, (int)udp.Length));
        var tcp = new TcpHeader(new byte[20]) { SequenceNumber = 0xDEADBEEF, HeaderLength = 20, Flags = 0x12 };
        Assert.Equal((0xDEADBEEFu, 20, (byte)0x12), (tcp.SequenceNumber, tcp.HeaderLength, tcp.Flags));
        Assert.Throws<ArgumentException>(() => { _ = new Ipv4Header(new byte[10]); });
    }
}
