using System.Buffers.Binary;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using DpdkSharp.Wire;

namespace DpdkSharp.Pktgen;

/// <summary>What a generated frame carries and where: the header the tool verifies on receive.</summary>
/// <remarks>
/// UDP payload: magic (u16), flow id (u16), sequence number (u32, per flow), TSC at transmit (u64), then a fill
/// that depends only on the seed and the frame size. 16 bytes, so a 64-byte frame (60 bytes without FCS; 18 bytes
/// of UDP payload) still carries it whole. Little endian: both ends are this tool on x86; the fields mean nothing
/// to anyone else.
/// </remarks>
public static class PacketFormat
{
    /// <summary>"DP": the first two payload bytes of every frame this tool makes.</summary>
    public const ushort Magic = 0x5044;

    /// <summary>Ethernet, IPv4 without options and UDP.</summary>
    public const int HeadersLength = EthernetFrame.HeaderLength + Ipv4Packet.MinHeaderLength + UdpDatagram.HeaderLength;

    /// <summary>The payload header's length.</summary>
    public const int PayloadHeaderLength = 16;

    /// <summary>The Ethernet frame check sequence: frame sizes are given with it (64 is the minimum), mbufs hold the frame without it.</summary>
    public const int FcsLength = 4;

    /// <summary>The smallest frame size (with FCS) that holds the payload header.</summary>
    public const int MinFrameSize = 64;

    /// <summary>The largest frame size (with FCS) without jumbo frames.</summary>
    public const int MaxFrameSize = 1518;

    /// <summary>Offset of the UDP source port in a frame.</summary>
    public const int UdpSourcePortOffset = EthernetFrame.HeaderLength + Ipv4Packet.MinHeaderLength;

    private const int MagicOffset = HeadersLength;
    private const int FlowOffset = HeadersLength + 2;
    private const int SequenceOffset = HeadersLength + 4;
    private const int TscOffset = HeadersLength + 8;
    private const int FillOffset = HeadersLength + PayloadHeaderLength;

    /// <summary>Writes the per-packet fields into a frame copied from a template.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Stamp(Span<byte> frame, ushort sourcePort, ushort flow, uint sequence, ulong tsc)
    {
        // One encoding of the fields: the transmit loop's unchecked writer, behind the check it skips.
        ArgumentOutOfRangeException.ThrowIfLessThan(frame.Length, TscOffset + sizeof(ulong), nameof(frame));
        fixed (byte* p = frame)
        {
            StampUnchecked(p, sourcePort, flow, sequence, tsc);
        }
    }

    /// <summary>
    /// <see cref="Stamp(Span{byte}, ushort, ushort, uint, ulong)"/> without bounds checks, for the transmit loop: the
    /// caller vouches that <paramref name="frame"/> holds at least <see cref="HeadersLength"/> +
    /// <see cref="PayloadHeaderLength"/> bytes (every template does: <see cref="MinFrameSize"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void StampUnchecked(byte* frame, ushort sourcePort, ushort flow, uint sequence, ulong tsc)
    {
        Unsafe.WriteUnaligned(frame + UdpSourcePortOffset, BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(sourcePort) : sourcePort);
        Unsafe.WriteUnaligned(frame + FlowOffset, BitConverter.IsLittleEndian ? flow : BinaryPrimitives.ReverseEndianness(flow));
        Unsafe.WriteUnaligned(frame + SequenceOffset, BitConverter.IsLittleEndian ? sequence : BinaryPrimitives.ReverseEndianness(sequence));
        Unsafe.WriteUnaligned(frame + TscOffset, BitConverter.IsLittleEndian ? tsc : BinaryPrimitives.ReverseEndianness(tsc));
    }

    /// <summary>
    /// Copies a template (at least 32 bytes) to <paramref name="destination"/> in 16-byte loads and stores, the last
    /// two overlapping the ones before (a 60-byte frame: bytes 0-31 and 28-59). Not memmove: a call in the transmit
    /// loop, with its size dispatch, and the call makes the JIT spill the loop's locals around it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void CopyTemplate(byte[] template, byte* destination)
    {
        var length = (nuint)template.Length;
        Debug.Assert(length >= 32);
        ref var source = ref MemoryMarshal.GetArrayDataReference(template);
        for (nuint offset = 0; offset < length - 32; offset += 16)
        {
            Vector128.LoadUnsafe(ref source, offset).Store(destination + offset);
        }

        var c = Vector128.LoadUnsafe(ref source, length - 32);
        var d = Vector128.LoadUnsafe(ref source, length - 16);
        c.Store(destination + length - 32);
        d.Store(destination + length - 16);
    }

    /// <summary>
    /// Reads the payload header of a received frame and checks the frame against its template: IPv4/UDP, the
    /// magic, a known size and the seeded fill. False: a bad payload (or not one of ours).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryRead(ReadOnlySpan<byte> frame, FrameTemplates templates, out ushort flow, out uint sequence, out ulong tsc)
    {
        flow = 0;
        sequence = 0;
        tsc = 0;
        if (frame.Length < FillOffset
            || BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != (ushort)EtherType.Ipv4
            || frame[EthernetFrame.HeaderLength] != 0x45
            || frame[EthernetFrame.HeaderLength + 9] != (byte)IpProtocol.Udp
            || BinaryPrimitives.ReadUInt16LittleEndian(frame[MagicOffset..]) != Magic)
        {
            return false;
        }

        var template = templates.ForLength(frame.Length);
        if (template is null || !frame[FillOffset..].SequenceEqual(template.AsSpan(FillOffset)))
        {
            return false;
        }

        flow = BinaryPrimitives.ReadUInt16LittleEndian(frame[FlowOffset..]);
        sequence = BinaryPrimitives.ReadUInt32LittleEndian(frame[SequenceOffset..]);
        tsc = BinaryPrimitives.ReadUInt64LittleEndian(frame[TscOffset..]);
        return true;
    }

    /// <summary>
    /// Turns a frame around in place: MAC, IPv4 addresses and UDP ports swapped. The IPv4 and UDP checksums stay
    /// right: a one's-complement sum does not depend on the order of its words. Frames that are not IPv4/UDP
    /// get only their MAC addresses swapped.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Reflect(Span<byte> frame)
    {
        if (!TryReflectPlainUdp(frame))
        {
            ReflectAny(frame);
        }
    }

    /// <summary>
    /// <see cref="Reflect"/> for the frame a reflector nearly always gets: untagged IPv4 with a 20-byte header carrying
    /// UDP. False, the frame untouched, for anything else. One length check covers every byte it reads or writes (the
    /// first <see cref="HeadersLength"/>), and one load tests the EtherType, the IP version and the header length
    /// together. Measured with <c>eng/bench.sh pktgen-steps</c>: the reflector's per-frame loop went from 76
    /// instructions per frame (the general path) to 29 with this, the vector MAC swap and the loop over the slots' span.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TryReflectPlainUdp(Span<byte> frame)
    {
        if (!BitConverter.IsLittleEndian || frame.Length < HeadersLength)
        {
            return false;
        }

        ref var start = ref MemoryMarshal.GetReference(frame);
        // Bytes 12-14 read as a little-endian word: EtherType 0x0800, then version 4 with a 5-word header (0x45).
        if ((Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, 12)) & 0x00FF_FFFF) != 0x0045_0008
            || Unsafe.Add(ref start, EthernetFrame.HeaderLength + 9) != (byte)IpProtocol.Udp)
        {
            return false;
        }

        EthernetFrame.SwapAddresses(frame);
        // The addresses (IP bytes 12-19) and the ports (UDP bytes 0-3), each pair swapped by rotating it by half.
        ref var addresses = ref Unsafe.Add(ref start, EthernetFrame.HeaderLength + 12);
        Unsafe.WriteUnaligned(ref addresses, BitOperations.RotateRight(Unsafe.ReadUnaligned<ulong>(ref addresses), 32));
        ref var ports = ref Unsafe.Add(ref start, EthernetFrame.HeaderLength + Ipv4Packet.MinHeaderLength);
        Unsafe.WriteUnaligned(ref ports, BitOperations.RotateRight(Unsafe.ReadUnaligned<uint>(ref ports), 16));
        return true;
    }

    // Any other frame: IPv4 with options, other protocols, tagged or short frames.
    internal static void ReflectAny(Span<byte> frame)
    {
        if (frame.Length < EthernetFrame.HeaderLength)
        {
            return;
        }

        EthernetFrame.SwapAddresses(frame);
        if (frame.Length < HeadersLength || BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != (ushort)EtherType.Ipv4)
        {
            return;
        }

        var ip = frame[EthernetFrame.HeaderLength..];
        // Source and destination address side by side (bytes 12-19): swapping them rotates those 8 bytes by 4.
        var addresses = ip.Slice(12, 8);
        BinaryPrimitives.WriteUInt64LittleEndian(addresses, BitOperations.RotateRight(BinaryPrimitives.ReadUInt64LittleEndian(addresses), 32));
        var ipHeaderLength = (ip[0] & 0x0F) * 4;
        if (ip[9] != (byte)IpProtocol.Udp || ip.Length < ipHeaderLength + UdpDatagram.HeaderLength)
        {
            return;
        }

        // The two ports likewise: 4 bytes rotated by 2.
        var ports = ip.Slice(ipHeaderLength, 4);
        BinaryPrimitives.WriteUInt32LittleEndian(ports, BitOperations.RotateRight(BinaryPrimitives.ReadUInt32LittleEndian(ports), 16));
    }
}

/// <summary>
/// One prebuilt frame per size (headers, UDP checksum 0, the seeded fill): the transmit path copies one and
/// stamps it; the receive path compares the fill against it. Sizes are with FCS; a template is 4 bytes shorter.
/// </summary>
public sealed class FrameTemplates
{
    private readonly byte[]?[] _byLength = new byte[PacketFormat.MaxFrameSize - PacketFormat.FcsLength + 1][];

    /// <summary>Templates for <paramref name="sizes"/> (the transmit order: a mix repeats it).</summary>
    public FrameTemplates(IReadOnlyList<int> sizes, MacAddress source, MacAddress destination, Ipv4Address sourceIp,
        Ipv4Address destinationIp, ushort destinationPort, ulong seed)
    {
        Sequence = new byte[sizes.Count][];
        for (var i = 0; i < sizes.Count; i++)
        {
            var size = sizes[i];
            if (size is < PacketFormat.MinFrameSize or > PacketFormat.MaxFrameSize)
            {
                throw new ArgumentOutOfRangeException(nameof(sizes), size, $"Frame sizes (with FCS) must be {PacketFormat.MinFrameSize}..{PacketFormat.MaxFrameSize}.");
            }

            var length = size - PacketFormat.FcsLength;
            Sequence[i] = _byLength[length] ??= Build(length, source, destination, sourceIp, destinationIp, destinationPort, seed);
        }
    }

    /// <summary>The templates in transmit order.</summary>
    public byte[][] Sequence { get; }

    /// <summary>The template of frames <paramref name="length"/> bytes long (without FCS), or null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte[]? ForLength(int length) => (uint)length < (uint)_byLength.Length ? _byLength[length] : null;

    /// <summary>Parses <c>64</c>, <c>64,594,1518</c> or <c>imix</c> (7:4:1 of 64, 594 and 1518, interleaved).</summary>
    public static int[] ParseSizes(string text)
    {
        if (text.Equals("imix", StringComparison.OrdinalIgnoreCase))
        {
            // The simple IMIX, spread so that a burst is a mix rather than runs of one size.
            return [64, 594, 64, 1518, 64, 594, 64, 64, 594, 64, 64, 594];
        }

        return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, out var v) ? v : throw new FormatException($"'{s}' is not a frame size (e.g. 64,594,1518 or imix)."))
            .ToArray();
    }

    private static byte[] Build(int length, MacAddress source, MacAddress destination, Ipv4Address sourceIp,
        Ipv4Address destinationIp, ushort destinationPort, ulong seed)
    {
        var frame = new byte[length];
        var l2 = EthernetFrame.WriteHeader(frame, destination, source, EtherType.Ipv4);
        Ipv4Packet.WriteHeader(frame.AsSpan(l2), sourceIp, destinationIp, IpProtocol.Udp, length - l2, identification: 0, ttl: 64,
            dontFragment: true, moreFragments: false, fragmentOffsetBytes: 0, computeChecksum: true);
        var udpLength = length - PacketFormat.UdpSourcePortOffset;
        UdpDatagram.WriteHeader(frame.AsSpan(PacketFormat.UdpSourcePortOffset), sourceIp, destinationIp, 0, destinationPort,
            udpLength - UdpDatagram.HeaderLength, payloadSum: 0, offload: false);
        // No UDP checksum (0, allowed over IPv4 by RFC 768): the source port, sequence and timestamp change per packet,
        // and the payload check below is stronger than the checksum for what this tool looks for.
        frame[PacketFormat.UdpSourcePortOffset + 6] = 0;
        frame[PacketFormat.UdpSourcePortOffset + 7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(PacketFormat.HeadersLength), PacketFormat.Magic);
        // splitmix64 from the seed and the length: the same bytes at both ends, different per size.
        var state = seed ^ ((ulong)length * 0x9E3779B97F4A7C15UL);
        for (var i = PacketFormat.HeadersLength + PacketFormat.PayloadHeaderLength; i < length; i++)
        {
            state += 0x9E3779B97F4A7C15UL;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            frame[i] = (byte)(z ^ (z >> 31));
        }

        return frame;
    }
}
