using System.Runtime.InteropServices;

namespace DpdkSharp.Stack.Interface;

/// <summary>
/// Partial datagrams of one protocol, bounded by memory: the bookkeeping shared by IPv4
/// (<see cref="Ipv4Reassembler"/>) and, with its own key, IPv6 (RFC 8200 §4.5). Each datagram is
/// a <see cref="FragmentBuffer"/> over one <see cref="ChunkPool"/> sized by
/// <see cref="ReassemblyOptions.MaxBufferedBytes"/>; the protocol layer validates headers and
/// keeps what it needs per slot (a first header, a TTL) in arrays indexed like the slots.
/// </summary>
/// <remarks>
/// <para>Bounds: all datagrams hold at most the budget, the datagrams of one source at most its
/// share. A fragment that needs more pushes out the oldest datagrams (its source's own while the
/// source is at its share, then anyone's), each counted as <see cref="DropReason.ReassemblyLimit"/>
/// in <see cref="DropStage.Buffered"/>; a datagram that cannot fit even alone is given up. A
/// flood of incomplete datagrams therefore only ages itself out and cannot lock new datagrams
/// out (#11); to push out a datagram in progress an attacker must send, after it, more than the
/// budget (or, from its own address, more than its share, which pushes out only its own).</para>
/// <para>Cost per fragment: a dictionary lookup, work proportional to the fragment's length in
/// the bitmaps, and O(1) per datagram pushed out (one age list over all datagrams, oldest
/// first, which is also earliest deadline first since all share one timeout, and one per
/// source). Slots, blocks and dictionary entries are allocated on first use and reused.</para>
/// </remarks>
public sealed class ReassemblyTable<TKey, TSource>
    where TKey : struct, IEquatable<TKey>
    where TSource : struct, IEquatable<TSource>
{
    private sealed class Entry(ChunkPool pool)
    {
        public readonly FragmentBuffer Buffer = new(pool);
        public TKey Key;
        public TSource Source;
        public Instant Deadline;
        public bool InUse;
        public int Older = -1, Newer = -1;
        public int SourceOlder = -1, SourceNewer = -1;
    }

    private struct SourceState
    {
        public int Chunks;
        public int Oldest, Newest;
    }

    private readonly NetCounters _counters;
    private readonly TimeSpan _timeout;
    private readonly ChunkPool _pool;
    private readonly int _sourceChunks;
    private readonly bool _fixedTable;
    private readonly Entry?[] _entries;
    private readonly int[] _free;
    private int _freeCount;
    private int _created;
    private readonly Dictionary<TKey, int> _index;
    private readonly Dictionary<TSource, SourceState> _sources;
    private int _oldest = -1, _newest = -1;
    private int _inUse;
    private Instant _earliest = Instant.Never;

    /// <summary>An empty table bounded by <paramref name="options"/>, counting its drops in <paramref name="counters"/>.</summary>
    public ReassemblyTable(ReassemblyOptions options, NetCounters counters)
    {
        const int minBytes = FragmentBuffer.MinChunks * ChunkPool.ChunkSize;
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBufferedBytes, minBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxDatagrams);
        int perSource = options.MaxBufferedBytesPerSource ?? options.MaxBufferedBytes / 4;
        ArgumentOutOfRangeException.ThrowIfLessThan(perSource, minBytes);
        _counters = counters;
        _timeout = options.Timeout;
        _pool = new ChunkPool(options.MaxBufferedBytes);
        _sourceChunks = Math.Min(perSource, options.MaxBufferedBytes) / ChunkPool.ChunkSize;
        int fit = _pool.Capacity / FragmentBuffer.MinChunks;
        int max = options.MaxDatagrams == 0 ? fit : Math.Min(options.MaxDatagrams, fit);
        _fixedTable = options.MaxDatagrams > 0;
        _entries = new Entry?[max];
        _free = new int[max];
        _index = new Dictionary<TKey, int>(max);
        _sources = new Dictionary<TSource, SourceState>(max);
    }

    /// <summary>Datagrams in progress.</summary>
    public int InProgress => _inUse;

    /// <summary>Datagrams the budget (or <see cref="ReassemblyOptions.MaxDatagrams"/>) allows at once; slots are 0 to this minus one.</summary>
    public int Capacity => _entries.Length;

    /// <summary>Bytes held now (never above <see cref="ReassemblyOptions.MaxBufferedBytes"/>).</summary>
    public int BufferedBytes => _pool.InUse * ChunkPool.ChunkSize;

    /// <summary>Bytes held now by the datagrams of <paramref name="source"/> (never above its share).</summary>
    public int BufferedBytesFrom(TSource source) =>
        _sources.TryGetValue(source, out var state) ? state.Chunks * ChunkPool.ChunkSize : 0;

    /// <summary>Bytes of blocks allocated so far (never above the budget).</summary>
    public long AllocatedBytes => _pool.AllocatedBytes;

    /// <summary>The data of the datagram in <paramref name="slot"/>.</summary>
    public FragmentBuffer this[int slot] => _entries[slot]!.Buffer;

    /// <summary>The key of the datagram in <paramref name="slot"/>.</summary>
    public ref readonly TKey KeyOf(int slot) => ref _entries[slot]!.Key;

    /// <summary>
    /// Offers the fragment [<paramref name="offset"/>, + data) of datagram <paramref name="key"/>
    /// from <paramref name="source"/>. Buffered or Complete: <paramref name="slot"/> holds it
    /// (<paramref name="opened"/> when this fragment started the datagram); a Complete datagram
    /// stays until <see cref="Release"/>. Dropped: the reason; an overlap or a datagram that cannot
    /// fit also gives the datagram up.
    /// </summary>
    public ReassemblyStatus Offer(in TKey key, TSource source, int offset, ReadOnlySpan<byte> data, bool last, Instant now,
        out int slot, out bool opened, out DropReason reason)
    {
        opened = false;
        reason = DropReason.Malformed;
        FragmentFit fit;
        int need;
        if (_index.TryGetValue(key, out slot))
        {
            fit = _entries[slot]!.Buffer.Check(offset, data.Length, last, out need);
            switch (fit)
            {
                case FragmentFit.Inconsistent:
                    slot = -1;
                    return ReassemblyStatus.Dropped; // past the announced end, or a second, different end
                case FragmentFit.Duplicate:
                    slot = -1;
                    reason = DropReason.DuplicateFragment;
                    return ReassemblyStatus.Dropped;
                case FragmentFit.Overlap:
                    // RFC 5722 §4 (IPv6; Linux does the same for IPv4): abandon the whole datagram.
                    Drop(slot, DropReason.OverlappingFragment);
                    slot = -1;
                    reason = DropReason.OverlappingFragment;
                    return ReassemblyStatus.Dropped;
            }
        }
        else
        {
            slot = -1;
            fit = FragmentFit.New;
            need = FragmentBuffer.ChunksForFirst(offset, data.Length);
            if (_inUse == _entries.Length)
            {
                if (_fixedTable)
                {
                    reason = DropReason.ReassemblyLimit;
                    return ReassemblyStatus.Dropped;
                }
                Drop(_oldest, DropReason.ReassemblyLimit);
            }
        }

        if (need > 0 && !MakeRoom(source, slot, need))
        {
            // The datagram cannot fit even alone in its source's share: it can never finish.
            if (slot >= 0)
            {
                Drop(slot, DropReason.ReassemblyLimit);
                slot = -1;
            }
            reason = DropReason.ReassemblyLimit;
            return ReassemblyStatus.Dropped;
        }
        if (slot < 0)
        {
            slot = Open(key, source, now);
            opened = true;
        }
        var e = _entries[slot]!;
        if (fit == FragmentFit.EndOnly)
        {
            e.Buffer.SetEnd(offset + data.Length);
        }
        else
        {
            int before = e.Buffer.ChunksHeld;
            e.Buffer.Add(offset, data, last);
            CollectionsMarshal.GetValueRefOrNullRef(_sources, source).Chunks += e.Buffer.ChunksHeld - before;
        }
        return e.Buffer.IsComplete ? ReassemblyStatus.Complete : ReassemblyStatus.Buffered;
    }

    /// <summary>Frees a slot (a complete datagram once processed; a no-op for a free slot).</summary>
    public void Release(int slot)
    {
        var e = _entries[slot];
        if (e is null || !e.InUse)
        {
            return;
        }
        e.InUse = false;
        _index.Remove(e.Key);
        ref var state = ref CollectionsMarshal.GetValueRefOrNullRef(_sources, e.Source);
        state.Chunks -= e.Buffer.ChunksHeld;
        e.Buffer.Clear();
        if (e.SourceOlder >= 0)
        {
            _entries[e.SourceOlder]!.SourceNewer = e.SourceNewer;
        }
        else
        {
            state.Oldest = e.SourceNewer;
        }
        if (e.SourceNewer >= 0)
        {
            _entries[e.SourceNewer]!.SourceOlder = e.SourceOlder;
        }
        else
        {
            state.Newest = e.SourceOlder;
        }
        if (state.Oldest < 0)
        {
            _sources.Remove(e.Source);
        }
        if (e.Older >= 0)
        {
            _entries[e.Older]!.Newer = e.Newer;
        }
        else
        {
            _oldest = e.Newer;
        }
        if (e.Newer >= 0)
        {
            _entries[e.Newer]!.Older = e.Older;
        }
        else
        {
            _newest = e.Older;
        }
        e.Older = e.Newer = e.SourceOlder = e.SourceNewer = -1;
        _free[_freeCount++] = slot;
        _inUse--;
    }

    /// <summary>Gives a datagram up, counting it under <paramref name="reason"/> in <see cref="DropStage.Buffered"/>.</summary>
    public void Drop(int slot, DropReason reason)
    {
        _counters.CountDrop(reason, DropStage.Buffered);
        Release(slot);
    }

    /// <summary>The slot of the oldest datagram if its deadline has passed at <paramref name="now"/>, else -1 (then <see cref="Drop"/> it).</summary>
    public int Expired(Instant now) => _oldest >= 0 && now >= _entries[_oldest]!.Deadline ? _oldest : -1;

    /// <summary>The earliest deadline of a datagram in progress, or <see cref="Instant.Never"/>.</summary>
    public Instant NextDeadline()
    {
        _earliest = _oldest >= 0 ? _entries[_oldest]!.Deadline : Instant.Never;
        return _earliest;
    }

    /// <summary>No later than the earliest deadline (exact after <see cref="NextDeadline"/>).</summary>
    public Instant EarliestDeadline => _earliest;

    /// <summary>
    /// Frees blocks until <paramref name="need"/> more fit, pushing out the oldest datagrams other
    /// than <paramref name="keep"/>: the source's own while it is at its share, then anyone's
    /// while the budget is. False when the datagram cannot fit even alone.
    /// </summary>
    private bool MakeRoom(TSource source, int keep, int need)
    {
        int own = keep >= 0 ? _entries[keep]!.Buffer.ChunksHeld : 0;
        if (own + need > _sourceChunks)
        {
            return false;
        }
        while (_sources.TryGetValue(source, out var state) && state.Chunks + need > _sourceChunks)
        {
            // The source holds more than keep, so another of its datagrams exists.
            Drop(state.Oldest == keep ? _entries[keep]!.SourceNewer : state.Oldest, DropReason.ReassemblyLimit);
        }
        while (_pool.Available < need)
        {
            Drop(_oldest == keep ? _entries[keep]!.Newer : _oldest, DropReason.ReassemblyLimit);
        }
        return true;
    }

    private int Open(in TKey key, TSource source, Instant now)
    {
        int slot;
        if (_freeCount > 0)
        {
            slot = _free[--_freeCount];
        }
        else
        {
            slot = _created++;
            _entries[slot] = new Entry(_pool);
        }
        var e = _entries[slot]!;
        e.InUse = true;
        e.Key = key;
        e.Source = source;
        e.Deadline = now + _timeout;
        _earliest = Instant.Min(_earliest, e.Deadline);
        _index.Add(key, slot);

        // The age list is kept in deadline order (appending, unless the caller's clock stepped back).
        int older = _newest;
        while (older >= 0 && _entries[older]!.Deadline > e.Deadline)
        {
            older = _entries[older]!.Older;
        }
        int newer = older >= 0 ? _entries[older]!.Newer : _oldest;
        e.Older = older;
        e.Newer = newer;
        if (older >= 0)
        {
            _entries[older]!.Newer = slot;
        }
        else
        {
            _oldest = slot;
        }
        if (newer >= 0)
        {
            _entries[newer]!.Older = slot;
        }
        else
        {
            _newest = slot;
        }

        // The source's own list, in arrival order.
        ref var state = ref CollectionsMarshal.GetValueRefOrAddDefault(_sources, source, out bool exists);
        if (!exists)
        {
            state.Oldest = state.Newest = -1;
        }
        e.SourceOlder = state.Newest;
        if (state.Newest >= 0)
        {
            _entries[state.Newest]!.SourceNewer = slot;
        }
        else
        {
            state.Oldest = slot;
        }
        state.Newest = slot;
        _inUse++;
        return slot;
    }
}
