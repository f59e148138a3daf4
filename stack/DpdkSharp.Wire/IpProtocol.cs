namespace DpdkSharp.Wire;

/// <summary>IP protocol numbers (IANA "Assigned Internet Protocol Numbers").</summary>
public enum IpProtocol : byte
{
    /// <summary>ICMP (RFC 792).</summary>
    Icmp = 1,
    /// <summary>IGMP (RFC 2236; RFC 3376).</summary>
    Igmp = 2,
    /// <summary>TCP (RFC 9293).</summary>
    Tcp = 6,
    /// <summary>UDP (RFC 768).</summary>
    Udp = 17,
}
