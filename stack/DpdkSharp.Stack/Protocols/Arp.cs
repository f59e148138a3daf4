using System.Buffers.Binary;

namespace DpdkSharp.Stack;

/// <summary>ARP operation codes (RFC 826 "Packet format": ar$op).</summary>
public enum ArpOperation : ushort
{
    Request = 1,
    Reply = 2,
}

/// <summary>
/// An ARP packet for IPv4 over Ethernet (RFC 826 "Packet format"): hardware type 1, protocol
/// 0x0800, address lengths 6 and 4, so 28 bytes. A view over the caller's bytes.
/// </summary>
public readonly ref struct ArpPacket
{
    public const int Length = 28;

    private readonly ReadOnlySpan<byte> _b;

    private ArpPacket(ReadOnlySpan<byte> bytes) => _b = bytes;

    public ArpOperation Operation => (ArpOperation)BinaryPrimitives.ReadUInt16BigEndian(_b[6..]);
    public MacAddress SenderMac => MacAddress.Read(_b[8..]);
    public Ipv4Address SenderIp => Ipv4Address.Read(_b[14..]);
    public MacAddress TargetMac => MacAddress.Read(_b[18..]);
    public Ipv4Address TargetIp => Ipv4Address.Read(_b[24..]);

    /// <summary>
    /// Parses an Ethernet/IPv4 ARP packet. Too short, or address lengths that do not add up, is
    /// <see cref="DropReason.Malformed"/>; another hardware/protocol pair or operation is
    /// <see cref="DropReason.UnsupportedProtocol"/>. Trailing bytes (Ethernet padding) are ignored.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out ArpPacket packet, out DropReason reason)
    {
        packet = default;
        reason = DropReason.Malformed;
        if (data.Length < 8)
        {
            return false;
        }
        ushort htype = BinaryPrimitives.ReadUInt16BigEndian(data);
        ushort ptype = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        int hlen = data[4], plen = data[5];
        if (data.Length < 8 + 2 * (hlen + plen))
        {
            return false;
        }
        ushort op = BinaryPrimitives.ReadUInt16BigEndian(data[6..]);
        if (htype != 1 || ptype != (ushort)EtherType.Ipv4 || hlen != 6 || plen != 4 || op is not (1 or 2))
        {
            reason = DropReason.UnsupportedProtocol;
            return false;
        }
        packet = new ArpPacket(data[..Length]);
        return true;
    }

    public static void Write(Span<byte> destination, ArpOperation op, MacAddress senderMac, Ipv4Address senderIp, MacAddress targetMac, Ipv4Address targetIp)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, 1);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)EtherType.Ipv4);
        destination[4] = 6;
        destination[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], (ushort)op);
        senderMac.Write(destination[8..]);
        senderIp.Write(destination[14..]);
        targetMac.Write(destination[18..]);
        targetIp.Write(destination[24..]);
    }
}

/// <summary>ARP timing and bounds.</summary>
public sealed record ArpOptions
{
    /// <summary>Entries in the cache (static entries included).</summary>
    public int CacheCapacity { get; init; } = 256;
    /// <summary>How long a learned mapping is used (RFC 1122 §2.3.2.1 requires a timeout; Linux: 30 s reachable + stale).</summary>
    public TimeSpan EntryLifetime { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Within this much of expiry, a use of the entry triggers a unicast refresh request.</summary>
    public TimeSpan RefreshWindow { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Time between requests for one address (RFC 1122 §2.3.2.1: at most one per second).</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Requests sent before giving up on an address and dropping what waits for it.</summary>
    public int MaxRequests { get; init; } = 3;
    /// <summary>Global request rate: burst size of the token bucket.</summary>
    public int RequestBurst { get; init; } = 16;
    /// <summary>Global request rate: tokens per second.</summary>
    public int RequestsPerSecond { get; init; } = 64;
    /// <summary>Frames queued per unresolved address (RFC 1122 §2.3.2.2: SHOULD keep at least one, the latest).</summary>
    public int MaxQueuedPerEntry { get; init; } = 64;
    /// <summary>Frames queued over all unresolved addresses.</summary>
    public int MaxQueuedTotal { get; init; } = 256;
    /// <summary>Gratuitous announcements on start (RFC 5227 §2.3: ANNOUNCE_NUM = 2).</summary>
    public int Announcements { get; init; } = 2;
    /// <summary>Interval between announcements (RFC 5227 §1.1: ANNOUNCE_INTERVAL = 2 s).</summary>
    public TimeSpan AnnounceInterval { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>What the ARP cache asks of its interface: sending and releasing frames. Kept narrow so the cache stays testable.</summary>
internal interface IArpHost
{
    /// <summary>Sends a request for <paramref name="target"/>; broadcast, or unicast to refresh a known entry.</summary>
    void SendArpRequest(Ipv4Address target, MacAddress unicastTo);

    /// <summary>Sends a queued frame now that its next hop's MAC is known (the host fills the destination MAC).</summary>
    void TransmitQueued(PacketBuffer buffer, int length, in TxFrameInfo info, MacAddress destination);

    /// <summary>Drops a queued frame (returns it to the pool, counts the reason in the transmit stage).</summary>
    void DropQueued(PacketBuffer buffer, DropReason reason);
}

/// <summary>State of a neighbour entry.</summary>
public enum ArpEntryState : byte
{
    Free,
    /// <summary>Requested, not answered yet; frames may be queued on it.</summary>
    Incomplete,
    /// <summary>Known and usable until it expires.</summary>
    Reachable,
    /// <summary>Configured; never expires, never refreshed.</summary>
    Static,
}

/// <summary>
/// The ARP cache of one interface (RFC 826 "Packet Reception"; RFC 1122 §2.3.2): mappings with a
/// lifetime and refresh before expiry, requests with a per-address retry interval, a retry limit
/// and a global token bucket (RFC 1122 §2.3.2.1 "prevent ARP flooding"), and a bounded queue of
/// frames per unresolved address, released on reply or dropped with a count on failure
/// (RFC 1122 §2.3.2.2).
/// </summary>
/// <remarks>
/// Storage is fixed at construction: an entry array, a dictionary presized to the capacity (so
/// lookups and re-inserts never allocate) and a pool of queue nodes linked per entry.
/// </remarks>
public sealed class ArpCache
{
    private struct Entry
    {
        public Ipv4Address Ip;
        public MacAddress Mac;
        public ArpEntryState State;
        public long ExpiresAt;
        public long NextRequestAt;
        public long LastRefreshAt;
        public int Requests;
        public int QueueHead, QueueTail, QueueCount;
    }

    private struct Queued
    {
        public PacketBuffer Buffer;
        public int Length;
        public TxFrameInfo Info;
        public int Next;
    }

    private readonly ArpOptions _options;
    private readonly IArpHost _host;
    private readonly Entry[] _entries;
    private readonly Dictionary<Ipv4Address, int> _index;
    private readonly Queued[] _queue;
    private readonly long _lifetimeNs, _refreshNs, _retryNs, _tokenNs;
    private int _queueFree;
    private int _queuedTotal;
    private long _tokens;
    private long _tokensAt;
    private long _earliest = long.MaxValue; // no later than any armed deadline; exact after Poll

    internal ArpCache(ArpOptions options, IArpHost host)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.CacheCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRequests, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RequestsPerSecond, 1);
        _options = options;
        _host = host;
        _entries = new Entry[options.CacheCapacity];
        _index = new Dictionary<Ipv4Address, int>(options.CacheCapacity);
        _queue = new Queued[Math.Max(1, options.MaxQueuedTotal)];
        for (int i = 0; i < _queue.Length; i++)
        {
            _queue[i].Next = i + 1 < _queue.Length ? i + 1 : -1;
        }
        _queueFree = 0;
        _lifetimeNs = (long)options.EntryLifetime.TotalNanoseconds;
        _refreshNs = (long)options.RefreshWindow.TotalNanoseconds;
        _retryNs = (long)options.RetryInterval.TotalNanoseconds;
        _tokenNs = 1_000_000_000L / options.RequestsPerSecond;
        _tokens = options.RequestBurst;
        _tokensAt = long.MinValue;
    }

    /// <summary>Entries in use.</summary>
    public int Count => _index.Count;

    /// <summary>Frames waiting for resolution.</summary>
    public int QueuedFrames => _queuedTotal;

    /// <summary>ARP requests not sent because of the global rate limit.</summary>
    public long RequestsRateLimited { get; private set; }

    /// <summary>The state of the entry for <paramref name="ip"/> (Free if none).</summary>
    public ArpEntryState GetState(Ipv4Address ip) => _index.TryGetValue(ip, out int i) ? _entries[i].State : ArpEntryState.Free;

    /// <summary>A usable mapping, without side effects (no refresh, no request).</summary>
    public bool TryGet(Ipv4Address ip, long now, out MacAddress mac)
    {
        if (_index.TryGetValue(ip, out int i) && IsUsable(in _entries[i], now))
        {
            mac = _entries[i].Mac;
            return true;
        }
        mac = default;
        return false;
    }

    /// <summary>Adds a permanent mapping (static configuration).</summary>
    public void AddStatic(Ipv4Address ip, MacAddress mac)
    {
        int i = GetOrCreate(ip, long.MinValue, out _);
        if (i < 0)
        {
            throw new InvalidOperationException("ARP cache full of unresolved entries.");
        }
        ref var e = ref _entries[i];
        e.Mac = mac;
        e.State = ArpEntryState.Static;
        ReleaseQueue(ref e);
    }

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
    /// The MAC of a usable entry for <paramref name="ip"/>, without queueing anything when there
    /// is none (and with the unicast refresh of an entry about to expire, as for any use).
    /// </summary>
    internal bool TryResolve(Ipv4Address ip, long now, out MacAddress mac)
    {
        if (_index.TryGetValue(ip, out int i))
        {
            ref var e = ref _entries[i];
            if (IsUsable(in e, now))
            {
                mac = e.Mac;
                if (e.State == ArpEntryState.Reachable && e.ExpiresAt - now <= _refreshNs && now - e.LastRefreshAt >= _retryNs)
                {
                    // Refresh while still using the entry (RFC 1122 §2.3.2.1 option (2), "unicast poll"):
                    // traffic keeps flowing and the reply extends the lifetime.
                    e.LastRefreshAt = now;
                    if (TakeToken(now))
                    {
                        _host.SendArpRequest(ip, e.Mac);
                    }
                }
                return true;
            }
        }
        mac = default;
        return false;
    }

    /// <summary>
    /// Resolves the next hop for an outgoing frame. When known, returns true (and may send a
    /// unicast refresh request if the entry is about to expire). Otherwise takes ownership of the
    /// frame, queues it (or drops it, counted) and starts resolution; returns false.
    /// </summary>
    internal bool ResolveOrQueue(Ipv4Address ip, long now, PacketBuffer buffer, int length, in TxFrameInfo info, out MacAddress mac)
    {
        if (TryResolve(ip, now, out mac))
        {
            return true;
        }
        int index = GetOrCreate(ip, now, out bool created);
        if (index < 0)
        {
            _host.DropQueued(buffer, DropReason.ArpQueueFull);
            return false;
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
        Enqueue(ref entry, buffer, length, in info);
        if (now >= entry.NextRequestAt)
        {
            SendRequest(ref entry, now);
        }
        return false;
    }

    /// <summary>
    /// RFC 826 "Packet Reception": if the sender is known, update it ("merge"); if the packet is
    /// for us, add it. Queued frames for it are released. Returns true when the cache changed.
    /// </summary>
    internal bool Learn(Ipv4Address ip, MacAddress mac, bool createIfMissing, long now)
    {
        int i;
        if (!_index.TryGetValue(ip, out i))
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
        e.Mac = mac;
        e.State = ArpEntryState.Reachable;
        e.ExpiresAt = now + _lifetimeNs;
        Arm(e.ExpiresAt);
        e.Requests = 0;
        ReleaseQueue(ref e);
        return true;
    }

    /// <summary>Retries and expiries. Returns the next time something is due, or <see cref="long.MaxValue"/>.</summary>
    internal long Poll(long now)
    {
        long next = long.MaxValue;
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
                            // Resolution failed: what waited is dropped and counted.
                            DropQueue(ref e, DropReason.ArpTimeout);
                            Free(i);
                            continue;
                        }
                        SendRequest(ref e, now);
                    }
                    next = Math.Min(next, e.NextRequestAt);
                    break;
                case ArpEntryState.Reachable:
                    if (now >= e.ExpiresAt)
                    {
                        Free(i);
                        continue;
                    }
                    next = Math.Min(next, e.ExpiresAt);
                    break;
            }
        }
        _earliest = next;
        return next;
    }

    /// <summary>
    /// When <see cref="Poll"/> next has work: never later than the earliest retry or expiry, so a
    /// caller can skip polling (a scan of the whole cache) until then.
    /// </summary>
    internal long EarliestDeadline => _earliest;

    private void Arm(long at)
    {
        if (at < _earliest)
        {
            _earliest = at;
        }
    }

    /// <summary>Drops every queued frame (interface shutting down).</summary>
    internal void Clear()
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

    private bool IsUsable(in Entry e, long now) =>
        e.State == ArpEntryState.Static || (e.State == ArpEntryState.Reachable && now < e.ExpiresAt);

    private void SendRequest(ref Entry e, long now)
    {
        // A request that the token bucket refuses still counts as an attempt, so a flood of
        // unresolvable destinations ends in bounded time instead of retrying forever.
        e.Requests++;
        e.NextRequestAt = now + _retryNs;
        Arm(e.NextRequestAt);
        if (TakeToken(now))
        {
            _host.SendArpRequest(e.Ip, MacAddress.Broadcast);
        }
    }

    private bool TakeToken(long now)
    {
        if (_tokensAt == long.MinValue)
        {
            _tokensAt = now;
        }
        long earned = (now - _tokensAt) / _tokenNs;
        if (earned > 0)
        {
            _tokens = Math.Min(_options.RequestBurst, _tokens + earned);
            _tokensAt += earned * _tokenNs;
        }
        if (_tokens > 0)
        {
            _tokens--;
            return true;
        }
        RequestsRateLimited++;
        return false;
    }

    private void Enqueue(ref Entry e, PacketBuffer buffer, int length, in TxFrameInfo info)
    {
        if (e.QueueCount >= _options.MaxQueuedPerEntry && e.QueueCount > 0)
        {
            // RFC 1122 §2.3.2.2: keep the latest; push the oldest out.
            int oldest = e.QueueHead;
            e.QueueHead = _queue[oldest].Next;
            e.QueueCount--;
            _host.DropQueued(_queue[oldest].Buffer, DropReason.ArpQueueFull);
            FreeNode(oldest);
        }
        if (_queueFree < 0 || _options.MaxQueuedPerEntry == 0)
        {
            _host.DropQueued(buffer, DropReason.ArpQueueFull);
            return;
        }
        int node = _queueFree;
        _queueFree = _queue[node].Next;
        _queue[node] = new Queued { Buffer = buffer, Length = length, Info = info, Next = -1 };
        if (e.QueueCount == 0)
        {
            e.QueueHead = node;
        }
        else
        {
            _queue[e.QueueTail].Next = node;
        }
        e.QueueTail = node;
        e.QueueCount++;
        _queuedTotal++;
    }

    private void ReleaseQueue(ref Entry e)
    {
        while (e.QueueCount > 0)
        {
            int node = e.QueueHead;
            e.QueueHead = _queue[node].Next;
            e.QueueCount--;
            var q = _queue[node];
            FreeNode(node);
            _host.TransmitQueued(q.Buffer, q.Length, in q.Info, e.Mac);
        }
    }

    private void DropQueue(ref Entry e, DropReason reason)
    {
        while (e.QueueCount > 0)
        {
            int node = e.QueueHead;
            e.QueueHead = _queue[node].Next;
            e.QueueCount--;
            var buffer = _queue[node].Buffer;
            FreeNode(node);
            _host.DropQueued(buffer, reason);
        }
    }

    private void FreeNode(int node)
    {
        _queue[node] = new Queued { Next = _queueFree };
        _queueFree = node;
        _queuedTotal--;
    }

    /// <summary>Finds or makes an entry; when full, reuses the reachable entry closest to expiry. -1 when every entry is pinned.</summary>
    private int GetOrCreate(Ipv4Address ip, long now, out bool created)
    {
        created = false;
        if (_index.TryGetValue(ip, out int existing))
        {
            return existing;
        }
        int victim = -1;
        long victimExpiry = long.MaxValue;
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
        _entries[victim] = new Entry { Ip = ip, State = ArpEntryState.Incomplete, LastRefreshAt = now, QueueHead = -1, QueueTail = -1 };
        _index[ip] = victim;
        created = true;
        return victim;
    }

    private void Free(int i)
    {
        _index.Remove(_entries[i].Ip);
        _entries[i] = default;
    }
}
