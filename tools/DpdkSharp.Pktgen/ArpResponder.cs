using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using DpdkSharp.Wire;

namespace DpdkSharp.Pktgen;

/// <summary>What the reflector does with an ARP frame.</summary>
internal enum ArpAnswer
{
    /// <summary>A request for the reflector's address: the frame now is the reply, to send back.</summary>
    Replied,
    /// <summary>ARP, but not a request for the reflector's address (or malformed): not to be sent anywhere.</summary>
    Ignored,
}

/// <summary>
/// Answers ARP requests for one address in place, so a generator (ours, or any host) can resolve the reflector's MAC
/// (RFC 826, "Packet Reception"): the request becomes the reply in the mbuf it came in, so the reflect loop still
/// allocates nothing.
/// </summary>
internal static class ArpResponder
{
    /// <summary>Whether an Ethernet frame (untagged) carries ARP.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsArp(ReadOnlySpan<byte> frame) =>
        frame.Length >= EthernetFrame.HeaderLength && BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) == (ushort)EtherType.Arp;

    /// <summary>Turns a request for <paramref name="ownIp"/> into its reply; anything else is to be dropped.</summary>
    public static ArpAnswer Answer(Span<byte> frame, MacAddress ownMac, Ipv4Address ownIp)
    {
        var body = frame[EthernetFrame.HeaderLength..];
        if (!ArpPacket.TryParse(body, out var arp, out _) || arp.Operation != ArpOperation.Request || arp.TargetIp != ownIp
            || arp.SenderMac.IsMulticast || arp.SenderMac.IsZero)
        {
            return ArpAnswer.Ignored;
        }

        // RFC 826: swap the sender fields into the target fields, put ours in the sender fields, op = reply, and send
        // it to the asker's hardware address (not broadcast).
        var askerMac = arp.SenderMac;
        var askerIp = arp.SenderIp;
        ArpPacket.Write(body, ArpOperation.Reply, ownMac, ownIp, askerMac, askerIp);
        EthernetFrame.WriteHeader(frame, askerMac, ownMac, EtherType.Arp);
        return ArpAnswer.Replied;
    }
}
