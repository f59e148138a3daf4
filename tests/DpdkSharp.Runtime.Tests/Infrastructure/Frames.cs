using System.Net;
using DpdkSharp.Runtime.Headers;

namespace DpdkSharp.Runtime.Tests.Infrastructure;

/// <summary>Builds test frames: Ethernet + IPv4 + UDP with a payload pattern.</summary>
public static class Frames
{
    public static readonly MacAddress Source = MacAddress.Parse("02:00:00:00:00:01");
    public static readonly MacAddress Destination = MacAddress.Parse("02:00:00:00:00:02");

    public const int UdpHeadersLength = EthernetHeader.Size + Ipv4Header.MinSize + UdpHeader.Size;

    /// <summary>Writes a UDP/IPv4 frame of <paramref name="frame"/>.Length bytes, payload bytes = seed + index.</summary>
    public static void WriteUdp(Span<byte> frame, int seed, ushort sourcePort = 1000, ushort destinationPort = 2000)
    {
        var eth = new EthernetHeader(frame)
        {
            Destination = Destination,
            Source = Source,
            EtherType = EtherTypes.Ipv4,
        };
        var ip = new Ipv4Header(eth.Payload)
        {
            Version = 4,
            HeaderLength = Ipv4Header.MinSize,
            TotalLength = (ushort)(frame.Length - EthernetHeader.Size),
            TimeToLive = 64,
            Protocol = IpProtocols.Udp,
            Source = IPAddress.Parse("10.0.0.1"),
            Destination = IPAddress.Parse("10.0.0.2"),
        };
        ip.UpdateChecksum();
        var udp = new UdpHeader(ip.Payload)
        {
            SourcePort = sourcePort,
            DestinationPort = destinationPort,
            Length = (ushort)(frame.Length - EthernetHeader.Size - Ipv4Header.MinSize),
        };
        var payload = udp.Payload;
        for (var i = 0; i < payload.Length; i++)
            payload[i] = (byte)(seed + i);
    }

    public static byte[] Udp(int length, int seed)
    {
        var frame = new byte[length];
        WriteUdp(frame, seed);
        return frame;
    }
}
