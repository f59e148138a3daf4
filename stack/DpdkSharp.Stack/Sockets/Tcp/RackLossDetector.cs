namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// RACK, time-based loss detection (RFC 8985 §6): every segment keeps its last transmit time, and a
/// segment is lost once a segment sent after it was delivered and more than RACK.rtt + RACK.reo_wnd
/// passed since it went out. Unlike counting duplicate ACKs (RFC 6675), this finds lost
/// retransmissions (a retransmission is a segment sent later, so whatever goes out after it and
/// arrives exposes it) and tolerates reordering up to the window, which grows when the peer reports
/// spurious retransmissions by D-SACK. Sans-IO: the connection passes the time; it calls
/// <see cref="OnSent"/> for every data segment, <see cref="OnCumulativeAck"/> and <see cref="OnSacked"/>
/// for every ACK, then <see cref="DetectLosses"/>, and arms the reordering timer it returns.
/// </summary>
internal sealed class RackLossDetector
{
    private readonly SentSegments _segments = new();
    private readonly uint _tsOffset;

    // RFC 8985 §5.3, per connection.
    private Instant _xmitTs;
    private SequenceNumber _endSeq;
    private TimeSpan _rtt;
    private bool _delivered;
    private SequenceNumber _fack;
    private bool _hasFack;
    private bool _reorderingSeen;
    private int _reoWndMult = 1;
    private int _reoWndPersist;
    private SequenceNumber? _dsackRound;

    // The newest segment delivered by the ACK being processed (RFC 8985 §6.2 step 2 takes them in transmit order).
    private bool _ackHasNewest;
    private Instant _ackNewestSentAt;
    private SequenceNumber _ackNewestEnd;
    private TimeSpan _ackNewestRtt;

    /// <summary>The end of the highest segment ever sent twice that is still held: the loss scan stops above it.</summary>
    private SequenceNumber _retransmittedEnd;

    /// <param name="tsOffset">The connection's timestamp offset (RFC 7323 §5.4): echoed TSvals tell which copy an ACK is for.</param>
    /// <param name="iss">The connection's initial send sequence number: data starts above it.</param>
    public RackLossDetector(uint tsOffset, SequenceNumber iss)
    {
        _tsOffset = tsOffset;
        _retransmittedEnd = iss;
    }

    /// <summary>Bytes of segments deemed lost and not SACKed (RFC 6675 pipe's "lost", Linux's lost_out).</summary>
    public int LostBytes { get; private set; }

    /// <summary>Bytes of lost segments sent again whose new copy is still in the network.</summary>
    public int RetransmitInFlightBytes { get; private set; }

    /// <summary>Segments wholly SACKed (RFC 8985 RACK.segs_sacked).</summary>
    public int SackedSegments { get; private set; }

    /// <summary>Lost retransmissions found (a retransmitted segment deemed lost again).</summary>
    public long LostRetransmissions { get; private set; }

    /// <summary>Whether reordering was observed (RFC 8985 RACK.reordering_seen).</summary>
    public bool ReorderingSeen => _reorderingSeen;

    /// <summary>RACK.reo_wnd_mult (RFC 8985 §6.2 step 4): grown by D-SACK rounds.</summary>
    public int ReorderWindowMultiplier => _reoWndMult;

    /// <summary>
    /// RFC 8985 §6.1: [<paramref name="start"/>, <paramref name="end"/>) went out at <paramref name="now"/>.
    /// New data (at or beyond everything held) is recorded; data sent again updates the transmit time of every
    /// segment it overlaps and marks it retransmitted (its lost mark becomes a retransmission in flight).
    /// </summary>
    public void OnSent(SequenceNumber start, SequenceNumber end, Instant now)
    {
        if (end <= start)
        {
            return;
        }
        int count = _segments.Count;
        if (count == 0 || start >= _segments[count - 1].End)
        {
            _segments.Append(start, end, now);
            return;
        }
        // A retransmission need not match the original segments (a SACK option or a smaller MSS leaves less
        // room): split them so only what went again counts as sent again.
        if (_segments.SplitAt(start) && _segments[_segments.FirstEndingAfter(start)].Sacked)
        {
            SackedSegments++;
        }
        if (_segments.SplitAt(end) && _segments[_segments.FirstEndingAfter(end)].Sacked)
        {
            SackedSegments++;
        }
        for (int i = _segments.FirstEndingAfter(start); i < _segments.Count && _segments[i].Start < end; i++)
        {
            ref var s = ref _segments[i];
            if (s.Sacked)
            {
                continue;
            }
            s.SentAt = now;
            s.Retransmitted = true;
            if (s.Lost && !s.RetransmitInFlight)
            {
                s.RetransmitInFlight = true;
                RetransmitInFlightBytes += s.Length;
            }
            if (s.End > _retransmittedEnd)
            {
                _retransmittedEnd = s.End;
            }
        }
        if (end > _segments[_segments.Count - 1].End)
        {
            _segments.Append(_segments[_segments.Count - 1].End, end, now); // a retransmission that also carried new bytes
        }
    }

    /// <summary>
    /// SND.UNA moved to <paramref name="una"/>: the segments below it are delivered (RFC 8985 §6.2 steps 2, 3)
    /// and forgotten. <paramref name="tsEcr"/>: the ACK's echoed timestamp, when timestamps are on.
    /// </summary>
    public void OnCumulativeAck(SequenceNumber una, uint? tsEcr, TimeSpan minRtt, Instant now)
    {
        while (_segments.Count > 0 && _segments[0].End <= una)
        {
            ref var s = ref _segments[0];
            if (!s.Sacked)
            {
                Delivered(in s, tsEcr, minRtt, now);
            }
            Forget(in s, s.Length);
            _segments.RemoveFirst();
        }
        if (_segments.Count > 0 && _segments[0].Start < una)
        {
            ref var s = ref _segments[0];
            Forget(in s, una - s.Start, keepSacked: true);
            s.Start = una;
        }
        if (_retransmittedEnd < una)
        {
            _retransmittedEnd = una; // keeps the comparison meaningful as sequence numbers wrap
        }
    }

    /// <summary>
    /// The scoreboard took new SACK information in [<paramref name="left"/>, <paramref name="right"/>): the
    /// segments in it that are now wholly SACKed are delivered (RFC 8985 §6.2 steps 2, 3).
    /// </summary>
    public void OnSacked(SackScoreboard scoreboard, SequenceNumber left, SequenceNumber right, uint? tsEcr, TimeSpan minRtt, Instant now)
    {
        for (int i = _segments.FirstEndingAfter(left); i < _segments.Count && _segments[i].Start < right; i++)
        {
            ref var s = ref _segments[i];
            if (s.Sacked || !scoreboard.TryGetSackedRange(s.Start, out var sackedEnd) || sackedEnd < s.End)
            {
                continue;
            }
            Delivered(in s, tsEcr, minRtt, now);
            if (s.Lost)
            {
                LostBytes -= s.Length;
            }
            if (s.RetransmitInFlight)
            {
                RetransmitInFlightBytes -= s.Length;
            }
            s.Lost = false;
            s.RetransmitInFlight = false;
            s.Sacked = true;
            SackedSegments++;
        }
    }

    /// <summary>
    /// RFC 8985 §6.2 step 4, D-SACK part: the ACK carried a D-SACK (RFC 2883), so a retransmission was
    /// spurious: the reordering window grows by min_RTT/4 once per round trip that sees one, and stays
    /// grown for 16 recoveries.
    /// </summary>
    public void OnDsack(SequenceNumber una, SequenceNumber sndMax)
    {
        if (_dsackRound is SequenceNumber round && una >= round)
        {
            _dsackRound = null;
        }
        if (_dsackRound is null)
        {
            _dsackRound = sndMax;
            _reoWndMult = Math.Min(_reoWndMult + 1, MaxReorderWindowMultiplier);
            _reoWndPersist = 16;
        }
    }

    /// <summary>RFC 8985 §6.2 step 4: a loss recovery ended; after 16 without D-SACK the window shrinks back.</summary>
    public void OnRecoveryExit()
    {
        if (--_reoWndPersist <= 0)
        {
            _reoWndMult = 1;
        }
    }

    /// <summary>
    /// RFC 8985 §6.2 step 5 (and the reordering timer's expiry, §6.2 "RACK_detect_loss_and_arm_timer"):
    /// marks every segment sent before the newest delivered one and outstanding longer than
    /// RACK.rtt + RACK.reo_wnd lost. Returns whether it marked any; <paramref name="timerAt"/> is when the
    /// next segment would qualify (<see cref="Instant.Never"/>: none waits).
    /// </summary>
    public bool DetectLosses(Instant now, SequenceNumber una, bool inRecovery, TimeSpan minRtt, TimeSpan srtt, out Instant timerAt)
    {
        timerAt = Instant.Never;
        EndAck();
        if (_dsackRound is SequenceNumber round && una >= round)
        {
            _dsackRound = null;
        }
        if (!_delivered)
        {
            return false;
        }
        var reoWnd = ReorderWindow(inRecovery, minRtt, srtt);
        bool marked = false;
        for (int i = 0; i < _segments.Count; i++)
        {
            ref var s = ref _segments[i];
            bool newer = SentAfter(_xmitTs, _endSeq, s.SentAt, s.End);
            if (!newer)
            {
                if (s.Start >= _retransmittedEnd)
                {
                    break; // never sent twice from here on: each went out after this one, so after the newest delivered one too
                }
                continue;
            }
            if (s.Sacked || (s.Lost && !s.RetransmitInFlight))
            {
                continue;
            }
            var deadline = s.SentAt + _rtt + reoWnd;
            if (deadline <= now)
            {
                if (MarkLost(ref s))
                {
                    LostRetransmissions++;
                }
                marked = true;
            }
            else if (timerAt == Instant.Never || deadline > timerAt)
            {
                timerAt = deadline; // RFC 8985: the timer waits for the last of them (timeout = max(remaining, timeout))
            }
        }
        return marked;
    }

    /// <summary>
    /// RFC 8985 §6.3: the retransmission timer expired. The first segment, and every one outstanding longer
    /// than RACK.rtt + RACK.reo_wnd, is lost; those sent later may still arrive.
    /// </summary>
    public void OnRetransmissionTimeout(Instant now, TimeSpan minRtt, TimeSpan srtt)
    {
        var reoWnd = ReorderWindow(inRecovery: true, minRtt, srtt);
        for (int i = 0; i < _segments.Count; i++)
        {
            ref var s = ref _segments[i];
            if (s.Sacked || (s.Lost && !s.RetransmitInFlight))
            {
                continue;
            }
            if (i == 0 || s.SentAt + _rtt + reoWnd <= now)
            {
                MarkLost(ref s);
            }
        }
    }

    /// <summary>
    /// The first segment at or after <paramref name="from"/> that is lost and not sent again since (lost
    /// retransmissions included): where its un-SACKed bytes begin and how many there are.
    /// </summary>
    public bool NextLost(SackScoreboard scoreboard, SequenceNumber from, out SequenceNumber start, out int length)
    {
        for (int i = _segments.FirstEndingAfter(from); i < _segments.Count; i++)
        {
            ref var s = ref _segments[i];
            if (!s.Lost || s.RetransmitInFlight || s.Sacked)
            {
                continue;
            }
            var begin = s.Start > from ? s.Start : from;
            if (scoreboard.NextHole(begin, s.End, out start, out length))
            {
                return true;
            }
        }
        start = from;
        length = 0;
        return false;
    }

    /// <summary>
    /// The SACK scoreboard was cleared (RFC 2018 §8, after repeated timeouts): the SACK marks go, so
    /// that everything outstanding is sent again.
    /// </summary>
    public void ForgetSacks()
    {
        for (int i = 0; i < _segments.Count; i++)
        {
            ref var s = ref _segments[i];
            if (s.Sacked)
            {
                s.Sacked = false;
                SackedSegments--;
            }
        }
    }

    /// <summary>Marks a segment lost (RFC 8985 Segment.lost); true when it was a retransmission in flight, lost again.</summary>
    private bool MarkLost(ref SentSegments.Entry s)
    {
        if (s.RetransmitInFlight)
        {
            s.RetransmitInFlight = false; // still marked lost: it goes out again
            RetransmitInFlightBytes -= s.Length;
            return true;
        }
        s.Lost = true;
        LostBytes += s.Length;
        return false;
    }

    /// <summary>The reordering window (RFC 8985 §6.2 step 4, RACK_update_reo_wnd).</summary>
    private TimeSpan ReorderWindow(bool inRecovery, TimeSpan minRtt, TimeSpan srtt)
    {
        if (!_reorderingSeen && (inRecovery || SackedSegments >= SackScoreboard.DupThresh))
        {
            return TimeSpan.Zero;
        }
        var window = minRtt / 4 * _reoWndMult;
        return window < srtt ? window : srtt;
    }

    /// <summary>RFC 8985 §6.2 steps 2 and 3 for one segment newly acknowledged or SACKed.</summary>
    private void Delivered(in SentSegments.Entry s, uint? tsEcr, TimeSpan minRtt, Instant now)
    {
        var rtt = now - s.SentAt;
        if (s.Retransmitted)
        {
            // Step 2: an ACK of an earlier copy says nothing of this transmission's round trip.
            if (tsEcr is uint ecr && (int)(ecr - TsAt(s.SentAt)) < 0)
            {
                return;
            }
            if (rtt < minRtt)
            {
                return;
            }
        }
        if (!_ackHasNewest || SentAfter(s.SentAt, s.End, _ackNewestSentAt, _ackNewestEnd))
        {
            _ackHasNewest = true;
            _ackNewestSentAt = s.SentAt;
            _ackNewestEnd = s.End;
            _ackNewestRtt = rtt;
        }
        // Step 3: delivered below the highest delivered sequence without having been sent twice: reordering.
        if (!_hasFack || s.End > _fack)
        {
            _fack = s.End;
            _hasFack = true;
        }
        else if (s.End < _fack && !s.Retransmitted)
        {
            _reorderingSeen = true;
        }
    }

    /// <summary>Ends the ACK: RACK.rtt, RACK.xmit_ts and RACK.end_seq from the newest segment it delivered (RFC 8985 §6.2 step 2).</summary>
    private void EndAck()
    {
        if (!_ackHasNewest)
        {
            return;
        }
        _ackHasNewest = false;
        _rtt = _ackNewestRtt;
        if (!_delivered || SentAfter(_ackNewestSentAt, _ackNewestEnd, _xmitTs, _endSeq))
        {
            _xmitTs = _ackNewestSentAt;
            _endSeq = _ackNewestEnd;
        }
        _delivered = true;
    }

    private void Forget(in SentSegments.Entry s, int bytes, bool keepSacked = false)
    {
        if (s.Lost)
        {
            LostBytes -= bytes;
        }
        if (s.RetransmitInFlight)
        {
            RetransmitInFlightBytes -= bytes;
        }
        if (s.Sacked && !keepSacked)
        {
            SackedSegments--;
        }
    }

    /// <summary>RFC 8985 §6.2 RACK_sent_after: t1/seq1 went out after t2/seq2 (ties broken by sequence, for segments sent in one burst).</summary>
    private static bool SentAfter(Instant t1, SequenceNumber seq1, Instant t2, SequenceNumber seq2) => t1 > t2 || (t1 == t2 && seq1 > seq2);

    private uint TsAt(Instant at) => unchecked((uint)(at.Nanoseconds / 1_000_000) + _tsOffset);

    /// <summary>A cap on the window's growth: with SRTT as the other bound it rarely matters.</summary>
    private const int MaxReorderWindowMultiplier = 64;
}
