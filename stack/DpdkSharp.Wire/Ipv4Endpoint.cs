namespace DpdkSharp.Wire;

/// <summary>An IPv4 address and a transport port.</summary>
public readonly record struct Ipv4Endpoint(Ipv4Address Address, ushort Port)
{
    /// <summary>"address:port".</summary>
    public override string ToString() => $"{Address}:{Port}";
}
