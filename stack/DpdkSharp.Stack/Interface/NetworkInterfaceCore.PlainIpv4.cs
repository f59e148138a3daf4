using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace DpdkSharp.Stack.Interface;

/// <summary>
/// The receive path's shortcut for the frame a host gets nearly always: untagged, to our MAC, IPv4 with a 20-byte
/// header to our address, not a fragment.
/// </summary>
public sealed partial class NetworkInterfaceCore
{
    /// <summary>Ethernet (untagged) and a 20-byte IPv4 header: the bytes the shortcut reads.</summary>
    private const int PlainIpv4Headers = EthernetFrame.HeaderLength + Ipv4Packet.MinHeaderLength;

    /// <summary>
    /// Takes a plain IPv4 frame past the Ethernet and IPv4 layers in a few wide loads, checking what
    /// <see cref="ReceiveEthernet"/> and <see cref="ReceiveIpv4"/> check for such a frame (RFC 791 §3.1 fields, the
    /// RFC 1071 header checksum, the source addresses <see cref="IsForbiddenSource"/> and, to our unicast address, <see cref="IsThisNetwork"/> refuse) and counting what they count, then hands it to
    /// <see cref="Deliver"/> as they would. It only ever accepts: any frame it is not sure of (a check fails, a device
    /// verdict of a bad header, a case it does not cover) returns false untouched, and the general path takes it from
    /// the start, drop reasons included.
    /// </summary>
    /// <remarks>
    /// Why: the general path parses into <see cref="EthernetFrame"/> and <see cref="Ipv4Packet"/> values (tags, options,
    /// every field) that nearly no frame needs: for a UDP echo that was about 8 % of the stack's instructions per echo
    /// (bench/udp-echo/README.md).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryReceivePlainIpv4(ref RxFrame rx, ReadOnlySpan<byte> frame, Instant now, RxChecksumStatus checksum, out RxDisposition disposition)
    {
        disposition = RxDisposition.Dropped;
        if (_vlan is not null || frame.Length < PlainIpv4Headers || (checksum & RxChecksumStatus.Ipv4Bad) != 0)
        {
            return false;
        }
        // A slice of constant length: the JIT proves every read below in range once.
        var headers = frame[..PlainIpv4Headers];
        var ethernetDestination = new MacAddress(BinaryPrimitives.ReadUInt64BigEndian(headers) >> 16);
        ulong ethernetSourceAndType = BinaryPrimitives.ReadUInt64BigEndian(headers[6..]);
        var ethernetSource = new MacAddress(ethernetSourceAndType >> 16);
        if (ethernetDestination != _mac || (ushort)ethernetSourceAndType != (ushort)EtherType.Ipv4
            || ethernetSource == _mac || ethernetSource.IsMulticast)
        {
            return false;
        }
        // IPv4's fixed fields in three loads: version and IHL, TOS, total length, identification, flags and offset; TTL,
        // protocol, checksum, source; destination.
        ulong ip0 = BinaryPrimitives.ReadUInt64BigEndian(headers[EthernetFrame.HeaderLength..]);
        ulong ip1 = BinaryPrimitives.ReadUInt64BigEndian(headers[(EthernetFrame.HeaderLength + 8)..]);
        uint destination = BinaryPrimitives.ReadUInt32BigEndian(headers[(EthernetFrame.HeaderLength + 16)..]);
        int totalLength = (int)(ip0 >> 32) & 0xFFFF;
        var source = new Ipv4Address((uint)ip1);
        if ((ip0 >> 56) != 0x45 // version 4, no options
            || (ip0 & FragmentBits) != 0 // More Fragments or an offset: reassembly's
            || destination != _address.Value
            || totalLength < Ipv4Packet.MinHeaderLength
            || totalLength > frame.Length - EthernetFrame.HeaderLength
            || IsForbiddenSource(source) || IsThisNetwork(source)
            || ((checksum & RxChecksumStatus.Ipv4Good) == 0 && !InternetChecksum.IsValid(headers[EthernetFrame.HeaderLength..])))
        {
            return false;
        }
        // What the general path counts for this frame on its way to Deliver.
        _counters.CountRx(NetLayer.Ethernet, frame.Length);
        rx.L2Length = EthernetFrame.HeaderLength;
        _counters.CountRx(NetLayer.Ipv4, totalLength);
        var meta = new Ipv4Meta(source, _address, (IpProtocol)(byte)(ip1 >> 48), (byte)(ip1 >> 56), Reassembled: false, DestinationIsBroadcastOrMulticast: false);
        var ip = frame.Slice(EthernetFrame.HeaderLength, totalLength);
        disposition = Deliver(ref rx, in meta, ip[..Ipv4Packet.MinHeaderLength], ip[Ipv4Packet.MinHeaderLength..], now, checksum);
        return true;
    }

    /// <summary>IPv4's More Fragments flag and fragment offset, in the low 16 bits of the header's first 8 bytes.</summary>
    private const ulong FragmentBits = 0x3FFF;
}
