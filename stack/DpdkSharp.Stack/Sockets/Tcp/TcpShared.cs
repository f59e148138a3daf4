namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// State every connection of one interface shares: counters, the challenge-ACK budget (RFC 5961
/// §7: a system-wide limit) and the memory bound for all send and receive queues.
/// </summary>
internal sealed class TcpShared(TcpCounters counters, NetCounters net, long memoryLimit, int challengeAcksPerSecond)
{
    private TokenBucket _challengeAcks = new(challengeAcksPerSecond, challengeAcksPerSecond);
    private long _memoryInUse;

    public TcpCounters Counters => counters;

    /// <summary>
    /// Where each RTT measurement goes (the metrics' histograms, in milliseconds): the sample and the smoothed
    /// RTT after it (RFC 6298 §2); null when nothing listens.
    /// </summary>
    public Action<double, double>? RttRecorder { get; set; }

    /// <summary>Bytes of queue storage all connections hold.</summary>
    public long MemoryInUse => _memoryInUse;

    /// <summary>The bound on <see cref="MemoryInUse"/>: queues stop growing at it.</summary>
    public long MemoryLimit => memoryLimit;

    /// <summary>Counts a dropped segment under <paramref name="reason"/>.</summary>
    public void Drop(DropReason reason) => net.CountDrop(reason, DropStage.Receive);

    /// <summary>Takes a challenge ACK from the budget (RFC 5961 §7); false when it is spent (counted).</summary>
    public bool TryChallengeAck(Instant now)
    {
        if (_challengeAcks.TryTake(now))
        {
            counters.ChallengeAcksField++;
            return true;
        }
        counters.ChallengeAcksThrottledField++;
        return false;
    }

    /// <summary>Reserves <paramref name="bytes"/> of queue storage; false (nothing reserved) past the limit.</summary>
    public bool TryReserve(long bytes)
    {
        if (_memoryInUse + bytes > memoryLimit)
        {
            counters.MemoryPressureField++;
            return false;
        }
        _memoryInUse += bytes;
        return true;
    }

    /// <summary>Reserves <paramref name="bytes"/> even past the limit (a connection's initial queues: it cannot exist without them).</summary>
    public void Reserve(long bytes) => _memoryInUse += bytes;

    /// <summary>Gives back storage reserved with <see cref="TryReserve"/>.</summary>
    public void Release(long bytes) => _memoryInUse -= bytes;
}
