using DpdkSharp.Wire;

namespace DpdkSharp.Runtime.Tests.Infrastructure;

/// <summary>Builds test frames: Ethernet + IPv4 + UDP with a payload pattern.</summary>
public static class Frames
{
    public static readonly MacAddress Source = MacAddress.Parse("02:00:00:00:00:01");
    public static readonly MacAddress Destination = MacAddress.Parse("02:00:00:00:00:02");

    public const int UdpHeadersLength = EthernetFrame.HeaderLength + Ipv4Packet.MinHeaderLength + UdpDatagram.HeaderLength;

    /// <summary>Writes a UDP/IPv4 frame of <paramref name="frame"/>.Length bytes, payload bytes = seed + index.</summary>
    public static void WriteUdp(Span<byte> frame, int seed, ushort sourcePort = 1000, ushort destinationPort = 2000)
    {
        int l2 = EthernetFrame.WriteHeader(frame, Destination, Source, EtherType.Ipv4);
        var payload = frame[UdpHeadersLength..];
        for (var i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)(seed + i);
        }

        Ipv4Packet.WriteHeader(frame[l2..], Ipv4Address.Parse("10.0.0.1"), Ipv4Address.Parse("10.0.0.2"), IpProtocol.Udp,
            frame.Length - l2, identification: 0, ttl: 64, dontFragment: false, moreFragments: false, fragmentOffsetBytes: 0, computeChecksum: true);
        UdpDatagram.WriteHeader(frame[(l2 + Ipv4Packet.MinHeaderLength)..], Ipv4Address.Parse("10.0.0.1"), Ipv4Address.Parse("10.0.0.2"),
            sourcePort, destinationPort, payload.Length, InternetChecksum.Sum(payload), offload: false);
    }

    public static byte[] Udp(int length, int seed)
    {
        var frame = new byte[length];
        WriteUdp(frame, seed);
        return frame;
    }
}
