namespace DpdkSharp.Wire;

/// <summary>
/// A token bucket: up to <c>burst</c> events back to back, then <c>perSecond</c> sustained. The
/// stack rate-limits ICMP errors (RFC 1812 §4.3.2.8 "Rate Limiting"; RFC 1122 §3.2.2) and ARP
/// requests (RFC 1122 §2.3.2.1 "prevent ARP flooding") with it. Time comes from the caller.
/// </summary>
public struct TokenBucket
{
    private readonly long _intervalNs;
    private readonly int _burst;
    private int _tokens;
    private long _updatedAt;
    private bool _started;

    /// <summary>A full bucket of <paramref name="burst"/> tokens refilled at <paramref name="perSecond"/>.</summary>
    public TokenBucket(int burst, int perSecond)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(perSecond, 1);
        _burst = burst;
        _tokens = burst;
        _intervalNs = 1_000_000_000L / perSecond;
    }

    /// <summary>Takes a token if there is one at <paramref name="now"/>; false (the event should not happen) otherwise.</summary>
    public bool TryTake(Instant now)
    {
        if (!_started)
        {
            _started = true;
            _updatedAt = now.Nanoseconds;
        }
        long earned = (now.Nanoseconds - _updatedAt) / _intervalNs;
        if (earned > 0)
        {
            _tokens = (int)Math.Min(_burst, _tokens + earned);
            _updatedAt += earned * _intervalNs;
        }
        if (_tokens == 0)
        {
            return false;
        }
        _tokens--;
        return true;
    }
}
