using System.Buffers.Binary;

namespace DpdkSharp.Wire;

/// <summary>A SACK block: the received range [<see cref="Left"/>, <see cref="Right"/>) (RFC 2018 §3).</summary>
public readonly record struct SackBlock(SequenceNumber Left, SequenceNumber Right);

/// <summary>
/// The TCP options this stack understands, parsed from a segment or to be written into one:
/// MSS (RFC 9293 §3.7.1), window scale and timestamps (RFC 7323 §2, §3), SACK-permitted and SACK
/// blocks (RFC 2018). Unknown options are skipped by their length.
/// </summary>
public struct TcpOptions
{
    /// <summary>End of option list (kind 0).</summary>
    public const byte KindEnd = 0;
    /// <summary>No operation (kind 1).</summary>
    public const byte KindNop = 1;
    /// <summary>Maximum segment size (kind 2, length 4).</summary>
    public const byte KindMss = 2;
    /// <summary>Window scale (kind 3, length 3).</summary>
    public const byte KindWindowScale = 3;
    /// <summary>SACK permitted (kind 4, length 2).</summary>
    public const byte KindSackPermitted = 4;
    /// <summary>SACK (kind 5, length 2 + 8 per block).</summary>
    public const byte KindSack = 5;
    /// <summary>Timestamps (kind 8, length 10).</summary>
    public const byte KindTimestamps = 8;
    /// <summary>Most SACK blocks an option carries (40 option bytes: 4 blocks, RFC 2018 §3).</summary>
    public const int MaxSackBlocks = 4;
    /// <summary>Largest window shift (RFC 7323 §2.3: a larger one is used as 14).</summary>
    public const int MaxWindowScale = 14;

    private SackBlocks _sack;

    /// <summary>The MSS option's value, if present.</summary>
    public ushort? Mss { get; set; }
    /// <summary>The window scale shift, if present (clamped to <see cref="MaxWindowScale"/>).</summary>
    public byte? WindowScale { get; set; }
    /// <summary>Whether SACK-permitted is present.</summary>
    public bool SackPermitted { get; set; }
    /// <summary>The timestamps option (TSval, TSecr), if present.</summary>
    public (uint Value, uint EchoReply)? Timestamps { get; set; }
    /// <summary>How many SACK blocks are held.</summary>
    public int SackBlockCount { get; private set; }

    /// <summary>SACK block <paramref name="index"/> (0 .. <see cref="SackBlockCount"/> - 1).</summary>
    public readonly SackBlock GetSackBlock(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)SackBlockCount, nameof(index));
        return _sack[index];
    }

    /// <summary>Adds a SACK block to write; false when <see cref="MaxSackBlocks"/> are held.</summary>
    public bool AddSackBlock(SackBlock block)
    {
        if (SackBlockCount == MaxSackBlocks)
        {
            return false;
        }
        _sack[SackBlockCount++] = block;
        return true;
    }

    /// <summary>
    /// Parses option bytes. False on a malformed list: a length below 2, past the end, or not the
    /// fixed length of a known kind (RFC 9293 §3.1 and RFC 1122 §4.2.2.5: a TCP must handle an
    /// illegal option length without crashing; the caller drops the segment). Options after
    /// End-of-List are not read; unknown kinds are skipped by their length.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> options, out TcpOptions parsed)
    {
        parsed = default;
        int i = 0;
        while (i < options.Length)
        {
            byte kind = options[i];
            if (kind == KindEnd)
            {
                return true;
            }
            if (kind == KindNop)
            {
                i++;
                continue;
            }
            if (i + 1 >= options.Length)
            {
                return false;
            }
            int length = options[i + 1];
            if (length < 2 || i + length > options.Length)
            {
                return false;
            }
            var body = options.Slice(i + 2, length - 2);
            switch (kind)
            {
                case KindMss when length == 4:
                    parsed.Mss = BinaryPrimitives.ReadUInt16BigEndian(body);
                    break;
                case KindWindowScale when length == 3:
                    parsed.WindowScale = Math.Min(body[0], (byte)MaxWindowScale);
                    break;
                case KindSackPermitted when length == 2:
                    parsed.SackPermitted = true;
                    break;
                case KindTimestamps when length == 10:
                    parsed.Timestamps = (BinaryPrimitives.ReadUInt32BigEndian(body), BinaryPrimitives.ReadUInt32BigEndian(body[4..]));
                    break;
                case KindSack when (length - 2) % 8 == 0 && length > 2:
                    parsed.SackBlockCount = 0;
                    for (int b = 0; b + 8 <= body.Length && parsed.SackBlockCount < MaxSackBlocks; b += 8)
                    {
                        parsed.AddSackBlock(new SackBlock(new SequenceNumber(BinaryPrimitives.ReadUInt32BigEndian(body[b..])),
                            new SequenceNumber(BinaryPrimitives.ReadUInt32BigEndian(body[(b + 4)..]))));
                    }
                    break;
                case KindMss or KindWindowScale or KindSackPermitted or KindTimestamps or KindSack:
                    return false; // a known kind with the wrong length
            }
            i += length;
        }
        return true;
    }

    /// <summary>
    /// Writes the options held, in the order Linux sends them (MSS, SACK-permitted with timestamps,
    /// window scale, SACK blocks), NOP-padded to a multiple of 4. Returns the bytes written; what
    /// does not fit in 40 bytes (SACK blocks beyond the room left) is left out.
    /// </summary>
    public readonly int Write(Span<byte> destination)
    {
        int n = 0;
        if (Mss is ushort mss)
        {
            destination[n] = KindMss;
            destination[n + 1] = 4;
            BinaryPrimitives.WriteUInt16BigEndian(destination[(n + 2)..], mss);
            n += 4;
        }
        if (Timestamps is var (value, echo))
        {
            if (SackPermitted)
            {
                destination[n++] = KindSackPermitted;
                destination[n++] = 2;
            }
            else
            {
                destination[n++] = KindNop;
                destination[n++] = KindNop;
            }
            destination[n] = KindTimestamps;
            destination[n + 1] = 10;
            BinaryPrimitives.WriteUInt32BigEndian(destination[(n + 2)..], value);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(n + 6)..], echo);
            n += 10;
        }
        else if (SackPermitted)
        {
            destination[n++] = KindNop;
            destination[n++] = KindNop;
            destination[n++] = KindSackPermitted;
            destination[n++] = 2;
        }
        if (WindowScale is byte shift)
        {
            destination[n++] = KindNop;
            destination[n++] = KindWindowScale;
            destination[n++] = 3;
            destination[n++] = shift;
        }
        int blocks = Math.Min(SackBlockCount, (TcpSegment.MaxHeaderLength - TcpSegment.MinHeaderLength - n - 4) / 8);
        if (blocks > 0)
        {
            destination[n++] = KindNop;
            destination[n++] = KindNop;
            destination[n++] = KindSack;
            destination[n++] = (byte)(2 + 8 * blocks);
            for (int b = 0; b < blocks; b++)
            {
                BinaryPrimitives.WriteUInt32BigEndian(destination[n..], _sack[b].Left.Value);
                BinaryPrimitives.WriteUInt32BigEndian(destination[(n + 4)..], _sack[b].Right.Value);
                n += 8;
            }
        }
        while ((n & 3) != 0)
        {
            destination[n++] = KindNop;
        }
        return n;
    }

    [System.Runtime.CompilerServices.InlineArray(MaxSackBlocks)]
    private struct SackBlocks
    {
        private SackBlock _first;
    }
}
