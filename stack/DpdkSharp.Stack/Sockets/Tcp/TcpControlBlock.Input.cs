using System.Net.Sockets;

namespace DpdkSharp.Stack.Sockets;

/// <summary>Segment arrival (RFC 9293 §3.10.7), hardened per RFC 5961 and RFC 7323.</summary>
internal sealed partial class TcpControlBlock
{
    private Instant _lastReceivedAt;

    /// <summary>
    /// Processes a segment the table matched to this connection (checksum already verified, options
    /// parsed). Returns false when it was dropped (counted by reason); acknowledgments it calls for
    /// go out on the next <see cref="Output"/>.
    /// </summary>
    public bool Receive(in TcpSegment segment, in TcpOptions options, Instant now)
    {
        _shared.Counters.SegmentsReceivedField++;
        _lastReceivedAt = now;
        _keepaliveProbes = 0;
        switch (State)
        {
            case TcpState.Closed:
                return Drop(DropReason.NoSocket);
            case TcpState.SynSent:
                return ReceiveInSynSent(in segment, in options, now);
        }
        var flags = segment.Flags;
        bool rst = (flags & TcpFlags.Rst) != 0;

        // RFC 7323 §5.3 R1 (PAWS): an older timestamp than TS.Recent means an old duplicate.
        if (_tsOn && !rst && options.Timestamps is var (tsval, _) && (int)(tsval - _tsRecent) < 0)
        {
            AckUnacceptable(in segment, now);
            return Drop(DropReason.PawsRejected);
        }

        // A retransmitted SYN in SYN-RECEIVED: our SYN-ACK was lost, send it again.
        if (State == TcpState.SynReceived && (flags & (TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Rst)) == TcpFlags.Syn && segment.Sequence == _irs)
        {
            _synPending = true;
            return true;
        }

        // Simultaneous open (RFC 9293 §3.5 figure 7, lines 6-7): the peer's SYN,ACK repeats its SYN at
        // IRS, which the sequence check below would find unacceptable (it ends at RCV.NXT), leaving
        // us in SYN-RECEIVED until a retransmission. Its ACK of our SYN completes the handshake, as
        // Linux lets it (tcp_validate_incoming). Its window is a SYN's: never scaled (RFC 7323 §2.2).
        if (State == TcpState.SynReceived && !Passive && (flags & (TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Rst)) == (TcpFlags.Syn | TcpFlags.Ack)
            && segment.Sequence == _irs && segment.Acknowledgment == _iss + 1 && _sndUna == _iss)
        {
            AcknowledgeSyn(segment.Acknowledgment, now);
            State = TcpState.Established;
            _sndWnd = segment.Window;
            _maxSndWnd = Math.Max(_maxSndWnd, _sndWnd);
            _sndWl1 = segment.Sequence;
            _sndWl2 = segment.Acknowledgment;
            if (_tsOn && options.Timestamps is var (synAckTs, _))
            {
                _tsRecent = synAckTs; // RFC 7323 §4.3: PAWS passed above, so it is the newest
            }
            ArmKeepalive();
            return true;
        }

        // First: sequence number acceptability (RFC 9293 §3.10.7.4).
        int rcvWnd = Math.Max(0, _rcvAdvRight - _rcvNxt);
        if (!Acceptable(segment.Sequence, segment.SequenceLength, rcvWnd))
        {
            if (rst)
            {
                return Drop(DropReason.OutOfWindow); // RFC 5961 §3.2: an out-of-window RST is silently dropped
            }
            // A zero window still takes valid ACKs (RFC 9293 §3.10.7.4, "special allowance"). Valid:
            // the ACK field passes the same checks as on the normal path below (nothing beyond SND.MAX,
            // RFC 5961 §5.2), or a forged one would acknowledge data never sent and strand the send queue.
            // The sequence number may lie below RCV.NXT, by up to the most we ever let the peer have in
            // flight: Linux's window probes carry SND.UNA − 1, and a sender that rewound SND.NXT (BSD does
            // on a timeout) sends its ACKs from there. Refusing those while our application waits for the
            // very acknowledgments they carry can leave both sides waiting.
            var zeroWindowAck = segment.Acknowledgment;
            if (rcvWnd == 0 && segment.Sequence <= _rcvNxt && _rcvNxt - segment.Sequence <= (long)_recv.MaxCapacity + (1 << _rcvShift)
                && (flags & (TcpFlags.Ack | TcpFlags.Syn)) == TcpFlags.Ack && State != TcpState.SynReceived
                && zeroWindowAck <= _sndMax && zeroWindowAck >= _sndUna - (int)Math.Min(_maxSndWnd, int.MaxValue))
            {
                ProcessAck(in segment, in options, now);
            }
            if (!segment.Payload.IsEmpty && segment.Sequence + segment.Payload.Length <= _rcvNxt && segment.Sequence - _rcvNxt > -(1 << 30))
            {
                ReportDuplicate(segment.Sequence, segment.Payload.Length); // all of it arrived before: the peer's retransmission was spurious
            }
            AckUnacceptable(in segment, now);
            return Drop(DropReason.OutOfWindow);
        }

        // Second: RST (RFC 5961 §3.2: only an exact RCV.NXT match resets; in window, challenge).
        if (rst)
        {
            if (segment.Sequence != _rcvNxt)
            {
                ChallengeAck(now);
                return Drop(DropReason.OutOfWindow);
            }
            _shared.Counters.ResetsReceivedField++;
            var error = State switch
            {
                TcpState.SynReceived => Passive ? SocketError.ConnectionReset : SocketError.ConnectionRefused,
                TcpState.Closing or TcpState.LastAck or TcpState.TimeWait => SocketError.Success,
                _ => SocketError.ConnectionReset,
            };
            if (error == SocketError.ConnectionReset)
            {
                _shared.Counters.ConnectionsResetReceivedField++;
            }
            Close(error);
            return true;
        }

        // Fourth: a SYN in a synchronized state is answered with a challenge ACK (RFC 5961 §4.2).
        if ((flags & TcpFlags.Syn) != 0)
        {
            ChallengeAck(now);
            return Drop(DropReason.UnexpectedSyn);
        }

        // Fifth: the ACK field.
        if ((flags & TcpFlags.Ack) == 0)
        {
            return Drop(DropReason.Malformed); // RFC 9293 §3.10.7.4: "if the ACK bit is off, drop the segment"
        }
        var ack = segment.Acknowledgment;
        if (ack > _sndMax)
        {
            // It acknowledges something not yet sent.
            if (_sndUna == _iss)
            {
                _resetReply = (ack, default, TcpFlags.Rst); // SYN-RECEIVED: "form a reset segment"
            }
            else
            {
                _ackNow = true;
            }
            return Drop(DropReason.OutOfWindow);
        }
        if (ack < _sndUna - (int)Math.Min(_maxSndWnd, int.MaxValue))
        {
            ChallengeAck(now); // RFC 5961 §5.2: too old to be a real acknowledgment
            return Drop(DropReason.OutOfWindow);
        }
        if (_sndUna == _iss && ack == _iss)
        {
            _resetReply = (ack, default, TcpFlags.Rst); // SYN-RECEIVED: the ACK does not cover our SYN
            return Drop(DropReason.OutOfWindow);
        }
        ProcessAck(in segment, in options, now);
        if (State == TcpState.Closed)
        {
            return true;
        }

        // RFC 7323 §4.3 (R3): remember the newest timestamp of a segment that covers Last.ACK.sent.
        if (_tsOn && options.Timestamps is var (value, _) && (int)(value - _tsRecent) >= 0 && segment.Sequence <= _lastAckSent)
        {
            _tsRecent = value;
        }

        // Sixth: URG. The urgent pointer is ignored; urgent bytes arrive inline with the rest (RFC 6093 §5:
        // applications should not rely on it), so urgent data can neither crash nor reorder the stream.

        // Seventh: segment text.
        bool dataKept = true;
        if (!segment.Payload.IsEmpty)
        {
            dataKept = ProcessData(segment.Sequence, segment.Payload, now);
            if (State == TcpState.Closed)
            {
                return dataKept;
            }
        }

        // Eighth: FIN. Remembered even out of order; it counts once RCV.NXT reaches it.
        if ((flags & TcpFlags.Fin) != 0 && !_finReceived)
        {
            _peerFin = segment.Sequence + segment.Payload.Length;
            _ackNow = true;
        }
        TryTakeFin(now);
        ArmKeepalive();
        return dataKept; // data dropped (and counted) makes the segment a drop, though its ACK was used
    }

    /// <summary>RFC 9293 §3.10.7.3: the answer to our SYN (or a simultaneous open).</summary>
    private bool ReceiveInSynSent(in TcpSegment segment, in TcpOptions options, Instant now)
    {
        var flags = segment.Flags;
        bool hasAck = (flags & TcpFlags.Ack) != 0;
        if (hasAck && (segment.Acknowledgment <= _iss || segment.Acknowledgment > _sndMax))
        {
            if ((flags & TcpFlags.Rst) == 0)
            {
                _resetReply = (segment.Acknowledgment, default, TcpFlags.Rst);
            }
            return Drop(DropReason.OutOfWindow);
        }
        if ((flags & TcpFlags.Rst) != 0)
        {
            if (!hasAck)
            {
                return Drop(DropReason.OutOfWindow);
            }
            _shared.Counters.ResetsReceivedField++;
            _shared.Counters.FailedConnectsField++;
            Close(SocketError.ConnectionRefused);
            return true;
        }
        if ((flags & TcpFlags.Syn) == 0)
        {
            return Drop(DropReason.Malformed);
        }
        TakePeerSyn(in segment, in options);
        if (!hasAck)
        {
            // Simultaneous open: answer with SYN,ACK from SYN-RECEIVED.
            State = TcpState.SynReceived;
            _synPending = true;
            return true;
        }
        AcknowledgeSyn(segment.Acknowledgment, now);
        State = TcpState.Established;
        _ackNow = true;
        bool dataKept = segment.Payload.IsEmpty || ProcessData(segment.Sequence + 1, segment.Payload, now);
        if ((flags & TcpFlags.Fin) != 0)
        {
            _peerFin = segment.Sequence + 1 + segment.Payload.Length;
        }
        TryTakeFin(now);
        ArmKeepalive();
        return dataKept;
    }

    /// <summary>Takes the peer's SYN: its sequence number and options (RFC 7323 §2.2, §3.2; RFC 2018 §2; RFC 9293 §3.7.1).</summary>
    private void TakePeerSyn(in TcpSegment syn, in TcpOptions options)
    {
        _irs = syn.Sequence;
        _rcvNxt = _irs + 1;
        _rcvAdvRight = _rcvNxt;
        _sndWnd = syn.Window; // never scaled in a SYN
        _maxSndWnd = _sndWnd;
        _sndWl1 = syn.Sequence;
        _sndWl2 = syn.Acknowledgment;
        // Each option is on only when both SYNs carry it.
        if (options.WindowScale is byte shift && _options.WindowScaling)
        {
            _wsOn = true;
            _sndShift = shift;
        }
        else
        {
            _wsOn = false;
            _sndShift = 0;
            _rcvShift = 0;
        }
        if (options.Timestamps is var (tsval, _) && _options.Timestamps)
        {
            _tsOn = true;
            _tsRecent = tsval;
        }
        _sackOn = options.SackPermitted && _options.SelectiveAcknowledgments;
        StartRack();
        SetMss(options.Mss ?? DefaultMss);
    }

    /// <summary>RFC 9293 §3.7.1: the MSS assumed when a SYN carries none.</summary>
    private const int DefaultMss = 536;

    private bool Acceptable(SequenceNumber seq, int length, int window)
    {
        if (length == 0)
        {
            return window == 0 ? seq == _rcvNxt : seq.IsInWindow(_rcvNxt, (uint)window);
        }
        return window > 0 && (seq.IsInWindow(_rcvNxt, (uint)window) || (seq + (length - 1)).IsInWindow(_rcvNxt, (uint)window));
    }

    /// <summary>
    /// Answers an unacceptable segment with an ACK (RFC 9293 §3.10.7.4), but one without data at most
    /// every <see cref="OutOfWindowAckInterval"/> per connection, as Linux's tcp_invalid_ratelimit
    /// does: a flood of junk (or two stacks disagreeing in a loop) must not become a flood of ACKs.
    /// Segments with data are always answered: they are what a real peer retransmits.
    /// </summary>
    private void AckUnacceptable(in TcpSegment segment, Instant now)
    {
        if (!segment.Payload.IsEmpty || now - _lastOutOfWindowAck >= OutOfWindowAckInterval || _lastOutOfWindowAck == default)
        {
            _lastOutOfWindowAck = now;
            _ackNow = true;
            return;
        }
        _shared.Counters.ChallengeAcksThrottledField++;
    }

    /// <summary>Linux's default tcp_invalid_ratelimit.</summary>
    private static readonly TimeSpan OutOfWindowAckInterval = TimeSpan.FromMilliseconds(500);

    private Instant _lastOutOfWindowAck;

    private void ChallengeAck(Instant now)
    {
        if (_shared.TryChallengeAck(now))
        {
            _ackNow = true;
        }
    }

    private bool Drop(DropReason reason)
    {
        _shared.Drop(reason);
        return false;
    }

    /// <summary>Our SYN is acknowledged: the handshake's half that is ours is done.</summary>
    private void AcknowledgeSyn(SequenceNumber ack, Instant now)
    {
        _sndUna = _iss + 1;
        if (_sndNxt < _sndUna)
        {
            _sndNxt = _sndUna;
        }
        if (_timing && _timedSeq == _iss)
        {
            AddRttSample(now - _timedAt);
            _timing = false;
        }
        if (_retries > 0)
        {
            _rtt.AfterSynTimeout(); // RFC 6298 §5.7: the SYN timed out, so data starts with an RTO of 3 s
        }
        _retries = 0;
        _rtoAt = _sndMax > _sndUna ? now + _rtt.Rto : Instant.Never;
        _events |= TcpEvents.Connected | TcpEvents.Writable;
        if (Passive)
        {
            _shared.Counters.PassiveOpensField++;
        }
        if (ack > _sndUna)
        {
            AdvanceUna(ack, null, now); // a FIN (or data) acknowledged with the SYN
        }
    }

    /// <summary>RFC 9293 §3.10.7.4 "fifth" with RFC 6675 and RFC 6582 loss detection.</summary>
    private void ProcessAck(in TcpSegment segment, in TcpOptions options, Instant now)
    {
        var ack = segment.Acknowledgment;
        if (_sndUna == _iss)
        {
            // SYN-RECEIVED → ESTABLISHED (or FIN-WAIT-1 if the application already shut down).
            AcknowledgeSyn(ack, now);
            if (State == TcpState.SynReceived)
            {
                State = TcpState.Established;
            }
            _sndWl1 = segment.Sequence - 1; // take this segment's window below
        }
        long previousWindow = _sndWnd;
        if (_sndWl1 < segment.Sequence || (_sndWl1 == segment.Sequence && _sndWl2 <= ack))
        {
            long window = (long)segment.Window << _sndShift;
            if (window == 0 && _sndWnd > 0)
            {
                _shared.Counters.ZeroWindowEventsField++;
            }
            _sndWnd = window;
            _sndWl1 = segment.Sequence;
            _sndWl2 = ack;
            _maxSndWnd = Math.Max(_maxSndWnd, window);
            if (window > 0)
            {
                _persistAt = Instant.Never;
                _persistBackoffs = 0;
            }
        }
        bool advanced = ack > _sndUna;
        uint? tsEcr = _tsOn && options.Timestamps is var (_, echoed) ? echoed : null;
        if (advanced)
        {
            AdvanceUna(ack, tsEcr, now);
        }
        _rack?.OnCumulativeAck(_sndUna, tsEcr, _rtt.MinRtt ?? TimeSpan.Zero, now);
        bool newSack = false;
        if (_sackOn)
        {
            for (int i = 0; i < options.SackBlockCount; i++)
            {
                var block = options.GetSackBlock(i);
                if (_sacks.Add(block, _sndUna, _sndMax))
                {
                    newSack = true;
                    _rack?.OnSacked(_sacks, block.Left, block.Right, tsEcr, _rtt.MinRtt ?? TimeSpan.Zero, now);
                }
            }
            if (_rack is not null && IsDsack(in options, ack))
            {
                _rack.OnDsack(_sndUna, _sndMax);
            }
        }
        if (_rack is not null)
        {
            // RFC 8985 replaces the duplicate-ACK threshold (and §7.4's probe rule: the probe's SACK is RACK's evidence).
            DetectRackLosses(now);
        }
        else if (_tlpOutstanding && !advanced && newSack && !_inRecovery && ack == _sndUna)
        {
            // RFC 8985 §7.4: the probe (the tail) arrived and what is below it did not: recover now.
            _tlpOutstanding = false;
            EnterRecovery(now);
        }
        else if (!advanced && ack == _sndUna && segment.Payload.IsEmpty && (segment.Flags & (TcpFlags.Syn | TcpFlags.Fin)) == 0
            && _sndMax > _sndUna && (_sndWnd == previousWindow || newSack))
        {
            // RFC 5681 §2 "DUPLICATE ACKNOWLEDGMENT" (with SACK: one that reports new data, RFC 6675 §5).
            _dupAcks++;
            if (!_inRecovery && _sndUna >= _recoveryPoint
                && (_dupAcks >= SackScoreboard.DupThresh || (_sackOn && _sacks.LostBoundary(_sndUna, _sndMss) > _sndUna)))
            {
                EnterRecovery(now);
            }
        }
        AfterAckStateChanges(now);
    }

    /// <summary>
    /// RFC 8985 §6.2 step 5: RACK marks what is lost now (lost retransmissions included) and says when
    /// the next segment would be (the reordering timer); a loss outside recovery starts one.
    /// </summary>
    private void DetectRackLosses(Instant now)
    {
        long lostRetransmissions = _rack!.LostRetransmissions;
        bool lost = _rack.DetectLosses(now, _sndUna, _inRecovery, _rtt.MinRtt ?? TimeSpan.Zero, _rtt.SmoothedRtt ?? TimeSpan.Zero, out _rackAt);
        _shared.Counters.LostRetransmissionsField += _rack.LostRetransmissions - lostRetransmissions;
        if (lost && !_inRecovery)
        {
            EnterRecovery(now);
        }
    }

    /// <summary>
    /// RFC 2883 §4: a D-SACK (the receiver got something twice) is a first block the cumulative ACK
    /// covers, or one inside the second block.
    /// </summary>
    private static bool IsDsack(in TcpOptions options, SequenceNumber ack)
    {
        if (options.SackBlockCount == 0)
        {
            return false;
        }
        var first = options.GetSackBlock(0);
        if (first.Right <= first.Left)
        {
            return false;
        }
        if (first.Right <= ack)
        {
            return true;
        }
        if (options.SackBlockCount < 2)
        {
            return false;
        }
        var second = options.GetSackBlock(1);
        return first.Left >= second.Left && first.Right <= second.Right;
    }

    /// <summary>RFC 6675 §5 step 4 / RFC 6582 §3.2 step 2: loss detected; retransmission starts on the next Output.</summary>
    private void EnterRecovery(Instant now)
    {
        _tlpAt = Instant.Never;
        _inRecovery = true;
        _recoveryPoint = _sndMax;
        _highRxt = _sndUna;
        _retransmitFirst = true;
        _timing = false; // Karn: the timed segment may be the one retransmitted
        _cc.OnCongestionEvent(_sndMax - _sndUna, now);
        if (_sackOn)
        {
            _shared.Counters.SackRecoveriesField++;
        }
        else
        {
            _shared.Counters.FastRecoveriesField++;
        }
    }

    /// <summary>New data acknowledged: free it, sample the RTT, grow the window or advance recovery, restart the timer.</summary>
    private void AdvanceUna(SequenceNumber ack, uint? tsEcr, Instant now)
    {
        int acked = ack - _sndUna;
        int flight = _sndMax - _sndUna;
        var dataTo = ack < SendEnd ? ack : SendEnd;
        int dataAcked = dataTo - _sendStart;
        if (dataAcked > 0)
        {
            _send.Discard(dataAcked);
            _send.RewindIfEmpty();
            _sendStart += dataAcked;
            _events |= TcpEvents.Writable;
        }
        _sndUna = ack;
        if (_sndNxt < _sndUna)
        {
            _sndNxt = _sndUna;
        }
        _sacks.Acknowledge(ack);
        _tlpAt = Instant.Never; // rescheduled from this ACK by the next Output (RFC 8985 §7.2)
        if (_tlpOutstanding && ack >= _tlpHighSeq)
        {
            _tlpOutstanding = false;
        }
        _retries = 0;
        TimeSpan? sample = null;
        if (_timing && ack > _timedSeq)
        {
            sample = now - _timedAt;
            AddRttSample(sample.Value);
            _timing = false;
        }
        else if (_rtt.Backoffs > 0 && tsEcr is uint echoed && echoed != 0 && unchecked(TsNow(now) - echoed) is var ms && ms < 60_000)
        {
            // Backed off and no timed segment (Karn's rule drops the samples of retransmitted data, and under
            // loss only retransmissions may be in flight): a timestamp echo is unambiguous even for a retransmission
            // (RFC 6298 §3, RFC 7323 §4), so it ends the backoff. Without it every RTO doubled the last one until
            // new data was timed, and a lossy recovery could sit out a 25 s timer. Millisecond clock: at least 1 ms.
            sample = TimeSpan.FromMilliseconds(Math.Max(1u, ms));
            AddRttSample(sample.Value);
        }
        if (_inRecovery)
        {
            if (ack >= _recoveryPoint)
            {
                _inRecovery = false;
                _dupAcks = 0;
                _retransmitFirst = false;
                if (_rtoRecovery)
                {
                    _rtoRecovery = false;
                    _cc.OnAck(acked, flight, sample, now); // slow start goes on: the timeout already set cwnd
                }
                else
                {
                    _cc.OnRecoveryEnd(now);
                }
                _rack?.OnRecoveryExit();
            }
            else
            {
                if (_rtoRecovery)
                {
                    _cc.OnAck(acked, flight, sample, now); // RFC 5681 §3.1: slow start from the loss window after a timeout
                }
                // A partial acknowledgment: the next hole is lost too (RFC 6582 §3.2 step 5).
                if (!_sackOn)
                {
                    _highRxt = _sndUna;
                    _dupAcks = 0;
                    _retransmitFirst = true;
                }
                else if (_highRxt < _sndUna)
                {
                    _highRxt = _sndUna;
                }
            }
        }
        else
        {
            _dupAcks = 0;
            _cc.OnAck(acked, flight, sample, now);
        }
        // RFC 6298 §5.2, §5.3: stop the timer when everything is acknowledged, else restart it.
        _rtoAt = _sndUna == _sndMax ? Instant.Never : now + _rtt.Rto;
    }

    /// <summary>Our FIN acknowledged moves the closing states on (RFC 9293 §3.10.7.4 "fifth", per state).</summary>
    private void AfterAckStateChanges(Instant now)
    {
        bool finAcked = _finQueued && _sndUna == SendEnd + 1;
        if (!finAcked)
        {
            return;
        }
        switch (State)
        {
            case TcpState.FinWait1:
                State = TcpState.FinWait2;
                if (_appClosed)
                {
                    // An orphan does not wait forever for the peer's FIN (Linux's tcp_fin_timeout).
                    _timeWaitAt = now + _options.TimeWaitDuration;
                }
                _events |= TcpEvents.Writable;
                break;
            case TcpState.Closing:
                EnterTimeWait(now);
                break;
            case TcpState.LastAck:
                Close(SocketError.Success);
                break;
        }
    }

    /// <summary>
    /// RFC 9293 §3.10.7.4 "seventh": in-order data moves RCV.NXT; data beyond a hole waits in the
    /// receive queue. False when the data was dropped (counted here under its reason), so that the
    /// caller reports the segment dropped and the frame is counted once, as every other drop is.
    /// </summary>
    private bool ProcessData(SequenceNumber seq, ReadOnlySpan<byte> data, Instant now)
    {
        if (State is not (TcpState.Established or TcpState.FinWait1 or TcpState.FinWait2))
        {
            return true; // after the peer's FIN no data can come: "ignore the segment text"
        }
        if (_appClosed)
        {
            // Nobody will read it: tell the peer (as Linux does for an orphaned socket).
            _abortPending = true;
            _shared.Drop(DropReason.NoSocket);
            return false;
        }
        if (seq < _rcvNxt)
        {
            int skip = _rcvNxt - seq;
            if (skip >= data.Length)
            {
                _ackNow = true; // a duplicate: acknowledge at once (RFC 5681 §4.2)
                ReportDuplicate(seq, data.Length);
                return true;
            }
            data = data[skip..];
            seq = _rcvNxt;
        }
        // What the window announced is kept, in the queue's slack where rounding it up announced more than
        // the queue's free space (see NextWindow); beyond the announced edge only what is free.
        int room = Math.Max(_recv.Free, Math.Min(_recv.Room, _rcvAdvRight - _rcvNxt)) - (seq - _rcvNxt);
        if (room <= 0)
        {
            _ackNow = true;
            _shared.Drop(DropReason.ReceiveBufferFull);
            return false;
        }
        if (data.Length > room)
        {
            data = data[..room];
        }
        bool filledHole = _recv.HasOutOfOrder;
        if (filledHole && _recv.Holds(seq, seq + data.Length))
        {
            _ackNow = true;
            ReportDuplicate(seq, data.Length);
            return true;
        }
        int advanced = _recv.Accept(_rcvNxt, seq, data);
        if (advanced < 0)
        {
            _ackNow = true;
            _shared.Drop(DropReason.ReceiveBufferFull);
            return false;
        }
        if (advanced == 0)
        {
            _ackNow = true; // out of order: a duplicate ACK with SACK blocks, at once (RFC 5681 §4.2)
            return true;
        }
        _rcvNxt += advanced;
        _events |= TcpEvents.Readable;
        if (data.Length > _rcvMss)
        {
            _rcvMss = data.Length;
        }
        TuneReceiveWindow(advanced, now);
        if (filledHole)
        {
            _ackNow = true;
            return true;
        }
        // RFC 9293 §3.8.6.3 / RFC 1122 §4.2.3.2: acknowledge at least every second full-sized segment; otherwise delay.
        _unackedBytes += advanced;
        if (_unackedBytes >= 2 * _rcvMss)
        {
            _ackNow = true;
        }
        else if (_delackAt == Instant.Never)
        {
            _delackAt = now + _options.DelayedAckTimeout;
        }
        return true;
    }

    /// <summary>
    /// RFC 2883 §4: data that arrived twice is reported in the next ACK's first SACK block (a D-SACK),
    /// which tells the sender its retransmission was spurious (RFC 8985 §6.2 step 4 widens its
    /// reordering window on it).
    /// </summary>
    private void ReportDuplicate(SequenceNumber seq, int length)
    {
        if (_sackOn && length > 0)
        {
            _dsack = new SackBlock(seq, seq + length);
        }
    }

    /// <summary>
    /// Feeds a round-trip measurement to the estimator (RFC 6298 §2) and to the metrics: the sample and the
    /// smoothed RTT it leads to, so the histograms see every measurement the timer does (the handshake's too).
    /// </summary>
    private void AddRttSample(TimeSpan sample)
    {
        _rtt.AddSample(sample);
        _shared.RttRecorder?.Invoke(sample.TotalMilliseconds, _rtt.SmoothedRtt!.Value.TotalMilliseconds);
    }

    /// <summary>
    /// Receive-window autotuning, the way Linux grows its receive buffer: when the application took
    /// more than half the buffer within one round trip, the window limits the sender, so double it.
    /// </summary>
    private void TuneReceiveWindow(int bytes, Instant now)
    {
        _rcvSpaceBytes += bytes;
        var period = _rtt.SmoothedRtt ?? TimeSpan.FromMilliseconds(1);
        if (period < TimeSpan.FromMilliseconds(1))
        {
            period = TimeSpan.FromMilliseconds(1);
        }
        if (now - _rcvSpaceStart < period)
        {
            return;
        }
        if (_rcvSpaceBytes > _recv.Capacity / 2 && _recv.Capacity < _recv.MaxCapacity)
        {
            GrowReceiveQueue();
        }
        _rcvSpaceBytes = 0;
        _rcvSpaceStart = now;
    }

    /// <summary>RFC 9293 §3.10.7.4 "eighth": the FIN counts once every byte before it arrived.</summary>
    private void TryTakeFin(Instant now)
    {
        if (_finReceived || _peerFin is not SequenceNumber fin || fin != _rcvNxt)
        {
            return;
        }
        _finReceived = true;
        _rcvNxt += 1;
        _ackNow = true;
        _events |= TcpEvents.Readable;
        switch (State)
        {
            case TcpState.SynReceived:
            case TcpState.Established:
                State = TcpState.CloseWait;
                break;
            case TcpState.FinWait1:
                if (_finQueued && _sndUna == SendEnd + 1)
                {
                    EnterTimeWait(now);
                }
                else
                {
                    State = TcpState.Closing;
                }
                break;
            case TcpState.FinWait2:
                EnterTimeWait(now);
                break;
        }
    }

    /// <summary>
    /// RFC 6191 §2 (RFC 1122 §4.2.2.13): a new SYN for a 4-tuple in TIME-WAIT may start a new
    /// connection when its timestamp is newer than the old connection's (or, without timestamps,
    /// its sequence number is beyond the old RCV.NXT).
    /// </summary>
    public bool AcceptsNewSyn(in TcpSegment syn, in TcpOptions options)
    {
        if (State != TcpState.TimeWait)
        {
            return false;
        }
        if (_tsOn && options.Timestamps is var (tsval, _))
        {
            return (int)(tsval - _tsRecent) > 0;
        }
        return syn.Sequence > _rcvNxt;
    }
}
