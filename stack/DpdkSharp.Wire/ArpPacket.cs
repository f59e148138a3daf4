using System.Buffers.Binary;

namespace DpdkSharp.Wire;

/// <summary>ARP operation codes (RFC 826 "Packet format": ar$op).</summary>
public enum ArpOperation : ushort
{
    /// <summary>Who has the target address? (a request, usually broadcast).</summary>
    Request = 1,
    /// <summary>The sender has the address asked for.</summary>
    Reply = 2,
}

/// <summary>
/// An ARP packet for IPv4 over Ethernet (RFC 826 "Packet format"): hardware type 1, protocol
/// 0x0800, address lengths 6 and 4, so 28 bytes. A view over the caller's bytes.
/// </summary>
public readonly ref struct ArpPacket
{
    /// <summary>Bytes of an Ethernet/IPv4 ARP packet.</summary>
    public const int Length = 28;

    private readonly ReadOnlySpan<byte> _b;

    private ArpPacket(ReadOnlySpan<byte> bytes) => _b = bytes;

    /// <summary>Request or reply (ar$op).</summary>
    public ArpOperation Operation => (ArpOperation)BinaryPrimitives.ReadUInt16BigEndian(_b[6..]);
    /// <summary>The sender's hardware address (ar$sha).</summary>
    public MacAddress SenderMac => MacAddress.Read(_b[8..]);
    /// <summary>The sender's protocol address (ar$spa).</summary>
    public Ipv4Address SenderIp => Ipv4Address.Read(_b[14..]);
    /// <summary>The target's hardware address (ar$tha; zero in a request).</summary>
    public MacAddress TargetMac => MacAddress.Read(_b[18..]);
    /// <summary>The target's protocol address (ar$tpa).</summary>
    public Ipv4Address TargetIp => Ipv4Address.Read(_b[24..]);

    /// <summary>
    /// Parses an Ethernet/IPv4 ARP packet. Too short, or address lengths that do not add up, is
    /// <see cref="DropReason.Malformed"/>; another hardware/protocol pair or operation is
    /// <see cref="DropReason.UnsupportedProtocol"/>. Trailing bytes (Ethernet padding) are ignored.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out ArpPacket packet, out DropReason reason)
    {
        packet = default;
        reason = DropReason.Malformed;
        if (data.Length < 8)
        {
            return false;
        }
        ushort htype = BinaryPrimitives.ReadUInt16BigEndian(data);
        ushort ptype = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        int hlen = data[4], plen = data[5];
        if (data.Length < 8 + 2 * (hlen + plen))
        {
            return false;
        }
        ushort op = BinaryPrimitives.ReadUInt16BigEndian(data[6..]);
        if (htype != 1 || ptype != (ushort)EtherType.Ipv4 || hlen != 6 || plen != 4 || op is not (1 or 2))
        {
            reason = DropReason.UnsupportedProtocol;
            return false;
        }
        packet = new ArpPacket(data[..Length]);
        return true;
    }

    /// <summary>Writes a 28-byte Ethernet/IPv4 ARP packet into <paramref name="destination"/>.</summary>
    public static void Write(Span<byte> destination, ArpOperation op, MacAddress senderMac, Ipv4Address senderIp, MacAddress targetMac, Ipv4Address targetIp)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, 1);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)EtherType.Ipv4);
        destination[4] = 6;
        destination[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], (ushort)op);
        senderMac.Write(destination[8..]);
        senderIp.Write(destination[14..]);
        targetMac.Write(destination[18..]);
        targetIp.Write(destination[24..]);
    }
}
