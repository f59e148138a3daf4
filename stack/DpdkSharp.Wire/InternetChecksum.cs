using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DpdkSharp.Wire;

/// <summary>
/// The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum of
/// the data taken as big-endian 16-bit words.
/// </summary>
/// <remarks>
/// Partial sums are returned as a folded 16-bit value (0..0xFFFF, network word order) so that
/// pieces can be combined with <see cref="Add(uint, uint)"/>: the pseudo-header, the transport
/// header and the payload are summed separately and added. Every piece except the last must start
/// at an even offset of the covered byte stream (RFC 1071 §2(A) - byte-order independence only
/// holds for aligned words), which is always true for the headers of this stack.
/// </remarks>
public static class InternetChecksum
{
    /// <summary>Sums <paramref name="data"/> and adds <paramref name="initial"/> (a folded partial sum).</summary>
    /// <remarks>The words are added as <see cref="Accumulate"/> says, and the total folded once.</remarks>
    public static uint Sum(ReadOnlySpan<byte> data, uint initial = 0) => Add(FoldToNetworkOrder(Words(data)), initial);

    /// <summary>The unfolded sum of <paramref name="data"/>'s words as <see cref="Accumulate"/> adds them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Words(ReadOnlySpan<byte> data)
    {
        ref byte p = ref MemoryMarshal.GetReference(data);
        if (data.Length == 20)
        {
            // An IPv4 header without options, summed twice per packet on the fast path: five loads, no loop.
            return (ulong)Unsafe.ReadUnaligned<uint>(ref p) + Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, 4))
                + Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, 8)) + Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, 12))
                + Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, 16));
        }
        return Accumulate(data, 0);
    }

    /// <summary>
    /// Whether a UDP datagram or TCP segment (<paramref name="transport"/>, its checksum field included) sums to all ones
    /// together with its IPv4 pseudo-header (RFC 768 "Fields", RFC 9293 §3.1 "Checksum"): the receive side's check.
    /// </summary>
    /// <remarks>
    /// The same test as <see cref="Sum"/> of the data seeded with <see cref="PseudoHeaderSum"/>, in one accumulator: the
    /// pseudo-header's three 32-bit words go in as the data's own words do (as a native load of their big-endian bytes
    /// would read them), and the total is folded once rather than each part folded and then added.
    /// <paramref name="transport"/> is shorter than 64 KiB (an IPv4 payload).
    /// </remarks>
    public static bool IsValidWithPseudoHeader(ReadOnlySpan<byte> transport, Ipv4Address source, Ipv4Address destination, IpProtocol protocol)
    {
        return FoldNative(Accumulate(transport, PseudoHeaderWords(source, destination, protocol, transport.Length))) == AllOnes;
    }

    /// <summary>
    /// The IPv4 pseudo-header's three 32-bit words (source, destination, zero-protocol-length), unfolded, each as a native
    /// load of its big-endian bytes reads it: the form <see cref="Accumulate"/> sums data in.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong PseudoHeaderWords(Ipv4Address source, Ipv4Address destination, IpProtocol protocol, int transportLength) =>
        (ulong)AsLoaded(source.Value) + AsLoaded(destination.Value) + AsLoaded((uint)(byte)protocol << 16 | (ushort)transportLength);

    /// <summary>A 32-bit value in network order as a native load of its four big-endian bytes reads it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint AsLoaded(uint value) => BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value;

    /// <summary>
    /// The unfolded sum of <paramref name="data"/>'s native-endian 32-bit halves of 64-bit words (and its tail), added to
    /// <paramref name="seed"/> (below 2^62).
    /// </summary>
    /// <remarks>
    /// RFC 1071 §2(B) (byte order independence) lets us add native-endian words and swap once at
    /// the end; §2(C) (parallel summation) lets us add 32-bit halves of 64-bit loads into a 64-bit
    /// accumulator, which cannot overflow for any span shorter than 2^32 * 8 bytes, and fold
    /// carries once at the end. Four independent 64-bit loads per iteration keep the adder busy.
    /// </remarks>
    private static ulong Accumulate(ReadOnlySpan<byte> data, ulong seed)
    {
        ref byte p = ref MemoryMarshal.GetReference(data);
        ulong acc0 = seed, acc1 = 0;
        nint n = data.Length;
        nint i = 0;
        if (Vector256.IsHardwareAccelerated && n >= 64)
        {
            // A TCP segment's payload is summed on send and verified on receive: the same 32-bit halves
            // into 64-bit lanes, 64 bytes an iteration in two independent accumulators (no cross-lane work
            // until the one horizontal sum at the end; each lane gains < 2^34 an iteration, so no overflow).
            var low = Vector256.Create(0xFFFF_FFFFUL);
            Vector256<ulong> v0 = Vector256<ulong>.Zero, v1 = Vector256<ulong>.Zero;
            for (; i + 64 <= n; i += 64)
            {
                var a = Vector256.LoadUnsafe(ref Unsafe.Add(ref p, i)).AsUInt64();
                var b = Vector256.LoadUnsafe(ref Unsafe.Add(ref p, i + 32)).AsUInt64();
                v0 += (a & low) + (a >> 32);
                v1 += (b & low) + (b >> 32);
            }
            acc0 += Vector256.Sum(v0 + v1);
        }
        for (; i + 32 <= n; i += 32)
        {
            ulong a = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i));
            ulong b = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i + 8));
            ulong c = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i + 16));
            ulong d = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i + 24));
            acc0 += (a & 0xFFFF_FFFF) + (a >> 32) + (b & 0xFFFF_FFFF) + (b >> 32);
            acc1 += (c & 0xFFFF_FFFF) + (c >> 32) + (d & 0xFFFF_FFFF) + (d >> 32);
        }
        for (; i + 8 <= n; i += 8)
        {
            ulong a = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i));
            acc0 += (a & 0xFFFF_FFFF) + (a >> 32);
        }
        if (BitConverter.IsLittleEndian && n >= 8)
        {
            // The last 1-7 bytes in one load: the 8 bytes that end the span, shifted so that its byte i lands in bits 0-7
            // (i is a multiple of 8, so even: the first byte of a word), the bytes before i shifted out and zeros in above
            // (a trailing odd byte becomes a word's first byte with a zero second: RFC 1071 §4.1's padding). The short
            // spans summed per packet (a UDP header and payload, a TCP header, an ICMP message) take this instead of up to
            // three dependent steps of the word-by-word tail below.
            nint rest = n - i;
            if (rest != 0)
            {
                ulong t = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, n - 8)) >> (int)((8 - rest) * 8);
                acc1 += (t & 0xFFFF_FFFF) + (t >> 32);
            }
            return acc0 + acc1;
        }
        if (i + 4 <= n)
        {
            acc1 += Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, i));
            i += 4;
        }
        if (i + 2 <= n)
        {
            acc1 += Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref p, i));
            i += 2;
        }
        if (i < n)
        {
            // A trailing odd byte is the high half of a zero-padded big-endian word (RFC 1071 §4.1).
            ulong last = Unsafe.Add(ref p, i);
            acc1 += BitConverter.IsLittleEndian ? last : last << 8;
        }

        return acc0 + acc1; // both < 2^62 for any realistic span: no overflow
    }

    /// <summary>Folds a 64-bit sum of native-endian words to 16 bits and swaps it to network order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint FoldToNetworkOrder(ulong acc)
    {
        uint s = FoldNative(acc);
        return BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness((ushort)s) : s;
    }

    /// <summary>
    /// Folds a 64-bit sum of native-endian words to 16 bits, in native word order: enough for the receive side's test
    /// against all ones, which reads the same in either byte order (no swap, unlike <see cref="FoldToNetworkOrder"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint FoldNative(ulong acc)
    {
        acc = (acc & 0xFFFF_FFFF) + (acc >> 32);
        acc = (acc & 0xFFFF_FFFF) + (acc >> 32);
        uint s = (uint)acc;
        s = (s & 0xFFFF) + (s >> 16);
        return (s & 0xFFFF) + (s >> 16);
    }

    /// <summary>The folded sum of data that carries a correct checksum (RFC 1071 §1), in either byte order.</summary>
    private const uint AllOnes = 0xFFFF;

    /// <summary>One's complement addition of two folded partial sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Add(uint a, uint b)
    {
        uint s = a + b;
        s = (s & 0xFFFF) + (s >> 16);
        return (s & 0xFFFF) + (s >> 16);
    }

    /// <summary>
    /// Folds an unfolded sum of 16-bit words (anything below 2^32) to a partial sum. Headers we
    /// build are summed from their field values with this instead of being read back from the
    /// buffer: loads that span several just-written smaller stores stall on store forwarding.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Fold(uint sum)
    {
        sum = (sum & 0xFFFF) + (sum >> 16);
        return (sum & 0xFFFF) + (sum >> 16);
    }

    /// <summary>
    /// One's complement subtraction of a folded partial sum: what remains of <paramref name="total"/>
    /// without <paramref name="part"/> (RFC 1624 §3: adding the complement removes a term).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Subtract(uint total, uint part) => Add(total, ~part & 0xFFFF);

    /// <summary>Turns a folded sum into the value to store in a checksum field.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Finish(uint sum) => (ushort)~sum;

    /// <summary>Checksum of <paramref name="data"/> in one step.</summary>
    public static ushort Compute(ReadOnlySpan<byte> data) => Finish(Sum(data));

    /// <summary>
    /// True when data that includes its own checksum field sums to all ones (RFC 1071 §1: the
    /// receiver's sum over the data and the checksum is 0xFFFF when nothing changed).
    /// </summary>
    /// <remarks>The fold is tested as it comes, not swapped to network order nor added to a zero seed as <see cref="Sum"/>'s is.</remarks>
    public static bool IsValid(ReadOnlySpan<byte> dataIncludingChecksum) => FoldNative(Words(dataIncludingChecksum)) == AllOnes;

    /// <summary>
    /// Sum of the IPv4 pseudo-header used by UDP and TCP (RFC 768, "Fields"; RFC 793 §3.1):
    /// source, destination, zero, protocol, transport length.
    /// </summary>
    public static uint PseudoHeaderSum(Ipv4Address source, Ipv4Address destination, IpProtocol protocol, int transportLength) =>
        FoldToNetworkOrder(PseudoHeaderWords(source, destination, protocol, transportLength));
}
