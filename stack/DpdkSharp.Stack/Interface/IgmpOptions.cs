namespace DpdkSharp.Stack.Interface;

/// <summary>
/// How the interface reports its <see cref="InterfaceOptions.MulticastGroups"/> to multicast routers and to switches
/// that snoop IGMP (RFC 2236, IGMPv2 host; RFC 4541 snooping). Without reports a snooping switch stops forwarding a
/// group to the port once it has heard that nobody there wants it.
/// </summary>
public sealed record IgmpOptions
{
    /// <summary>
    /// Take part in IGMP: report every group when the interface starts, answer queries, leave on stop. Off, the groups
    /// are still received but never reported, and IGMP messages are dropped as an unsupported protocol.
    /// </summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Reports per group when the interface starts: the first at once, each further one after a random delay (RFC 2236 §3: "repeated once or twice").</summary>
    public int UnsolicitedReports { get; init; } = 2;

    /// <summary>The longest random delay before a repeated start-up report (RFC 2236 §8.10 Unsolicited Report Interval: 10 s).</summary>
    public TimeSpan UnsolicitedReportInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a version 1 query keeps the host in version 1 mode (RFC 2236 §8.11 Version 1 Router Present Timeout: 400 s).</summary>
    public TimeSpan Version1RouterPresentTimeout { get; init; } = TimeSpan.FromSeconds(400);
}
