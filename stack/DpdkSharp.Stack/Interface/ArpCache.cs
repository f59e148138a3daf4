using System.Runtime.CompilerServices;

namespace DpdkSharp.Stack.Interface;

/// <summary>State of a neighbour entry.</summary>
public enum ArpEntryState : byte
{
    /// <summary>No entry.</summary>
    Free,
    /// <summary>Requested, not answered yet; frames may be queued on it.</summary>
    Incomplete,
    /// <summary>Known and usable until it expires.</summary>
    Reachable,
    /// <summary>Configured; never expires, never refreshed.</summary>
    Static,
}

/// <summary>What the cache answers about a next hop; the interface decides what to send.</summary>
public enum NeighborAnswer : byte
{
    /// <summary>Known: the MAC is given.</summary>
    Found,
    /// <summary>Known and about to expire: send a unicast request to it now (a refresh; the rate limit allowed it).</summary>
    FoundRefresh,
    /// <summary>Not known (and nothing was queued).</summary>
    NotFound,
    /// <summary>Queued; a broadcast request is due: send it now (the rate limit allowed it).</summary>
    QueuedSendRequest,
    /// <summary>Queued; a request for this address is already out (the retry timer runs).</summary>
    Queued,
    /// <summary>Queued; a request was due but the global rate limit refused it (counted in <see cref="ArpCache.RequestsRateLimited"/>).</summary>
    QueuedRateLimited,
    /// <summary>Not queued: every entry is pinned or queueing is off. The frame stays the caller's to drop (<see cref="DropReason.ArpQueueFull"/>).</summary>
    Refused,
}

/// <summary>A frame waiting in the ARP cache for its next hop's MAC (ownership of the buffer stays with the cache until taken back).</summary>
public readonly record struct QueuedFrame(PacketBuffer Buffer, int Length, TxFrameInfo Info);

/// <summary>
/// The ARP cache of one interface (RFC 826 "Packet Reception"; RFC 1122 §2.3.2): mappings with a
/// lifetime and refresh before expiry, requests with a per-address retry interval, a retry limit
/// and a global token bucket (RFC 1122 §2.3.2.1 "prevent ARP flooding"), and a bounded queue of
/// frames per unresolved address, released on reply or dropped on failure (RFC 1122 §2.3.2.2).
/// </summary>
/// <remarks>
/// <para>Passive, like smoltcp's neighbour cache: it never sends or frees anything. Calls answer
/// what the interface should do (<see cref="NeighborAnswer"/>), and what timers and replies produce
/// waits in three outboxes the interface drains after each call: requests to broadcast
/// (<see cref="TryTakeRequest"/>), queued frames whose next hop resolved (<see cref="TryTakeReleased"/>)
/// and queued frames dropped with their reason (<see cref="TryTakeDropped"/>).</para>
/// <para>Storage is fixed at construction: an entry array, a dictionary presized to the capacity (so
/// lookups and re-inserts never allocate) and a pool of queue nodes linked per entry and per outbox.</para>
/// </remarks>
public sealed class ArpCache
{
    private struct Entry
    {
        public Ipv4Address Ip;
        public MacAddress Mac;
        public ArpEntryState State;
        public Instant ExpiresAt;
        public Instant NextRequestAt;
        public Instant LastRefreshAt;
        public int Requests;
        public NodeList Queue;
    }

    private struct Node
    {
        public QueuedFrame Frame;
        public MacAddress Destination; // set when released
        public DropReason Reason;      // set when dropped
        public int Next;
    }

    /// <summary>A singly linked list of nodes (head, tail, count), for entry queues and the outboxes.</summary>
    private struct NodeList
    {
        public int Head, Tail, Count;

        public static NodeList Empty => new() { Head = -1, Tail = -1 };
    }

    private readonly ArpOptions _options;
    private readonly Entry[] _entries;
    private readonly Dictionary<Ipv4Address, int> _index;
    private readonly Node[] _nodes;
    private readonly Ipv4Address[] _requests; // outbox of broadcast requests, one per entry at most
    private readonly TimeSpan _lifetime, _refresh, _retry;
    private int _requestHead, _requestCount;
    private int _freeNode;
    private int _queuedTotal;
    private NodeList _released = NodeList.Empty;
    private NodeList _dropped = NodeList.Empty;
    private TokenBucket _requestTokens;
    private Instant _earliest = Instant.Never; // no later than any armed deadline; exact after Poll
    // The last address Lookup found, answered without the index until the answer could change: every
    // change to an entry (learn, static, free, a new resolution) clears it, and a reachable entry's hit ends
    // where its refresh window starts, so refreshes and expiry still go through the full path.
    private Ipv4Address _hitIp;
    private MacAddress _hitMac;
    private Instant _hitUntil;

    /// <summary>An empty cache sized by <paramref name="options"/>.</summary>
    public ArpCache(ArpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.CacheCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRequests, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RequestsPerSecond, 1);
        _options = options;
        _entries = new Entry[options.CacheCapacity];
        _index = new Dictionary<Ipv4Address, int>(options.CacheCapacity);
        _requests = new Ipv4Address[options.CacheCapacity];
        _nodes = new Node[Math.Max(1, options.MaxQueuedTotal)];
        for (int i = 0; i < _nodes.Length; i++)
        {
            _nodes[i].Next = i + 1 < _nodes.Length ? i + 1 : -1;
        }
        _lifetime = options.EntryLifetime;
        _refresh = options.RefreshWindow;
        _retry = options.RetryInterval;
        _requestTokens = new TokenBucket(Math.Max(1, options.RequestBurst), options.RequestsPerSecond);
    }

    /// <summary>Entries in use.</summary>
    public int Count => _index.Count;

    /// <summary>Frames waiting for resolution (and in the outboxes, not taken back yet).</summary>
    public int QueuedFrames => _queuedTotal;

    /// <summary>ARP requests not sent because of the global rate limit.</summary>
    public long RequestsRateLimited { get; private set; }

    /// <summary>
    /// When <see cref="Poll"/> next has work: never later than the earliest retry or expiry, so a
    /// caller can skip polling (a scan of the whole cache) until then.
    /// </summary>
    public Instant EarliestDeadline => _earliest;

    /// <summary>The state of the entry for <paramref name="ip"/> (Free if none).</summary>
    public ArpEntryState GetState(Ipv4Address ip) => _index.TryGetValue(ip, out int i) ? _entries[i].State : ArpEntryState.Free;

    /// <summary>A usable mapping, without side effects (no refresh, no request).</summary>
    public bool TryGet(Ipv4Address ip, Instant now, out MacAddress mac)
    {
        if (_index.TryGetValue(ip, out int i) && IsUsable(in _entries[i], now))
        {
            mac = _entries[i].Mac;
            return true;
        }
        mac = default;
        return false;
    }

    /// <summary>Adds a permanent mapping (static configuration); frames waiting for it are released.</summary>
    /// <exception cref="InvalidOperationException">Every entry is pinned (static or with frames waiting).</exception>
    public void AddStatic(Ipv4Address ip, MacAddress mac)
    {
        int i = GetOrCreate(ip, Instant.Zero, out _);
        if (i < 0)
        {
            throw new InvalidOperationException("ARP cache full of unresolved entries.");
        }
        ForgetHit();
        ref var e = ref _entries[i];
        e.Mac = mac;
        e.State = ArpEntryState.Static;
        Release(ref e);
    }

    /// <summary>Told of each address given up on after its last request went unanswered (address, requests sent): the interface logs it and fails the connected UDP sockets behind it.</summary>
    internal Action<Ipv4Address, int>? Unresolved { get; set; }

    /// <summary>Removes the entry for <paramref name="ip"/>; frames waiting for it move to the dropped outbox.</summary>
    public bool Remove(Ipv4Address ip)
    {
        if (!_index.TryGetValue(ip, out int i))
        {
            return false;
        }
        DropQueue(ref _entries[i], DropReason.ArpTimeout);
        Free(i);
        return true;
    }

    /// <summary>
    /// The MAC of a usable entry for <paramref name="ip"/>. <see cref="NeighborAnswer.FoundRefresh"/>
    /// asks the caller to send a unicast request to the entry (RFC 1122 §2.3.2.1 option (2), "unicast
    /// poll": traffic keeps flowing and the reply extends the lifetime).
    /// </summary>
    public NeighborAnswer Lookup(Ipv4Address ip, Instant now, out MacAddress mac)
    {
        if (ip == _hitIp && now < _hitUntil)
        {
            mac = _hitMac;
            return NeighborAnswer.Found;
        }
        return LookupEntry(ip, now, out mac);
    }

    /// <summary>
    /// <see cref="Lookup"/> past the last hit: the table, refresh and the hit itself. Out of line so that callers on the
    /// packet path inline only the hit test above.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private NeighborAnswer LookupEntry(Ipv4Address ip, Instant now, out MacAddress mac)
    {
        if (_index.TryGetValue(ip, out int i))
        {
            ref var e = ref _entries[i];
            if (IsUsable(in e, now))
            {
                mac = e.Mac;
                if (e.State == ArpEntryState.Reachable && e.ExpiresAt - now <= _refresh)
                {
                    if (now - e.LastRefreshAt >= _retry)
                    {
                        e.LastRefreshAt = now;
                        if (TakeToken(now))
                        {
                            return NeighborAnswer.FoundRefresh;
                        }
                    }
                    return NeighborAnswer.Found;
                }
                _hitIp = ip;
                _hitMac = e.Mac;
                _hitUntil = e.State == ArpEntryState.Static ? Instant.Never : new Instant(e.ExpiresAt.Nanoseconds - (long)_refresh.TotalNanoseconds);
                return NeighborAnswer.Found;
            }
        }
        mac = default;
        return NeighborAnswer.NotFound;
    }

    /// <summary>
    /// Queues a frame for an address <see cref="Lookup"/> did not find, and starts or continues its
    /// resolution. Unless the answer is <see cref="NeighborAnswer.Refused"/> the cache owns the frame.
    /// A full per-address queue pushes its oldest frame out to the dropped outbox (RFC 1122 §2.3.2.2:
    /// keep the latest).
    /// </summary>
    public NeighborAnswer Enqueue(Ipv4Address ip, Instant now, in QueuedFrame frame)
    {
        ForgetHit();
        int index = GetOrCreate(ip, now, out bool created);
        if (index < 0 || _options.MaxQueuedPerEntry == 0)
        {
            return NeighborAnswer.Refused;
        }
        ref var entry = ref _entries[index];
        if (created || entry.State != ArpEntryState.Incomplete)
        {
            // New or expired: start a fresh resolution with an immediate request.
            entry.State = ArpEntryState.Incomplete;
            entry.Requests = 0;
            entry.NextRequestAt = now;
            Arm(now);
        }
        if (entry.Queue.Count >= _options.MaxQueuedPerEntry)
        {
            Append(ref _dropped, Take(ref entry.Queue), DropReason.ArpQueueFull);
        }
        if (_freeNode < 0)
        {
            return NeighborAnswer.Refused;
        }
        int node = _freeNode;
        _freeNode = _nodes[node].Next;
        _nodes[node] = new Node { Frame = frame, Next = -1 };
        _queuedTotal++;
        Link(ref entry.Queue, node);
        if (now < entry.NextRequestAt)
        {
            return NeighborAnswer.Queued;
        }
        return CountRequest(ref entry, now) ? NeighborAnswer.QueuedSendRequest : NeighborAnswer.QueuedRateLimited;
    }

    /// <summary>
    /// RFC 826 "Packet Reception": if the sender is known, update it ("merge"); if the packet is
    /// for us, add it. Frames queued for it move to the released outbox. Returns true when the cache changed.
    /// </summary>
    public bool Learn(Ipv4Address ip, MacAddress mac, bool createIfMissing, Instant now)
    {
        if (!_index.TryGetValue(ip, out int i))
        {
            if (!createIfMissing)
            {
                return false;
            }
            i = GetOrCreate(ip, now, out _);
            if (i < 0)
            {
                return false;
            }
        }
        ref var e = ref _entries[i];
        if (e.State == ArpEntryState.Static)
        {
            return false;
        }
        ForgetHit();
        e.Mac = mac;
        e.State = ArpEntryState.Reachable;
        e.ExpiresAt = now + _lifetime;
        Arm(e.ExpiresAt);
        e.Requests = 0;
        Release(ref e);
        return true;
    }

    /// <summary>
    /// Retries and expiries: due retries go to the request outbox, entries out of retries drop their
    /// frames (<see cref="DropReason.ArpTimeout"/>) to the dropped outbox, expired mappings are
    /// forgotten. Returns the next time something is due, or <see cref="Instant.Never"/>.
    /// </summary>
    public Instant Poll(Instant now)
    {
        var next = Instant.Never;
        for (int i = 0; i < _entries.Length; i++)
        {
            ref var e = ref _entries[i];
            switch (e.State)
            {
                case ArpEntryState.Incomplete:
                    if (now >= e.NextRequestAt)
                    {
                        if (e.Requests >= _options.MaxRequests)
                        {
                            Unresolved?.Invoke(e.Ip, e.Requests);
                            DropQueue(ref e, DropReason.ArpTimeout);
                            Free(i);
                            continue;
                        }
                        if (CountRequest(ref e, now))
                        {
                            _requests[(_requestHead + _requestCount++) % _requests.Length] = e.Ip;
                        }
                    }
                    next = Instant.Min(next, e.NextRequestAt);
                    break;
                case ArpEntryState.Reachable:
                    if (now >= e.ExpiresAt)
                    {
                        Free(i);
                        continue;
                    }
                    next = Instant.Min(next, e.ExpiresAt);
                    break;
            }
        }
        _earliest = next;
        return next;
    }

    /// <summary>Forgets every entry; their frames move to the dropped outbox (the interface is shutting down).</summary>
    public void Clear()
    {
        for (int i = 0; i < _entries.Length; i++)
        {
            if (_entries[i].State != ArpEntryState.Free)
            {
                DropQueue(ref _entries[i], DropReason.ArpTimeout);
                Free(i);
            }
        }
    }

    /// <summary>A broadcast request the cache wants sent (from <see cref="Poll"/>).</summary>
    public bool TryTakeRequest(out Ipv4Address target)
    {
        if (_requestCount == 0)
        {
            target = default;
            return false;
        }
        target = _requests[_requestHead];
        _requestHead = (_requestHead + 1) % _requests.Length;
        _requestCount--;
        return true;
    }

    /// <summary>A queued frame whose next hop resolved: the caller sends it to <paramref name="destination"/> and owns it again.</summary>
    public bool TryTakeReleased(out QueuedFrame frame, out MacAddress destination)
    {
        int node = Take(ref _released);
        if (node < 0)
        {
            frame = default;
            destination = default;
            return false;
        }
        frame = _nodes[node].Frame;
        destination = _nodes[node].Destination;
        FreeNode(node);
        return true;
    }

    /// <summary>A queued frame given up for <paramref name="reason"/>: the caller frees and counts it.</summary>
    public bool TryTakeDropped(out QueuedFrame frame, out DropReason reason)
    {
        int node = Take(ref _dropped);
        if (node < 0)
        {
            frame = default;
            reason = default;
            return false;
        }
        frame = _nodes[node].Frame;
        reason = _nodes[node].Reason;
        FreeNode(node);
        return true;
    }

    private static bool IsUsable(in Entry e, Instant now) =>
        e.State == ArpEntryState.Static || (e.State == ArpEntryState.Reachable && now < e.ExpiresAt);

    private void Arm(Instant at) => _earliest = Instant.Min(_earliest, at);

    /// <summary>
    /// One request attempt for an unresolved entry: a request the token bucket refuses still counts,
    /// so a flood of unresolvable destinations ends in bounded time instead of retrying forever.
    /// </summary>
    private bool CountRequest(ref Entry e, Instant now)
    {
        e.Requests++;
        e.NextRequestAt = now + _retry;
        Arm(e.NextRequestAt);
        return TakeToken(now);
    }

    private bool TakeToken(Instant now)
    {
        if (_requestTokens.TryTake(now))
        {
            return true;
        }
        RequestsRateLimited++;
        return false;
    }

    private void Release(ref Entry e)
    {
        int node;
        while ((node = Take(ref e.Queue)) >= 0)
        {
            _nodes[node].Destination = e.Mac;
            Link(ref _released, node);
        }
    }

    private void DropQueue(ref Entry e, DropReason reason)
    {
        int node;
        while ((node = Take(ref e.Queue)) >= 0)
        {
            Append(ref _dropped, node, reason);
        }
    }

    private void Append(ref NodeList list, int node, DropReason reason)
    {
        _nodes[node].Reason = reason;
        Link(ref list, node);
    }

    private void Link(ref NodeList list, int node)
    {
        _nodes[node].Next = -1;
        if (list.Count == 0)
        {
            list.Head = node;
        }
        else
        {
            _nodes[list.Tail].Next = node;
        }
        list.Tail = node;
        list.Count++;
    }

    private int Take(ref NodeList list)
    {
        if (list.Count == 0)
        {
            return -1;
        }
        int node = list.Head;
        list.Head = _nodes[node].Next;
        list.Count--;
        return node;
    }

    private void FreeNode(int node)
    {
        _nodes[node] = new Node { Next = _freeNode };
        _freeNode = node;
        _queuedTotal--;
    }

    /// <summary>Finds or makes an entry; when full, reuses the reachable entry closest to expiry. -1 when every entry is pinned.</summary>
    private int GetOrCreate(Ipv4Address ip, Instant now, out bool created)
    {
        created = false;
        if (_index.TryGetValue(ip, out int existing))
        {
            return existing;
        }
        int victim = -1;
        var victimExpiry = Instant.Never;
        for (int i = 0; i < _entries.Length; i++)
        {
            ref var e = ref _entries[i];
            if (e.State == ArpEntryState.Free)
            {
                victim = i;
                break;
            }
            if (e.State == ArpEntryState.Reachable && e.ExpiresAt < victimExpiry)
            {
                victim = i;
                victimExpiry = e.ExpiresAt;
            }
        }
        if (victim < 0)
        {
            return -1;
        }
        if (_entries[victim].State != ArpEntryState.Free)
        {
            Free(victim);
        }
        _entries[victim] = new Entry { Ip = ip, State = ArpEntryState.Incomplete, LastRefreshAt = now, Queue = NodeList.Empty };
        _index[ip] = victim;
        created = true;
        return victim;
    }

    private void ForgetHit() => _hitUntil = Instant.Zero;

    private void Free(int i)
    {
        ForgetHit();
        _index.Remove(_entries[i].Ip);
        _entries[i] = default;
    }
}
