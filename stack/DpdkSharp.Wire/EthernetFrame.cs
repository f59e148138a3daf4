using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DpdkSharp.Wire;

/// <summary>
/// A parsed Ethernet II frame (the DIX framing of IEEE 802.3 §3.2.6, type interpretation of the
/// length/type field), with up to two VLAN tags (IEEE 802.1Q §9.6 C-TAG, optionally inside an
/// 802.1ad S-TAG). A view over the caller's bytes: nothing is copied.
/// </summary>
public readonly ref struct EthernetFrame
{
    /// <summary>Bytes of an untagged Ethernet II header: two addresses and the EtherType.</summary>
    public const int HeaderLength = 14;
    /// <summary>Bytes one 802.1Q/802.1ad tag adds.</summary>
    public const int TagLength = 4;
    /// <summary>Minimum frame without FCS (IEEE 802.3 §4.4.2: 64 bytes with the 4-byte FCS).</summary>
    public const int MinimumFrameLength = 60;

    /// <summary>The destination address.</summary>
    public MacAddress Destination { get; }
    /// <summary>The source address.</summary>
    public MacAddress Source { get; }
    /// <summary>The EtherType after any VLAN tags.</summary>
    public EtherType EtherType { get; }
    /// <summary>Number of VLAN tags (0, 1 or 2).</summary>
    public int TagCount { get; }
    /// <summary>The innermost tag's VLAN identifier (12 bits); 0 when untagged or priority-tagged.</summary>
    public ushort VlanId { get; }
    /// <summary>The innermost tag's priority code point.</summary>
    public byte Priority { get; }
    /// <summary>Bytes before the payload: 14 plus 4 per tag.</summary>
    public int PayloadOffset { get; }
    /// <summary>Everything after the header, including any padding up to the minimum frame size.</summary>
    public ReadOnlySpan<byte> Payload { get; }

    private EthernetFrame(MacAddress dst, MacAddress src, EtherType type, int tags, ushort vid, byte pcp, int offset, ReadOnlySpan<byte> payload)
    {
        Destination = dst;
        Source = src;
        EtherType = type;
        TagCount = tags;
        VlanId = vid;
        Priority = pcp;
        PayloadOffset = offset;
        Payload = payload;
    }

    /// <summary>Parses the header. False if the frame is too short for its header or uses 802.3 length framing.</summary>
    public static bool TryParse(ReadOnlySpan<byte> frame, out EthernetFrame result)
    {
        result = default;
        if (frame.Length < HeaderLength)
        {
            return false;
        }
        // The untagged header in two overlapping 8-byte loads of its 14 bytes (destination and the source's first two; the
        // source and the type), from a slice of constant length: the JIT proves both in range once, where six reads of
        // two and four bytes were each range-checked.
        var header = frame[..HeaderLength];
        ulong first = BinaryPrimitives.ReadUInt64BigEndian(header);
        ulong second = BinaryPrimitives.ReadUInt64BigEndian(header[6..]);
        var dst = new MacAddress(first >> 16);
        var src = new MacAddress(second >> 16);
        int offset = 12;
        ushort type = (ushort)second;
        int tags = 0;
        ushort tci = 0;
        while (type is (ushort)EtherType.Vlan or (ushort)EtherType.QinQ)
        {
            // More than two tags is legal on the wire but never ours; refuse rather than loop.
            if (tags == 2 || frame.Length < offset + 2 + TagLength)
            {
                return false;
            }
            tci = BinaryPrimitives.ReadUInt16BigEndian(frame[(offset + 2)..]);
            offset += TagLength;
            type = BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]);
            tags++;
        }
        if (type < 0x0600)
        {
            // An IEEE 802.3 length field (LLC/SNAP frames): not Ethernet II.
            return false;
        }
        offset += 2;
        result = new EthernetFrame(dst, src, (EtherType)type, tags, (ushort)(tci & 0x0FFF), (byte)(tci >> 13), offset, frame[offset..]);
        return true;
    }

    /// <summary>
    /// Writes a header; returns its length. A <paramref name="vlanId"/> adds one 802.1Q tag with
    /// priority 0 (the port layer may instead use the device's VLAN insert offload).
    /// </summary>
    public static int WriteHeader(Span<byte> destination, MacAddress dst, MacAddress src, EtherType type, ushort? vlanId = null)
    {
        if (vlanId is null)
        {
            // Every frame the stack sends: the 14 bytes in three stores (destination and the source's first two bytes,
            // the source's last four, the type), range-checked once (the constant-length slice spares the stores theirs).
            var header = destination[..HeaderLength];
            BinaryPrimitives.WriteUInt64BigEndian(header, dst.Value << 16 | src.Value >> 32);
            BinaryPrimitives.WriteUInt32BigEndian(header[8..], (uint)src.Value);
            BinaryPrimitives.WriteUInt16BigEndian(header[12..], (ushort)type);
            return HeaderLength;
        }
        dst.Write(destination);
        src.Write(destination[6..]);
        int offset = 12;
        if (vlanId is ushort vid)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], (ushort)EtherType.Vlan);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], (ushort)(vid & 0x0FFF));
            offset += TagLength;
        }
        BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], (ushort)type);
        return offset + 2;
    }

    /// <summary>Header length for frames written with <see cref="WriteHeader"/>.</summary>
    public static int HeaderLengthFor(ushort? vlanId) => vlanId is null ? HeaderLength : HeaderLength + TagLength;

    /// <summary>
    /// Swaps the destination and source addresses of the frame in <paramref name="frame"/> (what a
    /// reflector does before sending a frame back).
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than 12 bytes.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SwapAddresses(Span<byte> frame)
    {
        if (frame.Length < 12)
        {
            ThrowTooShortToSwap(frame.Length);
        }
        if (Vector128.IsHardwareAccelerated && frame.Length >= Vector128<byte>.Count)
        {
            // A frame's first 16 bytes shuffled in one register (one pshufb on x64, tbl on Arm), as DPDK's macswap
            // does: the two addresses trade places, bytes 12-15 stay where they are.
            ref var start = ref MemoryMarshal.GetReference(frame);
            Vector128.Shuffle(Vector128.LoadUnsafe(ref start), Vector128.Create((byte)6, 7, 8, 9, 10, 11, 0, 1, 2, 3, 4, 5, 12, 13, 14, 15))
                .StoreUnsafe(ref start);
            return;
        }
        // Bytes 0-5 (destination) and 6-11 (source) as one 8-byte and one 4-byte load, put back the other way round:
        // a reflector does this per frame, and six-byte fields copied through MacAddress cost a call and four moves.
        var low = BinaryPrimitives.ReadUInt64LittleEndian(frame);
        var high = BinaryPrimitives.ReadUInt32LittleEndian(frame[8..]);
        var destination = low & 0xFFFF_FFFF_FFFFUL;
        var source = (low >> 48) | ((ulong)high << 16);
        BinaryPrimitives.WriteUInt64LittleEndian(frame, source | (destination << 48));
        BinaryPrimitives.WriteUInt32LittleEndian(frame[8..], (uint)(destination >> 16));
    }

    [DoesNotReturn]
    private static void ThrowTooShortToSwap(int length) =>
        throw new ArgumentException($"An Ethernet header needs {HeaderLength} bytes, got {length}.", "frame");
}
