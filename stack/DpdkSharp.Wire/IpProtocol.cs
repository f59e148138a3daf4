namespace DpdkSharp.Wire;

/// <summary>IP protocol numbers (IANA "Assigned Internet Protocol Numbers").</summary>
public enum IpProtocol : byte
{
    Icmp = 1,
    Tcp = 6,
    Udp = 17,
}
