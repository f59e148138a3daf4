namespace DpdkSharp.Stack.Interface;

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
