using System.Runtime.CompilerServices;

namespace DpdkSharp.Stack.Sockets;

/// <summary>What to send: SYNs, data within the send and congestion windows, retransmissions, ACKs, probes, RST.</summary>
internal sealed partial class TcpControlBlock
{
    /// <summary>Most segments one <see cref="Output"/> call sends, so one connection cannot hold the reactor for long.</summary>
    private const int MaxSegmentsPerOutput = 256;

    private bool _wsOn;

    /// <summary>Sends everything the connection owes now: a pending RST, a SYN, data, retransmissions, an ACK or a probe.</summary>
    public void Output(Instant now, ITcpSegmentSink sink)
    {
        if (_resetReply is var (seq, ack, flags))
        {
            _resetReply = null;
            SendBare(sink, seq, ack, flags, now);
        }
        if (State == TcpState.Closed)
        {
            return;
        }
        if (_abortPending)
        {
            // RFC 9293 §3.10.5 ABORT: <SEQ=SND.NXT><CTL=RST>.
            _abortPending = false;
            SendBare(sink, _sndNxt, _rcvNxt, TcpFlags.Rst | TcpFlags.Ack, now);
            _shared.Counters.ConnectionsResetSentField++;
            Close(Error == System.Net.Sockets.SocketError.Success ? System.Net.Sockets.SocketError.ConnectionAborted : Error);
            return;
        }
        if (_synPending)
        {
            SendSyn(now, sink);
            return;
        }
        if (_sndUna == _iss)
        {
            return; // our SYN is not acknowledged yet: nothing else may go out
        }
        bool sent = State != TcpState.TimeWait && SendData(now, sink);
        if (_tlpPending)
        {
            _tlpPending = false;
            sent |= SendLossProbe(now, sink);
        }
        if (_probePending)
        {
            // Zero-window and keepalive probe: an old sequence number makes the peer answer with its window (RFC 1122 §4.2.3.6).
            _probePending = false;
            Emit(sink, _sndUna - 1, 0, TcpFlags.None, now);
        }
        else if (!sent && _ackNow)
        {
            // A bare ACK carries SND.MAX, not SND.NXT (as BSD's tcp_output does): after a timeout
            // SND.NXT falls back to SND.UNA, below what the peer may already hold, and an ACK with
            // that old sequence number fails the peer's acceptability test, so its acknowledgment
            // would be thrown away. With both ends retransmitting, neither ACK got through again.
            // But never beyond the right edge of the peer's window (as Linux's tcp_acceptable_seq): when the
            // peer's window closed below what we had sent (its receive queue full), Linux drops a segment
            // starting past RCV.NXT + RCV.WND, its ACK included, and waited for ever for the acknowledgment
            // these ACKs carried, its application blocked on a full send queue and so never reading.
            var rightEdge = SendWindowEdge;
            Emit(sink, _sndMax > rightEdge ? rightEdge : _sndMax, 0, TcpFlags.None, now);
        }
        ArmPersist(now);
        ArmLossProbe(now);
    }

    /// <summary>
    /// RFC 8985 §7.3: the tail loss probe. New data if the windows let one segment go, else the last
    /// segment sent again; either way its acknowledgment (or SACK) tells whether the tail was lost,
    /// which starts a fast recovery instead of waiting for the retransmission timer.
    /// </summary>
    private bool SendLossProbe(Instant now, ITcpSegmentSink sink)
    {
        if (_inRecovery || _sndMax == _sndUna)
        {
            return false;
        }
        _tlpOutstanding = true;
        _tlpHighSeq = _sndMax;
        SequenceNumber seq;
        int length;
        bool fin;
        if (TryNewData(out seq, out length, out fin, windowOnly: false) && length > 0 && Emit(sink, seq, length, fin ? TcpFlags.Fin : TcpFlags.None, now))
        {
            _rack?.OnSent(seq, seq + length + (fin ? 1 : 0), now);
            _sndNxt = seq + length + (fin ? 1 : 0);
            _sndMax = _sndNxt > _sndMax ? _sndNxt : _sndMax;
        }
        else
        {
            // The last segment sent, or, when the peer's window shrank below it, the last bytes inside the window
            // (RFC 9293 §3.8.6: nothing beyond SND.UNA + SND.WND); a zero window gets no probe but the persist timer's.
            var dataEnd = SendEnd < _sndMax ? SendEnd : _sndMax;
            var edge = SendWindowEdge;
            var end = dataEnd < edge ? dataEnd : edge;
            length = Math.Min(SegmentRoom(), Math.Max(0, end - _sndUna));
            seq = end - length;
            fin = _finQueued && _sndMax == SendEnd + 1 && SendEnd < edge;
            if ((length == 0 && !fin) || !Emit(sink, seq, length, fin ? TcpFlags.Fin : TcpFlags.None, now))
            {
                return false;
            }
            _rack?.OnSent(seq, seq + length + (fin ? 1 : 0), now);
            _shared.Counters.RetransmittedSegmentsField++;
            if (end < dataEnd)
            {
                _shared.Counters.WindowLimitedRetransmissionsField++;
            }
        }
        _shared.Counters.LossProbesField++;
        _rtoAt = now + _rtt.Rto; // RFC 8985 §7.3: the RTO runs from the probe
        return true;
    }

    /// <summary>
    /// RFC 8985 §7.2: with data in flight, no recovery and no probe out, schedule a probe after
    /// PTO = 2·SRTT (plus a worst-case delayed ACK when one segment is in flight), at the latest when the RTO would expire.
    /// </summary>
    private void ArmLossProbe(Instant now)
    {
        if (!_options.TailLossProbes || !_sackOn || _inRecovery || _tlpOutstanding || _sndMax == _sndUna || _tlpAt != Instant.Never
            || State is not (TcpState.Established or TcpState.CloseWait or TcpState.FinWait1 or TcpState.LastAck or TcpState.Closing)
            || _rtt.SmoothedRtt is not TimeSpan srtt)
        {
            return;
        }
        var pto = srtt * 2;
        if (_sndMax - _sndUna <= _sndMss + 1)
        {
            pto += WorstCaseDelayedAck;
        }
        if (pto < MinLossProbeTimeout)
        {
            pto = MinLossProbeTimeout;
        }
        // "If Now() + PTO > TCP_RTO_expire(): PTO = TCP_RTO_expire() - Now()": when the retransmission timer
        // would come first, the probe goes out at its time instead, so a lost lone segment costs a probe and
        // a fast recovery, not a timeout's collapse of cwnd to one segment.
        var at = now + pto;
        _tlpAt = at < _rtoAt ? at : _rtoAt;
    }

    /// <summary>RFC 8985 §7.2 WCDelAckT: the longest a peer may delay the ACK of a lone segment.</summary>
    private static readonly TimeSpan WorstCaseDelayedAck = TimeSpan.FromMilliseconds(200);

    /// <summary>A floor on the probe timeout, as Linux keeps (so a tiny SRTT does not probe every microsecond).</summary>
    private static readonly TimeSpan MinLossProbeTimeout = TimeSpan.FromMilliseconds(10);

    private void SendSyn(Instant now, ITcpSegmentSink sink)
    {
        bool active = State == TcpState.SynSent;
        var options = new TcpOptions { Mss = (ushort)_mtuMss };
        if (active ? _options.WindowScaling : _wsOn)
        {
            options.WindowScale = _rcvShift;
        }
        if (active ? _options.SelectiveAcknowledgments : _sackOn)
        {
            options.SackPermitted = true;
        }
        if (active ? _options.Timestamps : _tsOn)
        {
            options.Timestamps = (TsNow(now), active ? 0u : _tsRecent);
        }
        // RFC 7323 §2.2: the window in a SYN is never scaled.
        ushort window = (ushort)Math.Min(_recv.Free, ushort.MaxValue);
        var header = new TcpHeader(_iss, active ? default : _rcvNxt, active ? TcpFlags.Syn : TcpFlags.Syn | TcpFlags.Ack, window);
        if (!sink.Send(Tuple, in header, in options, default, default, now))
        {
            if (_rtoAt == Instant.Never)
            {
                _rtoAt = now + _rtt.Rto; // try again on the timer
            }
            return;
        }
        _shared.Counters.SegmentsSentField++;
        if (_retries > 0)
        {
            _shared.Counters.RetransmittedSegmentsField++;
        }
        _synPending = false;
        _ackNow = false;
        _rcvAdvRight = _rcvNxt + window;
        _lastAckSent = _rcvNxt;
        _sndNxt = _iss + 1;
        if (_sndMax < _sndNxt)
        {
            _sndMax = _sndNxt;
        }
        if (_retries == 0 && !_timing)
        {
            _timing = true;
            _timedSeq = _iss;
            _timedAt = now;
        }
        if (_rtoAt == Instant.Never)
        {
            _rtoAt = now + _rtt.Rto;
        }
    }

    /// <summary>
    /// Sends data while the windows allow: in recovery, holes first (RFC 6675 §5 NextSeg, or
    /// RFC 6582's one segment per partial ACK) while cwnd − pipe ≥ 1 SMSS; otherwise new data within
    /// min(SND.WND, cwnd), with Nagle (RFC 896, RFC 9293 §3.7.4) and sender SWS avoidance
    /// (RFC 9293 §3.8.6.2.1). Returns whether a segment went out (it carried the ACK).
    /// </summary>
    private bool SendData(Instant now, ITcpSegmentSink sink)
    {
        bool sent = false;
        bool cut = false; // set by every CutToWindow, and read only for the hole it cut: no per-segment cost for new data
        for (int n = 0; n < MaxSegmentsPerOutput; n++)
        {
            SequenceNumber seq;
            int length;
            bool fin;
            bool hole = false;
            if (_inRecovery)
            {
                // The retransmission that starts a recovery (RFC 5681 §3.2 step 4, RFC 6675 §5 step 4.3)
                // and NewReno's after a partial ACK (RFC 6582 §3.2 step 5) go whatever cwnd says: with
                // cwnd = ssthresh and a small flight, cwnd − pipe can be below one MSS and nothing would
                // go out until the timer.
                bool first = _retransmitFirst;
                if (!first && CongestionWindow - Pipe() < _sndMss)
                {
                    break;
                }
                hole = TryNextHole(first, rescue: false, out seq, out length, out fin);
                if (hole && !CutToWindow(seq, ref length, ref fin, out cut))
                {
                    break; // the window opens later (an ACK, or the persist timer's probe): the first retransmission still goes then
                }
                if (first && !hole)
                {
                    _retransmitFirst = false;
                    continue;
                }
                if (!hole && !TryNewData(out seq, out length, out fin, windowOnly: true))
                {
                    // RFC 6675 §4 NextSeg rule 3: no lost segment and no new data, so an un-SACKed hole
                    // below the highest SACKed byte (else it waits for the timer once no more ACKs come).
                    hole = _sackOn && TryNextHole(first: false, rescue: true, out seq, out length, out fin);
                    if (!hole || !CutToWindow(seq, ref length, ref fin, out cut))
                    {
                        break;
                    }
                }
            }
            else if (!TryNewData(out seq, out length, out fin, windowOnly: false))
            {
                break;
            }
            if (!Emit(sink, seq, length, fin ? TcpFlags.Fin : TcpFlags.None, now))
            {
                break;
            }
            sent = true;
            _forceSend = false;
            int seqLength = length + (fin ? 1 : 0);
            _rack?.OnSent(seq, seq + seqLength, now);
            if (hole)
            {
                _retransmitFirst = false;
                if (seq + seqLength > _highRxt)
                {
                    _highRxt = seq + seqLength;
                }
                _shared.Counters.RetransmittedSegmentsField++;
                if (cut)
                {
                    _shared.Counters.WindowLimitedRetransmissionsField++;
                }
            }
            else
            {
                bool again = seq < _sndMax;
                if (again)
                {
                    _shared.Counters.RetransmittedSegmentsField++;
                    CountIfCutByWindow(seq, length);
                }
                else if (!_timing && seqLength > 0)
                {
                    _timing = true;
                    _timedSeq = seq;
                    _timedAt = now;
                }
                _sndNxt = seq + seqLength;
                if (_sndNxt > _sndMax)
                {
                    _sndMax = _sndNxt;
                }
            }
            if (_rtoAt == Instant.Never)
            {
                _rtoAt = now + _rtt.Rto;
            }
            if (fin)
            {
                break;
            }
        }
        return sent;
    }

    /// <summary>The next new segment from SND.NXT, if the windows, Nagle and SWS avoidance let it go.</summary>
    private bool TryNewData(out SequenceNumber seq, out int length, out bool fin, bool windowOnly)
    {
        if (_sackOn && _sndNxt < _sndMax)
        {
            // Going back over sent data after a timeout: what the receiver has SACKed since needs no
            // second copy (RFC 6675 §5.1: use the SACK information of the recovery after an RTO).
            while (_sndNxt < _sndMax && _sacks.TryGetSackedRange(_sndNxt, out var end))
            {
                _sndNxt = end < _sndMax ? end : _sndMax;
            }
        }
        seq = _sndNxt;
        int queued = Math.Max(0, SendEnd - _sndNxt);
        long window = windowOnly ? _sndWnd : Math.Min(_sndWnd, (long)CongestionWindow);
        long usable = window - (_sndNxt - _sndUna);
        if (_forceSend && usable <= 0)
        {
            // The persist timer overrides SWS avoidance and the congestion window once, not the peer's window.
            long inWindow = _sndWnd - (_sndNxt - _sndUna);
            if (inWindow > 0)
            {
                usable = Math.Min(inWindow, _sndMss);
            }
        }
        int room = SegmentRoom();
        length = (int)Math.Clamp(Math.Min(queued, usable), 0, room);
        // The FIN follows this data; it goes only with its sequence number inside the window (RFC 9293 §3.8.6), which
        // the data may fill exactly: it then waits for the window to open, and the persist timer makes sure it does.
        bool finNext = _finQueued && _sndNxt + length == SendEnd;
        fin = finNext && (usable > length || length > 0 || _forceSend) && SendEnd < SendWindowEdge;
        if (length == 0)
        {
            return fin;
        }
        if (length < room && !_forceSend)
        {
            bool allQueued = length == queued;
            if (!allQueued)
            {
                // Window-limited: hold a runt unless it is at least half the largest window seen. Not when going back
                // over sent data (after a timeout) to a right edge at or below SND.MAX, a window that shrank under what
                // was sent: that data went in full segments before, and holding it would delay the retransmission by a
                // persist timeout.
                if (length < _maxSndWnd / 2 && (_sndNxt + length != SendWindowEdge || SendWindowEdge > _sndMax))
                {
                    return false;
                }
            }
            else if (!NoDelay && !finNext && _sndNxt != _sndUna)
            {
                return false; // Nagle: a small segment waits while data is unacknowledged (not the last one before the FIN)
            }
        }
        return true;
    }

    /// <summary>
    /// RFC 6675 §4 NextSeg rule 1 with SACK: the first un-SACKed, lost byte above HighRxt (with
    /// <paramref name="rescue"/>, rule 3: un-SACKed below the highest SACKed byte); without SACK
    /// (RFC 6582), the segment at SND.UNA once per partial acknowledgment. <paramref name="first"/>:
    /// the first un-SACKed segment at SND.UNA, the retransmission that starts a recovery.
    /// </summary>
    private bool TryNextHole(bool first, bool rescue, out SequenceNumber seq, out int length, out bool fin)
    {
        length = 0;
        fin = false;
        seq = !first && _highRxt > _sndUna ? _highRxt : _sndUna;
        int holeLength;
        if (_rack is not null && !first)
        {
            // RFC 8985: RACK's marks say what is lost, retransmissions included; nothing is resent on a guess (no rule 3).
            if (rescue || !_rack.NextLost(_sacks, _sndUna, out seq, out holeLength))
            {
                return false;
            }
        }
        else if (_sackOn)
        {
            var limit = first ? _sndMax : rescue ? _sacks.HighSacked(_sndUna) : _sacks.LostBoundary(_sndUna, _sndMss);
            if (!_sacks.NextHole(seq, limit, out seq, out holeLength))
            {
                return false;
            }
        }
        else
        {
            if (!first && _highRxt > _sndUna)
            {
                return false;
            }
            seq = _sndUna;
            holeLength = Math.Min(_sndMss + 1, _sndMax - _sndUna);
        }
        length = Math.Clamp(SendEnd - seq, 0, Math.Min(holeLength, SegmentRoom()));
        fin = _finQueued && seq + length == SendEnd && holeLength > length;
        return length > 0 || fin;
    }

    /// <summary>
    /// RFC 9293 §3.8.6 (SHLD-16; RFC 1122 §4.2.2.16): when the peer's window shrank, retransmit the old data between
    /// SND.UNA and SND.UNA + SND.WND. MAY-7 lets a sender go further, but a receiver drops what lies beyond its window
    /// (Linux drops any data into a zero window), so such copies are wasted: a retransmission never goes past the
    /// right edge. Cuts [<paramref name="seq"/>, <paramref name="seq"/> + <paramref name="length"/>) there, the FIN
    /// with it unless its sequence number is inside; false when nothing is (a zero window: the persist timer probes
    /// it, §3.8.6.1). <paramref name="cut"/>: the segment is shorter than it would have been.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // recovery only: keeps SendData's loop, which sends new data, small
    private bool CutToWindow(SequenceNumber seq, ref int length, ref bool fin, out bool cut)
    {
        int inWindow = SendWindowEdge - seq;
        cut = length + (fin ? 1 : 0) > inWindow;
        if (cut)
        {
            fin = false;
            length = Math.Clamp(inWindow, 0, length);
        }
        return length > 0 || fin;
    }

    /// <summary>Going back over sent data (<see cref="TryNewData"/> after a timeout): counts a segment the window stopped short of SND.MAX.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CountIfCutByWindow(SequenceNumber seq, int length)
    {
        var edge = SendWindowEdge;
        if (length < SegmentRoom() && seq + length == edge && edge < _sndMax)
        {
            _shared.Counters.WindowLimitedRetransmissionsField++;
        }
    }

    /// <summary>SND.UNA + SND.WND: the first sequence number beyond the peer's window.</summary>
    private SequenceNumber SendWindowEdge => _sndUna + (int)Math.Min(_sndWnd, int.MaxValue);

    /// <summary>
    /// Data bytes that fit one segment now: the MSS less the SACK option when one goes along
    /// (RFC 9293 §3.7.1: the MSS counts data only, so a larger header means less data).
    /// </summary>
    private int SegmentRoom()
    {
        if (!_sackOn || (!_recv.HasOutOfOrder && !_dsack.HasValue))
        {
            return _sndMss;
        }
        int blocks = Math.Min(_recv.OutOfOrderRanges + (_dsack.HasValue ? 1 : 0), _tsOn ? TcpOptions.MaxSackBlocks - 1 : TcpOptions.MaxSackBlocks);
        return _sndMss - (4 + 8 * blocks);
    }

    /// <summary>RFC 6675 §4 SetPipe: bytes still in the network. Without SACK, RFC 6582's view: each duplicate ACK is a segment that left.</summary>
    private long Pipe()
    {
        int outstanding = _sndMax - _sndUna;
        int retransmitted = _highRxt > _sndUna ? _highRxt - _sndUna : 0;
        if (!_sackOn)
        {
            return Math.Max(0, outstanding - (long)_dupAcks * _sndMss) + retransmitted;
        }
        if (_rack is not null)
        {
            // RFC 8985 with RFC 6675's pipe: lost means marked by RACK; a lost segment sent again is back in the network.
            return Math.Max(0, (long)outstanding - _sacks.SackedBytes - _rack.LostBytes + _rack.RetransmitInFlightBytes);
        }
        var lostBoundary = _sacks.LostBoundary(_sndUna, _sndMss);
        int lost = (lostBoundary - _sndUna) - _sacks.SackedBetween(_sndUna, lostBoundary);
        var retransmittedEnd = _highRxt < lostBoundary ? _highRxt : lostBoundary;
        int retransmittedLost = retransmittedEnd > _sndUna ? (retransmittedEnd - _sndUna) - _sacks.SackedBetween(_sndUna, retransmittedEnd) : 0;
        return outstanding - _sacks.SackedBytes - lost + retransmittedLost;
    }

    /// <summary>Sends one segment with the ACK, window and options every synchronized segment carries.</summary>
    private bool Emit(ITcpSegmentSink sink, SequenceNumber seq, int length, TcpFlags flags, Instant now)
    {
        ReadOnlySpan<byte> first = default;
        ReadOnlySpan<byte> second = default;
        if (length > 0)
        {
            _send.Peek(seq - _sendStart, length, out first, out second);
            if (seq + length == SendEnd)
            {
                flags |= TcpFlags.Psh; // the last queued byte: the receiver should deliver now (RFC 9293 §3.9.1.2)
            }
        }
        var options = default(TcpOptions);
        if (_tsOn)
        {
            options.Timestamps = (TsNow(now), _tsRecent);
        }
        if (_sackOn && (_recv.HasOutOfOrder || _dsack.HasValue))
        {
            int blocks = _tsOn ? TcpOptions.MaxSackBlocks - 1 : TcpOptions.MaxSackBlocks;
            if (_dsack is SackBlock duplicate)
            {
                options.AddSackBlock(duplicate); // RFC 2883 §4: first, and in one ACK only
                blocks--;
            }
            _recv.WriteSackBlocks(ref options, blocks);
        }
        var header = new TcpHeader(seq, _rcvNxt, flags | TcpFlags.Ack, NextWindow());
        if (!sink.Send(Tuple, in header, in options, first, second, now))
        {
            return false;
        }
        _shared.Counters.SegmentsSentField++;
        _lastAckSent = _rcvNxt;
        _dsack = null;
        _ackNow = false;
        _unackedBytes = 0;
        _delackAt = Instant.Never;
        return true;
    }

    /// <summary>A RST (or a segment answering an unacceptable ACK) outside the connection's flow.</summary>
    private void SendBare(ITcpSegmentSink sink, SequenceNumber seq, SequenceNumber ack, TcpFlags flags, Instant now)
    {
        var options = default(TcpOptions);
        var header = new TcpHeader(seq, ack, flags, 0);
        if (sink.Send(Tuple, in header, in options, default, default, now))
        {
            _shared.Counters.SegmentsSentField++;
            if ((flags & TcpFlags.Rst) != 0)
            {
                _shared.Counters.ResetsSentField++;
            }
        }
    }

    /// <summary>
    /// The window field to send: the receive queue's free space, with the right edge never moved
    /// left and moved right only by min(half the buffer, MSS) at a time (receiver SWS avoidance,
    /// RFC 9293 §3.8.6.2.2), scaled (RFC 7323 §2.3).
    /// </summary>
    /// <remarks>
    /// Scaling counts the window in units of 2^shift bytes from RCV.NXT, which moves by any number of
    /// bytes, so the edge announced before is rarely a whole number of units away. Rounding down would
    /// then pull the edge left by a few bytes: the window shrinks, which a receiver SHOULD NOT do
    /// (RFC 9293 §3.8.6.2.1; RFC 7323 Appendix F describes this retraction): a sender that already sent
    /// up to the old edge sees its last bytes fall outside the window, and Linux then trims what it sends
    /// to the new edge. So the field rounds up to the old edge, as Linux's tcp_select_window and FreeBSD's
    /// tcp_output do; the bytes announced beyond the queue's free space land in its slack
    /// (<see cref="TcpReceiveQueue.Room"/>).
    /// </remarks>
    private ushort NextWindow()
    {
        var right = _rcvNxt + _recv.Free;
        if (right - _rcvAdvRight < Math.Min(_recv.Capacity / 2, _rcvMss) && _rcvAdvRight > _rcvNxt)
        {
            right = _rcvAdvRight;
        }
        if (right < _rcvAdvRight)
        {
            right = _rcvAdvRight;
        }
        long bytes = Math.Max(0, right - _rcvNxt);
        long window = bytes >> _rcvShift;
        if (_rcvNxt + (int)Math.Min(window << _rcvShift, int.MaxValue) < _rcvAdvRight)
        {
            window++; // whole units reach only short of the edge already announced: one more, not a shrink
        }
        ushort field = (ushort)Math.Min(window, ushort.MaxValue);
        var advertised = _rcvNxt + (field << _rcvShift);
        if (advertised > _rcvAdvRight)
        {
            _rcvAdvRight = advertised;
        }
        return field;
    }

    /// <summary>Our timestamp clock: milliseconds plus the connection's offset (RFC 7323 §5.4).</summary>
    private uint TsNow(Instant now) => unchecked((uint)(now.Nanoseconds / 1_000_000) + _tsOffset);
}
