namespace DpdkSharp.Stack.Interface;

/// <summary>
/// The host side of IGMPv2 (RFC 2236 §6) for the interface's groups, sans IO: it is told of joins, leaves, queries,
/// other hosts' reports and the time, and says which message is due. Each group is a Delaying Member while its timer
/// runs and an Idle Member otherwise (Non-Member before it is joined, before <see cref="Start"/> and after
/// <see cref="Stop"/>); the all-systems group is never reported. Version 1 compatibility per RFC 2236 §4: after a
/// version 1 query, reports go as version 1 and no Leave is sent until the Version 1 Router Present timeout passes.
/// </summary>
internal sealed class IgmpHost
{
    private struct Member
    {
        public Ipv4Address Group;
        public Instant ReportAt;      // Never: Idle Member (no timer running)
        public int UnsolicitedLeft;   // join reports still to send after the one due
        public bool LastReporter;     // RFC 2236 §6 "flag": we sent the group's last report
    }

    private readonly IgmpOptions _options;
    private readonly List<Member> _members = [];
    private readonly Random _random;
    private Instant _version1RouterUntil;
    private bool _started;

    /// <param name="options">Timing.</param>
    /// <param name="seed">Seeds the random report delays (hosts on a link must pick different ones, RFC 2236 §3).</param>
    public IgmpHost(IgmpOptions options, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.UnsolicitedReports);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.UnsolicitedReportInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Version1RouterPresentTimeout, TimeSpan.Zero);
        _options = options;
        _random = new Random(seed);
    }

    /// <summary>When a report is next due; <see cref="Instant.Never"/> when no timer runs.</summary>
    public Instant NextDeadline { get; private set; } = Instant.Never;

    /// <summary>The interface is up: every group joined so far reports now (RFC 2236 §3, "join group" in §6).</summary>
    public void Start(Instant now)
    {
        _started = true;
        for (int i = 0; i < _members.Count; i++)
        {
            _members[i] = Joining(_members[i].Group, now);
        }
        UpdateDeadline();
    }

    /// <summary>Adds <paramref name="group"/> (not all-systems, not twice); once started, its first report is due now.</summary>
    public void Join(Ipv4Address group, Instant now)
    {
        if (group == IgmpMessage.AllSystems || IndexOf(group) >= 0)
        {
            return;
        }
        _members.Add(_started ? Joining(group, now) : new Member { Group = group, ReportAt = Instant.Never });
        UpdateDeadline();
    }

    /// <summary>
    /// Removes <paramref name="group"/>; true when a Leave Group message is owed: we sent its last report (RFC 2236 §3:
    /// SHOULD) and no IGMPv1 router is present (§4: v1 routers know no Leave).
    /// </summary>
    public bool Leave(Ipv4Address group, Instant now)
    {
        int i = IndexOf(group);
        if (i < 0)
        {
            return false;
        }
        bool owed = _started && _members[i].LastReporter && now >= _version1RouterUntil;
        _members.RemoveAt(i);
        UpdateDeadline();
        return owed;
    }

    /// <summary>
    /// A Membership Query (RFC 2236 §3): for a general query (<paramref name="group"/> 0) every group, for a
    /// group-specific one that group, gets a timer of a random delay in (0, <paramref name="maxResponseTime"/>]; a
    /// running timer is only shortened, never lengthened.
    /// </summary>
    public void OnQuery(Ipv4Address group, TimeSpan maxResponseTime, bool version1, Instant now)
    {
        if (!_started)
        {
            return;
        }
        if (version1)
        {
            _version1RouterUntil = now + _options.Version1RouterPresentTimeout;
        }
        var latest = now + maxResponseTime;
        for (int i = 0; i < _members.Count; i++)
        {
            var m = _members[i];
            if ((group.IsAny || m.Group == group) && latest < m.ReportAt)
            {
                m.ReportAt = now + RandomDelay(maxResponseTime);
                _members[i] = m;
            }
        }
        UpdateDeadline();
    }

    /// <summary>Another host reported <paramref name="group"/> (version 1 or 2): a Delaying Member stops its timer and clears its flag (report suppression).</summary>
    public void OnReport(Ipv4Address group)
    {
        int i = IndexOf(group);
        if (i < 0 || _members[i].ReportAt == Instant.Never)
        {
            return;
        }
        _members[i] = new Member { Group = group, ReportAt = Instant.Never };
        UpdateDeadline();
    }

    /// <summary>
    /// A report due at <paramref name="now"/>: its group, and whether it goes as version 1 (an IGMPv1 router is present).
    /// The group becomes an Idle Member with its flag set, or waits for its next join report.
    /// </summary>
    public bool TryTakeDue(Instant now, out Ipv4Address group, out bool version1)
    {
        for (int i = 0; i < _members.Count; i++)
        {
            var m = _members[i];
            if (m.ReportAt > now)
            {
                continue;
            }
            group = m.Group;
            version1 = now < _version1RouterUntil;
            m.LastReporter = true;
            if (m.UnsolicitedLeft > 0)
            {
                m.UnsolicitedLeft--;
                m.ReportAt = now + RandomDelay(_options.UnsolicitedReportInterval);
            }
            else
            {
                m.ReportAt = Instant.Never;
            }
            _members[i] = m;
            UpdateDeadline();
            return true;
        }
        group = default;
        version1 = false;
        return false;
    }

    /// <summary>The interface goes down: the groups owed a Leave (see <see cref="Leave"/>); the groups stay joined, silent.</summary>
    public List<Ipv4Address> Stop(Instant now)
    {
        var leaves = new List<Ipv4Address>();
        if (!_started)
        {
            return leaves;
        }
        bool version1 = now < _version1RouterUntil;
        for (int i = 0; i < _members.Count; i++)
        {
            if (_members[i].LastReporter && !version1)
            {
                leaves.Add(_members[i].Group);
            }
            _members[i] = new Member { Group = _members[i].Group, ReportAt = Instant.Never };
        }
        _started = false;
        UpdateDeadline();
        return leaves;
    }

    // RFC 2236 §3: the first report at once, repeated after random delays.
    private Member Joining(Ipv4Address group, Instant now) => _options.UnsolicitedReports > 0
        ? new Member { Group = group, ReportAt = now, UnsolicitedLeft = _options.UnsolicitedReports - 1 }
        : new Member { Group = group, ReportAt = Instant.Never };

    private int IndexOf(Ipv4Address group)
    {
        for (int i = 0; i < _members.Count; i++)
        {
            if (_members[i].Group == group)
            {
                return i;
            }
        }
        return -1;
    }

    // A delay in (0, max]: RFC 2236 §3 excludes 0, so every member does not answer in the same instant.
    private TimeSpan RandomDelay(TimeSpan max) => TimeSpan.FromTicks(1 + _random.NextInt64(Math.Max(1, max.Ticks)));

    private void UpdateDeadline()
    {
        var next = Instant.Never;
        foreach (var m in _members)
        {
            next = Instant.Min(next, m.ReportAt);
        }
        NextDeadline = next;
    }
}
