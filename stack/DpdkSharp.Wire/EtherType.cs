namespace DpdkSharp.Wire;

/// <summary>EtherType values this stack knows (IEEE 802.3 §3.2.6; IANA "IEEE 802 Numbers").</summary>
public enum EtherType : ushort
{
    /// <summary>IPv4 (RFC 791).</summary>
    Ipv4 = 0x0800,
    /// <summary>ARP (RFC 826).</summary>
    Arp = 0x0806,
    /// <summary>IEEE 802.1Q customer VLAN tag (C-TAG).</summary>
    Vlan = 0x8100,
    /// <summary>IEEE 802.1ad service VLAN tag (S-TAG, "QinQ" outer tag).</summary>
    QinQ = 0x88A8,
    /// <summary>IPv6 (RFC 8200).</summary>
    Ipv6 = 0x86DD,
}
