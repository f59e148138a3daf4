namespace DpdkSharp.Stack.Interface;

/// <summary>
/// Limits of IPv4 reassembly: memory, not slots. Every partial datagram is charged the
/// <see cref="ChunkPool"/> blocks it holds (two for its arrival bitmaps plus one per 1 KiB of data
/// touched), so a 1-fragment datagram of 8 bytes costs 3 KiB and the largest one 66 KiB.
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

    /// <summary>
    /// Not used since #11: holes are the gaps of a bitmap and cost nothing, so there is no hole
    /// limit (a valid datagram of 8-byte fragments in any order reassembles). Kept so existing
    /// configurations compile.
    /// </summary>
    public int MaxHoles { get; init; }

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
/// IPv4 fragment reassembly (RFC 791 §3.2 "Fragmentation and Reassembly", RFC 1122 §3.3.2).
/// Datagrams are identified by (source, destination, protocol, identification); each is a
/// <see cref="FragmentBuffer"/> over a shared <see cref="ChunkPool"/> sized by the byte budget.
/// </summary>
/// <remarks>
/// <para>Overlaps: a fragment that overlaps bytes already received with a different extent
/// abandons the whole datagram (<see cref="DropReason.OverlappingFragment"/>), as Linux does for
/// IPv4 and RFC 5722 requires for IPv6, so a datagram is never put together from bytes no single
/// sender sent (teardrop, overlap rewrites, IDS evasion). A fragment with exactly the extent of one
/// already held is dropped as <see cref="DropReason.DuplicateFragment"/> and the datagram kept
/// (RFC 8200 §4.5 allows it; networks do duplicate packets); its bytes are not compared, the first
/// copy stays. A fragment that contradicts the known end is <see cref="DropReason.Malformed"/>.</para>
/// <para>Bounds: all partial datagrams hold at most <see cref="ReassemblyOptions.MaxBufferedBytes"/>,
/// one source at most its share. A fragment that needs more pushes out the oldest partial
/// datagrams (its source's own first when the source is at its share), each counted as
/// <see cref="DropReason.ReassemblyLimit"/> in <see cref="DropStage.Buffered"/>; a datagram that
/// cannot fit even alone is given up. So a flood of incomplete datagrams cannot lock new ones
/// out: it only ages out itself. Blocks and descriptors are allocated on first use and reused:
/// nothing is allocated per fragment once warm.</para>
/// </remarks>
public sealed class Ipv4Reassembler
{
    /// <summary>Largest payload a datagram can have (65535 minus the minimum header): RFC 791 §3.1 total length.</summary>
    public const int MaxPayload = Ipv4Packet.MaxTotalLength - Ipv4Packet.MinHeaderLength;

    /// <summary>Bytes the smallest partial datagram holds (its bitmaps and one data block).</summary>
    public const int MinDatagramBytes = (FragmentBuffer.MapChunks + 1) * ChunkPool.ChunkSize;

    private readonly record struct DatagramKey(Ipv4Address Source, Ipv4Address Destination, IpProtocol Protocol, ushort Identification);

    private sealed class Datagram(ChunkPool pool)
    {
        public readonly FragmentBuffer Buffer = new(pool);
        public DatagramKey Key;
        public Instant Deadline;
        public byte Ttl;
        public bool InUse;
        // Age list (oldest first, which is also earliest deadline first: one timeout for all).
        public int Older = -1, Newer = -1;
        public readonly byte[] FirstHeader = new byte[60 + 8];
        public int FirstHeaderLength;
        public int FirstIpHeaderLength;
    }

    private readonly NetCounters _counters;
    private readonly TimeSpan _timeout;
    private readonly ChunkPool _pool;
    private readonly int _sourceChunks;
    private readonly bool _fixedTable;
    private readonly Datagram?[] _datagrams;
    private readonly int[] _free;
    private int _freeCount;
    private int _created;
    private readonly Dictionary<DatagramKey, int> _index;
    private readonly Dictionary<Ipv4Address, int> _chunksBySource;
    private int _oldest = -1, _newest = -1;
    private int _inUse;
    private byte[]? _assembly;
    private Instant _earliest = Instant.Never;

    public Ipv4Reassembler(ReassemblyOptions options, NetCounters counters)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBufferedBytes, MinDatagramBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxDatagrams);
        int perSource = options.MaxBufferedBytesPerSource ?? options.MaxBufferedBytes / 4;
        ArgumentOutOfRangeException.ThrowIfLessThan(perSource, MinDatagramBytes);
        _counters = counters;
        _timeout = options.Timeout;
        _pool = new ChunkPool(options.MaxBufferedBytes);
        _sourceChunks = Math.Min(perSource, options.MaxBufferedBytes) / ChunkPool.ChunkSize;
        int fit = _pool.Capacity / (FragmentBuffer.MapChunks + 1);
        int max = options.MaxDatagrams == 0 ? fit : Math.Min(options.MaxDatagrams, fit);
        _fixedTable = options.MaxDatagrams > 0;
        _datagrams = new Datagram?[max];
        _free = new int[max];
        _index = new Dictionary<DatagramKey, int>(max);
        _chunksBySource = new Dictionary<Ipv4Address, int>(max);
    }

    /// <summary>Datagrams being reassembled now.</summary>
    public int InProgress => _inUse;

    /// <summary>Partial datagrams the budget (or <see cref="ReassemblyOptions.MaxDatagrams"/>) allows at once.</summary>
    public int MaxDatagrams => _datagrams.Length;

    /// <summary>Bytes held now by partial datagrams (never above <see cref="ReassemblyOptions.MaxBufferedBytes"/>).</summary>
    public int BufferedBytes => _pool.InUse * ChunkPool.ChunkSize;

    /// <summary>Bytes held now by the partial datagrams from <paramref name="source"/> (never above its share).</summary>
    public int BufferedBytesFrom(Ipv4Address source) =>
        _chunksBySource.TryGetValue(source, out int chunks) ? chunks * ChunkPool.ChunkSize : 0;

    /// <summary>Bytes of blocks allocated so far (never above <see cref="ReassemblyOptions.MaxBufferedBytes"/>).</summary>
    public long AllocatedBytes => _pool.AllocatedBytes;

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
        FragmentFit fit;
        int need;
        if (_index.TryGetValue(key, out int index))
        {
            fit = _datagrams[index]!.Buffer.Check(first, length, !more, out need);
            switch (fit)
            {
                case FragmentFit.Inconsistent:
                    return ReassemblyStatus.Dropped; // past the announced end, or a second, different end
                case FragmentFit.Duplicate:
                    reason = DropReason.DuplicateFragment;
                    return ReassemblyStatus.Dropped;
                case FragmentFit.Overlap:
                    // RFC 5722 §4 (for IPv6; Linux does the same for IPv4): abandon the whole datagram.
                    Abandon(index, DropReason.OverlappingFragment);
                    reason = DropReason.OverlappingFragment;
                    return ReassemblyStatus.Dropped;
            }
        }
        else
        {
            index = -1;
            fit = FragmentFit.New;
            need = FragmentBuffer.ChunksForFirst(first, length);
            if (_inUse == _datagrams.Length)
            {
                if (_fixedTable)
                {
                    reason = DropReason.ReassemblyLimit;
                    return ReassemblyStatus.Dropped;
                }
                Evict(_oldest);
            }
        }

        if (need > 0 && !MakeRoom(key.Source, index, need))
        {
            // This datagram cannot fit even alone in its source's share: it can never finish.
            if (index >= 0)
            {
                Abandon(index, DropReason.ReassemblyLimit);
            }
            reason = DropReason.ReassemblyLimit;
            return ReassemblyStatus.Dropped;
        }
        if (index < 0)
        {
            index = Open(key, fragment.Ttl, now);
        }
        var d = _datagrams[index]!;
        if (fit == FragmentFit.EndOnly)
        {
            d.Buffer.SetEnd(first + length);
        }
        else
        {
            int before = d.Buffer.ChunksHeld;
            d.Buffer.Add(first, payload, !more);
            ChargeSource(key.Source, d.Buffer.ChunksHeld - before);
        }
        if (first == 0 && d.FirstHeaderLength == 0)
        {
            // Kept for the ICMP Time Exceeded of RFC 792 / RFC 1122 §3.3.2 if the datagram times out.
            int n = Math.Min(fragment.HeaderLength + 8, fragment.TotalLength);
            fragment.Header.CopyTo(d.FirstHeader);
            payload[..(n - fragment.HeaderLength)].CopyTo(d.FirstHeader.AsSpan(fragment.HeaderLength));
            d.FirstHeaderLength = n;
            d.FirstIpHeaderLength = fragment.HeaderLength;
        }

        if (!d.Buffer.IsComplete)
        {
            return ReassemblyStatus.Buffered;
        }
        // One contiguous copy for the upper layers, valid until Release (processing is synchronous).
        _assembly ??= new byte[MaxPayload];
        d.Buffer.CopyTo(_assembly);
        datagram = _assembly.AsSpan(0, d.Buffer.TotalLength);
        meta = new Ipv4Meta(d.Key.Source, d.Key.Destination, d.Key.Protocol, d.Ttl, Reassembled: true, DestinationIsBroadcastOrMulticast: false);
        slot = index;
        return ReassemblyStatus.Complete;
    }

    /// <summary>The first fragment's IP header of a complete datagram (to quote in ICMP errors about it).</summary>
    public ReadOnlySpan<byte> GetFirstHeader(int slot) => _datagrams[slot]!.FirstHeader.AsSpan(0, _datagrams[slot]!.FirstIpHeaderLength);

    /// <summary>Frees a slot after its complete datagram was processed.</summary>
    public void Release(int slot)
    {
        var d = _datagrams[slot];
        if (d is null || !d.InUse)
        {
            return;
        }
        d.InUse = false;
        _index.Remove(d.Key);
        ChargeSource(d.Key.Source, -d.Buffer.ChunksHeld);
        d.Buffer.Clear();
        // Out of the age list.
        if (d.Older >= 0)
        {
            _datagrams[d.Older]!.Newer = d.Newer;
        }
        else
        {
            _oldest = d.Newer;
        }
        if (d.Newer >= 0)
        {
            _datagrams[d.Newer]!.Older = d.Older;
        }
        else
        {
            _newest = d.Older;
        }
        d.Older = d.Newer = -1;
        _free[_freeCount++] = slot;
        _inUse--;
    }

    /// <summary>
    /// Expires the next timed-out datagram, counting it as <see cref="DropReason.ReassemblyTimeout"/>.
    /// <paramref name="firstFragment"/> is its first fragment's header and 8 data bytes when it
    /// arrived (for ICMP Time Exceeded, code 1), else empty. Valid until the next call.
    /// </summary>
    public bool TryExpire(Instant now, out Ipv4Address source, out ReadOnlySpan<byte> firstFragment)
    {
        if (_oldest >= 0 && now >= _datagrams[_oldest]!.Deadline)
        {
            var d = _datagrams[_oldest]!;
            source = d.Key.Source;
            firstFragment = d.FirstHeader.AsSpan(0, d.FirstHeaderLength);
            Abandon(_oldest, DropReason.ReassemblyTimeout);
            return true;
        }
        source = default;
        firstFragment = default;
        return false;
    }

    /// <summary>The earliest deadline of a datagram in progress, or <see cref="Instant.Never"/>.</summary>
    public Instant NextDeadline()
    {
        _earliest = _oldest >= 0 ? _datagrams[_oldest]!.Deadline : Instant.Never;
        return _earliest;
    }

    /// <summary>No later than the earliest timeout (exact after <see cref="NextDeadline"/>): until then there is nothing to expire.</summary>
    public Instant EarliestDeadline => _earliest;

    /// <summary>
    /// Frees blocks until <paramref name="need"/> more fit, pushing out the oldest datagrams other
    /// than <paramref name="keep"/>: the source's own while it is at its share, then anyone's
    /// while the budget is. False when the datagram cannot fit even alone.
    /// </summary>
    private bool MakeRoom(Ipv4Address source, int keep, int need)
    {
        int own = keep >= 0 ? _datagrams[keep]!.Buffer.ChunksHeld : 0;
        if (own + need > _sourceChunks)
        {
            return false;
        }
        while (SourceChunks(source) + need > _sourceChunks)
        {
            int victim = _oldest;
            while (victim == keep || _datagrams[victim]!.Key.Source != source)
            {
                victim = _datagrams[victim]!.Newer; // one exists: the source holds more than keep
            }
            Evict(victim);
        }
        while (_pool.Available < need)
        {
            Evict(_oldest == keep ? _datagrams[_oldest]!.Newer : _oldest);
        }
        return true;
    }

    private int SourceChunks(Ipv4Address source) => _chunksBySource.TryGetValue(source, out int chunks) ? chunks : 0;

    private void ChargeSource(Ipv4Address source, int chunks)
    {
        if (chunks == 0)
        {
            return;
        }
        int total = SourceChunks(source) + chunks;
        if (total == 0)
        {
            _chunksBySource.Remove(source);
        }
        else
        {
            _chunksBySource[source] = total;
        }
    }

    private int Open(DatagramKey key, byte ttl, Instant now)
    {
        int index;
        if (_freeCount > 0)
        {
            index = _free[--_freeCount];
        }
        else
        {
            index = _created++;
            _datagrams[index] = new Datagram(_pool);
        }
        var d = _datagrams[index]!;
        d.InUse = true;
        d.Key = key;
        d.Ttl = ttl;
        d.Deadline = now + _timeout;
        d.FirstHeaderLength = 0;
        d.FirstIpHeaderLength = 0;
        _earliest = Instant.Min(_earliest, d.Deadline);
        _index.Add(key, index);
        // Into the age list, kept in deadline order (appending, unless the caller's clock stepped back).
        int older = _newest;
        while (older >= 0 && _datagrams[older]!.Deadline > d.Deadline)
        {
            older = _datagrams[older]!.Older;
        }
        int newer = older >= 0 ? _datagrams[older]!.Newer : _oldest;
        d.Older = older;
        d.Newer = newer;
        if (older >= 0)
        {
            _datagrams[older]!.Newer = index;
        }
        else
        {
            _oldest = index;
        }
        if (newer >= 0)
        {
            _datagrams[newer]!.Older = index;
        }
        else
        {
            _newest = index;
        }
        _inUse++;
        return index;
    }

    /// <summary>Pushes out a partial datagram to make room for newer data.</summary>
    private void Evict(int index) => Abandon(index, DropReason.ReassemblyLimit);

    private void Abandon(int index, DropReason reason)
    {
        _counters.CountDrop(reason, DropStage.Buffered);
        Release(index);
    }
}
