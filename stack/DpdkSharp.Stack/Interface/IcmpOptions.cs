namespace DpdkSharp.Stack.Interface;

/// <summary>Limits on ICMP errors this host sends.</summary>
public sealed record IcmpOptions
{
    /// <summary>Errors sent back to back before the rate applies (token bucket size).</summary>
    public int ErrorBurst { get; init; } = 10;
    /// <summary>Sustained errors per second (RFC 1812 §4.3.2.8; Linux icmp_msgs_per_sec is 1000, icmp_ratelimit 1/s per peer).</summary>
    public int ErrorsPerSecond { get; init; } = 100;
    /// <summary>Answer echo requests sent to broadcast or multicast (RFC 1122 §3.2.2.6 MAY; Linux ignores them by default).</summary>
    public bool AnswerBroadcastEcho { get; init; }
    /// <summary>Echo replies kept for the application (ping) before new ones are dropped.</summary>
    public int EchoReplyQueueBytes { get; init; } = 256 * 1024;
}
