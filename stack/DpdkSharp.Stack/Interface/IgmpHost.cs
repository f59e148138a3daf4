namespace DpdkSharp.Stack.Interface;

/// <summary>
/// The host side of IGMPv2 (RFC 2236 §6) for a fixed list of groups, sans IO: it is told of queries, other hosts'
/// reports and the time, and says which report is due. Each group is a Delaying Member while its timer runs and an
/// Idle Member otherwise (Non-Member only before <see cref="Start"/> and after <see cref="Stop"/>); the all-systems group
/// is never reported. Version 1 compatibility per RFC 2236 §4: after a version 1 query, reports go as version 1 and
/// no Leave is sent until the Version 1 Router Present timeout passes.
/// </summary>
internal sealed class IgmpHost
{
    private readonly IgmpOptions _options;
    private readonly Ipv4Address[] _groups;
    private readonly Instant[] _reportAt;      // Never: Idle Member (no timer running)
    private readonly int[] _unsolicitedLeft;  // start-up reports still to send after the one due
    private readonly bool[] _lastReporter;    // RFC 2236 §6 "flag": we sent the group's last report
    private readonly Random _random;
    private Instant _version1RouterUntil;
    private bool _started;

    /// <param name="groups">The groups to report; duplicates and the all-systems group are left out.</param>
    /// <param name="options">Timing.</param>
    /// <param name="seed">Seeds the random report delays (hosts on a link must pick different ones, RFC 2236 §3).</param>
    public IgmpHost(IEnumerable<Ipv4Address> groups, IgmpOptions options, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.UnsolicitedReports);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.UnsolicitedReportInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Version1RouterPresentTimeout, TimeSpan.Zero);
        _options = options;
        _groups = groups.Where(g => g.IsMulticast && g != IgmpMessage.AllSystems).Distinct().ToArray();
        _reportAt = new Instant[_groups.Length];
        _unsolicitedLeft = new int[_groups.Length];
        _lastReporter = new bool[_groups.Length];
        Array.Fill(_reportAt, Instant.Never);
        _random = new Random(seed);
    }

    /// <summary>When a report is next due; <see cref="Instant.Never"/> when no timer runs.</summary>
    public Instant NextDeadline { get; private set; } = Instant.Never;

    /// <summary>Joins every group: the first start-up report of each is due now (RFC 2236 §3, "join group" in §6).</summary>
    public void Start(Instant now)
    {
        _started = true;
        for (int i = 0; i < _groups.Length; i++)
        {
            if (_options.UnsolicitedReports > 0)
            {
                _reportAt[i] = now;
                _unsolicitedLeft[i] = _options.UnsolicitedReports - 1;
            }
        }
        UpdateDeadline();
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
        for (int i = 0; i < _groups.Length; i++)
        {
            if ((group.IsAny || _groups[i] == group) && latest < _reportAt[i])
            {
                _reportAt[i] = now + RandomDelay(maxResponseTime);
            }
        }
        UpdateDeadline();
    }

    /// <summary>Another host reported <paramref name="group"/> (version 1 or 2): a Delaying Member stops its timer and clears its flag (report suppression).</summary>
    public void OnReport(Ipv4Address group)
    {
        int i = Array.IndexOf(_groups, group);
        if (i < 0 || _reportAt[i] == Instant.Never)
        {
            return;
        }
        _reportAt[i] = Instant.Never;
        _unsolicitedLeft[i] = 0;
        _lastReporter[i] = false;
        UpdateDeadline();
    }

    /// <summary>
    /// A report due at <paramref name="now"/>: its group, and whether it goes as version 1 (an IGMPv1 router is present).
    /// The group becomes an Idle Member with its flag set, or waits for its next start-up report.
    /// </summary>
    public bool TryTakeDue(Instant now, out Ipv4Address group, out bool version1)
    {
        for (int i = 0; i < _groups.Length; i++)
        {
            if (_reportAt[i] > now)
            {
                continue;
            }
            group = _groups[i];
            version1 = now < _version1RouterUntil;
            _lastReporter[i] = true;
            if (_unsolicitedLeft[i] > 0)
            {
                _unsolicitedLeft[i]--;
                _reportAt[i] = now + RandomDelay(_options.UnsolicitedReportInterval);
            }
            else
            {
                _reportAt[i] = Instant.Never;
            }
            UpdateDeadline();
            return true;
        }
        group = default;
        version1 = false;
        return false;
    }

    /// <summary>
    /// Leaves every group: those whose last report was ours are returned for a Leave Group message (RFC 2236 §3: SHOULD),
    /// none while an IGMPv1 router is present (§4: v1 routers know no Leave).
    /// </summary>
    public List<Ipv4Address> Stop(Instant now)
    {
        var leaves = new List<Ipv4Address>();
        if (!_started)
        {
            return leaves;
        }
        _started = false;
        bool version1 = now < _version1RouterUntil;
        for (int i = 0; i < _groups.Length; i++)
        {
            if (_lastReporter[i] && !version1)
            {
                leaves.Add(_groups[i]);
            }
            _reportAt[i] = Instant.Never;
            _unsolicitedLeft[i] = 0;
            _lastReporter[i] = false;
        }
        UpdateDeadline();
        return leaves;
    }

    // A delay in (0, max]: RFC 2236 §3 excludes 0, so every member does not answer in the same instant.
    private TimeSpan RandomDelay(TimeSpan max) => TimeSpan.FromTicks(1 + _random.NextInt64(Math.Max(1, max.Ticks)));

    private void UpdateDeadline()
    {
        var next = Instant.Never;
        foreach (var at in _reportAt)
        {
            next = Instant.Min(next, at);
        }
        NextDeadline = next;
    }
}
