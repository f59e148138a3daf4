namespace DpdkSharp.Stack.Interface;

/// <summary>
/// Limits of reassembly (<see cref="ReassemblyTable{TKey, TSource}"/>; IPv4 today): memory, not
/// slots. Every partial datagram is charged the <see cref="ChunkPool"/> blocks it holds (two for
/// its arrival bitmaps plus one per 1 KiB of data touched), so a 1-fragment datagram of 8 bytes
/// costs 3 KiB and the largest one 66 KiB. Bookkeeping outside the budget: about 0.5 KiB per
/// datagram slot (slots are allocated as datagrams open, at most budget / 3 KiB) and one 64 KiB
/// buffer for the complete datagram being processed.
/// </summary>
public sealed record ReassemblyOptions
{
    /// <summary>
    /// Bytes held by all partial datagrams together (Linux: ipfrag_high_thresh). A fragment that
    /// needs more pushes out the oldest partial datagrams.
    /// </summary>
    public int MaxBufferedBytes { get; init; } = 1 << 20;

    /// <summary>
    /// Bytes one source address may hold (null: a quarter of <see cref="MaxBufferedBytes"/>).
    /// A source at its share pushes out its own oldest datagrams, never another source's, so a
    /// flood from one address cannot starve the others.
    /// </summary>
    public int? MaxBufferedBytesPerSource { get; init; }

    /// <summary>
    /// 0 (the default): as many partial datagrams as <see cref="MaxBufferedBytes"/> holds, the
    /// oldest pushed out under pressure. Above 0: a fixed table of that many, where a fragment of a
    /// new datagram finding it full is refused (<see cref="DropReason.ReassemblyLimit"/>), for
    /// configurations that must bound the count; such a table can be held full by incomplete
    /// datagrams until they time out (#11), which the byte budget alone cannot.
    /// </summary>
    public int MaxDatagrams { get; init; }


    /// <summary>Lifetime of a partial datagram from its first fragment (RFC 1122 §3.3.2 recommends 60-120 s; Linux uses 30 s).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>Outcome of offering one fragment to the reassembler.</summary>
public enum ReassemblyStatus
{
    /// <summary>Kept; the datagram is still incomplete.</summary>
    Buffered,
    /// <summary>The datagram is complete; process it and then call <see cref="Ipv4Reassembler.Release"/>.</summary>
    Complete,
    /// <summary>This fragment was dropped for the returned reason.</summary>
    Dropped,
}

/// <summary>
/// IPv4 fragment reassembly (RFC 791 §3.2 "Fragmentation and Reassembly", RFC 1122 §3.3.2):
/// header checks, the datagram key (source, destination, protocol, identification) and the
/// first fragment's header, over a <see cref="ReassemblyTable{TKey, TSource}"/> that bounds the
/// memory and gives each datagram a <see cref="FragmentBuffer"/>.
/// </summary>
/// <remarks>
/// <para>Overlaps: a fragment that overlaps bytes already received with a different extent
/// abandons the whole datagram (<see cref="DropReason.OverlappingFragment"/>), as Linux does for
/// IPv4 and RFC 5722 requires for IPv6, so a datagram is never put together from bytes no single
/// sender sent (teardrop, overlap rewrites, IDS evasion). A fragment with exactly the extent of one
/// already held is dropped as <see cref="DropReason.DuplicateFragment"/> and the datagram kept
/// (RFC 8200 §4.5 allows it; networks do duplicate packets); its bytes are not compared, the first
/// copy stays. Linux also calls a fragment lying wholly inside received data a duplicate; here it
/// is an overlap, as RFC 5722 reads. A fragment that contradicts the known end is
/// <see cref="DropReason.Malformed"/> (the fragment only).</para>
/// <para>Bounds: see <see cref="ReassemblyTable{TKey, TSource}"/>: a byte budget, a share per
/// source, the oldest pushed out first, no hole limit. A complete datagram is copied into one
/// contiguous buffer and its blocks freed at once; the buffer is lent to the caller until
/// <see cref="Release"/> (nested completions, from a handler that feeds the core, get their own).</para>
/// </remarks>
public sealed class Ipv4Reassembler
{
    /// <summary>Largest payload a datagram can have (65535 minus the minimum header): RFC 791 §3.1 total length.</summary>
    public const int MaxPayload = Ipv4Packet.MaxTotalLength - Ipv4Packet.MinHeaderLength;

    /// <summary>Bytes the smallest partial datagram holds (its bitmaps and one data block).</summary>
    public const int MinDatagramBytes = FragmentBuffer.MinChunks * ChunkPool.ChunkSize;

    private const int FirstHeaderSize = 60 + 8;

    private readonly record struct DatagramKey(Ipv4Address Source, Ipv4Address Destination, IpProtocol Protocol, ushort Identification)
    {
        // Seeded mixing of every field: the sender picks Source and Identification, and a record's linear hash
        // would let it line many datagrams up in one bucket of the index.
        public override int GetHashCode() => HashCode.Combine(Source, Destination, Protocol, Identification);
    }

    /// <summary>A complete datagram lent to the caller.</summary>
    private sealed class Assembly
    {
        public readonly byte[] Data = new byte[MaxPayload];
        public readonly byte[] Header = new byte[60];
        public int HeaderLength;
    }

    private readonly ReassemblyTable<DatagramKey, Ipv4Address> _table;
    // Per slot of the table: the first fragment's header and 8 data bytes (RFC 792 Time Exceeded,
    // RFC 1122 §3.3.2), and the TTL of the fragment that opened the datagram.
    private readonly byte[] _firstHeaders;
    private readonly byte[] _firstLengths;
    private readonly byte[] _firstIpLengths;
    private readonly byte[] _ttls;
    private Assembly?[] _assemblies = new Assembly?[1];
    private int _lent;

    /// <summary>An empty reassembler bounded by <paramref name="options"/>, counting its drops in <paramref name="counters"/>.</summary>
    public Ipv4Reassembler(ReassemblyOptions options, NetCounters counters)
    {
        _table = new ReassemblyTable<DatagramKey, Ipv4Address>(options, counters);
        int slots = _table.Capacity;
        _firstHeaders = new byte[slots * FirstHeaderSize];
        _firstLengths = new byte[slots];
        _firstIpLengths = new byte[slots];
        _ttls = new byte[slots];
    }

    /// <summary>Datagrams being reassembled now.</summary>
    public int InProgress => _table.InProgress;

    /// <summary>Partial datagrams the budget (or <see cref="ReassemblyOptions.MaxDatagrams"/>) allows at once.</summary>
    public int MaxDatagrams => _table.Capacity;

    /// <summary>Bytes held now by partial datagrams (never above <see cref="ReassemblyOptions.MaxBufferedBytes"/>).</summary>
    public int BufferedBytes => _table.BufferedBytes;

    /// <summary>Bytes held now by the partial datagrams from <paramref name="source"/> (never above its share).</summary>
    public int BufferedBytesFrom(Ipv4Address source) => _table.BufferedBytesFrom(source);

    /// <summary>Bytes of blocks allocated so far (never above <see cref="ReassemblyOptions.MaxBufferedBytes"/>).</summary>
    public long AllocatedBytes => _table.AllocatedBytes;

    /// <summary>
    /// Offers one fragment. On <see cref="ReassemblyStatus.Complete"/>, <paramref name="datagram"/>
    /// is the whole payload (valid until <see cref="Release"/>), <paramref name="meta"/> describes
    /// it and <paramref name="slot"/> must be released after processing.
    /// </summary>
    public ReassemblyStatus Accept(in Ipv4Packet fragment, Instant now, out ReadOnlySpan<byte> datagram, out Ipv4Meta meta,
        out int slot, out DropReason reason)
    {
        datagram = default;
        meta = default;
        slot = -1;
        reason = DropReason.Malformed;

        var payload = fragment.Payload;
        int first = fragment.FragmentOffset;
        bool more = fragment.MoreFragments;
        int length = payload.Length;
        // RFC 791 §3.2: every fragment but the last carries a multiple of 8 bytes; an empty
        // fragment or one ending past 65535 (the "ping of death") cannot be part of a datagram.
        if (length == 0 || (more && (length & 7) != 0) || first + length > MaxPayload)
        {
            return ReassemblyStatus.Dropped;
        }

        var key = new DatagramKey(fragment.Source, fragment.Destination, fragment.Protocol, fragment.Identification);
        var status = _table.Offer(in key, key.Source, first, payload, !more, now, out int index, out bool opened, out reason);
        if (status == ReassemblyStatus.Dropped)
        {
            return status;
        }
        if (opened)
        {
            _ttls[index] = fragment.Ttl;
            _firstLengths[index] = 0;
        }
        if (first == 0 && _firstLengths[index] == 0)
        {
            // Kept for the ICMP Time Exceeded of RFC 792 / RFC 1122 §3.3.2 if the datagram times out.
            var keep = _firstHeaders.AsSpan(index * FirstHeaderSize, FirstHeaderSize);
            int n = Math.Min(fragment.HeaderLength + 8, fragment.TotalLength);
            fragment.Header.CopyTo(keep);
            payload[..(n - fragment.HeaderLength)].CopyTo(keep[fragment.HeaderLength..]);
            _firstLengths[index] = (byte)n;
            _firstIpLengths[index] = (byte)fragment.HeaderLength;
        }
        if (status == ReassemblyStatus.Buffered)
        {
            return status;
        }

        // Complete: one contiguous copy for the upper layers, and the blocks go back at once.
        if (_lent == _assemblies.Length)
        {
            Array.Resize(ref _assemblies, _assemblies.Length * 2);
        }
        var a = _assemblies[_lent] ??= new Assembly();
        var buffer = _table[index];
        buffer.CopyTo(a.Data);
        a.HeaderLength = _firstIpLengths[index];
        _firstHeaders.AsSpan(index * FirstHeaderSize, a.HeaderLength).CopyTo(a.Header);
        datagram = a.Data.AsSpan(0, buffer.TotalLength);
        meta = new Ipv4Meta(key.Source, key.Destination, key.Protocol, _ttls[index], Reassembled: true, DestinationIsBroadcastOrMulticast: false);
        _table.Release(index);
        slot = _lent++;
        return ReassemblyStatus.Complete;
    }

    /// <summary>The first fragment's IP header of a complete datagram (to quote in ICMP errors about it).</summary>
    public ReadOnlySpan<byte> GetFirstHeader(int slot) => _assemblies[slot]!.Header.AsSpan(0, _assemblies[slot]!.HeaderLength);

    /// <summary>Ends the loan of a complete datagram once processed (the latest one first).</summary>
    public void Release(int slot)
    {
        if (slot >= 0 && slot == _lent - 1)
        {
            _lent--;
        }
    }

    /// <summary>
    /// Expires the next timed-out datagram, counting it as <see cref="DropReason.ReassemblyTimeout"/>.
    /// <paramref name="firstFragment"/> is its first fragment's header and 8 data bytes when it
    /// arrived (for ICMP Time Exceeded, code 1), else empty. Valid until the next call.
    /// </summary>
    public bool TryExpire(Instant now, out Ipv4Address source, out ReadOnlySpan<byte> firstFragment)
    {
        int index = _table.Expired(now);
        if (index < 0)
        {
            source = default;
            firstFragment = default;
            return false;
        }
        source = _table.KeyOf(index).Source;
        // The slot's bytes stay as they are until a fragment opens a datagram in it.
        firstFragment = _firstHeaders.AsSpan(index * FirstHeaderSize, _firstLengths[index]);
        _table.Drop(index, DropReason.ReassemblyTimeout);
        return true;
    }

    /// <summary>The earliest deadline of a datagram in progress, or <see cref="Instant.Never"/>.</summary>
    public Instant NextDeadline() => _table.NextDeadline();

    /// <summary>No later than the earliest timeout (exact after <see cref="NextDeadline"/>): until then there is nothing to expire.</summary>
    public Instant EarliestDeadline => _table.EarliestDeadline;
}
