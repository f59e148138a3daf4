using System.Net.Sockets;

namespace DpdkSharp.Stack.Sockets;

/// <summary>Timers: retransmission (RFC 6298), persist (RFC 9293 §3.8.6.1), keepalive (RFC 1122 §4.2.3.6), delayed ACK, TIME-WAIT.</summary>
internal sealed partial class TcpControlBlock
{
    private Instant _rtoAt = Instant.Never;
    private Instant _delackAt = Instant.Never;
    private Instant _persistAt = Instant.Never;
    private Instant _keepaliveAt = Instant.Never;
    private Instant _timeWaitAt = Instant.Never;
    private Instant _tlpAt = Instant.Never;
    /// <summary>RFC 8985 §6.2 step 5: the RACK reordering timer, when a segment that may be lost waits out the window.</summary>
    private Instant _rackAt = Instant.Never;
    private bool _tlpPending;
    private bool _tlpOutstanding;
    private SequenceNumber _tlpHighSeq;
    private int _retries;
    private int _persistBackoffs;
    private int _keepaliveProbes;
    private bool _probePending;
    private bool _forceSend;
    private SocketError? _softError;

    /// <summary>When <see cref="OnTimer"/> next has work; <see cref="Instant.Never"/> when no timer runs.</summary>
    public Instant NextTimerAt =>
        Instant.Min(Instant.Min(Instant.Min(_rtoAt, _delackAt), Instant.Min(_persistAt, _keepaliveAt)), Instant.Min(Instant.Min(_timeWaitAt, _tlpAt), _rackAt));

    /// <summary>Whether a segment is owed now (the table calls <see cref="Output"/> for such connections).</summary>
    public bool WantsOutput => _ackNow || _tlpPending || _synPending || _abortPending || _probePending || _resetReply.HasValue || _forceSend
        || (State is not (TcpState.Closed or TcpState.TimeWait) && _sndUna != _iss && (SendEnd > _sndNxt || (_finQueued && _sndNxt <= SendEnd)));

    /// <summary>Runs the timers due at <paramref name="now"/>; what they send goes out on the next <see cref="Output"/>.</summary>
    public void OnTimer(Instant now)
    {
        if (now >= _timeWaitAt)
        {
            _timeWaitAt = Instant.Never;
            Close(State == TcpState.TimeWait ? SocketError.Success : SocketError.TimedOut);
            return;
        }
        if (now >= _tlpAt && _tlpAt <= _rtoAt && !_inRecovery && _sndMax != _sndUna)
        {
            // RFC 8985 §7.2-7.3: the probe was due no later than the retransmission timer; it goes instead,
            // and the timer restarts from it.
            _tlpAt = Instant.Never;
            _tlpPending = true;
            _rtoAt = now + _rtt.Rto;
        }
        if (now >= _rtoAt)
        {
            OnRetransmissionTimeout(now);
            if (State == TcpState.Closed)
            {
                return;
            }
        }
        if (now >= _rackAt)
        {
            _rackAt = Instant.Never;
            if (_rack is not null && _sndMax != _sndUna)
            {
                DetectRackLosses(now);
            }
        }
        if (now >= _tlpAt)
        {
            _tlpAt = Instant.Never;
            _tlpPending = !_inRecovery && _sndMax != _sndUna;
        }
        if (now >= _persistAt)
        {
            _persistAt = Instant.Never;
            _persistBackoffs++;
            if (_sndWnd == 0)
            {
                _probePending = true;
            }
            else
            {
                _forceSend = true;
            }
        }
        if (now >= _delackAt)
        {
            _delackAt = Instant.Never;
            _ackNow = true;
        }
        if (now >= _keepaliveAt)
        {
            OnKeepalive(now);
        }
    }

    /// <summary>
    /// An ICMP error about a segment of ours with sequence number <paramref name="seq"/>. Ignored
    /// (false) unless <paramref name="seq"/> lies in [SND.UNA, SND.MAX) (RFC 5927 §4.1, against blind
    /// attacks). Fragmentation needed lowers the MSS to the next hop's MTU and resends (RFC 1191 §6.3);
    /// protocol and port unreachable refuse a connection still in SYN-SENT, as Linux does; every other
    /// error is soft: remembered and reported if the connection later times out (RFC 1122 §4.2.3.9).
    /// </summary>
    public bool OnIcmpError(IcmpType type, byte code, SequenceNumber seq, ushort nextHopMtu)
    {
        if (State is TcpState.Closed or TcpState.Listen || seq < _sndUna || seq >= _sndMax)
        {
            return false;
        }
        if (type == IcmpType.DestinationUnreachable && (IcmpUnreachableCode)code == IcmpUnreachableCode.FragmentationNeeded)
        {
            int mss = nextHopMtu - Ipv4Packet.MinHeaderLength - TcpSegment.MinHeaderLength;
            if (nextHopMtu >= NetworkInterfaceCore.MinMtu && mss < _mtuMss)
            {
                _mtuMss = Math.Max(mss, 64);
                int payload = _tsOn ? _mtuMss - TimestampOptionLength : _mtuMss;
                if (payload < _sndMss)
                {
                    _sndMss = Math.Max(payload, 64);
                    _cc.OnMssChanged(_sndMss);
                }
                _sndNxt = _sndUna; // what was in flight was too big: send it again, in smaller segments
                _timing = false;
            }
            return true;
        }
        bool hard = type == IcmpType.DestinationUnreachable
            && (IcmpUnreachableCode)code is IcmpUnreachableCode.Protocol or IcmpUnreachableCode.Port;
        if (hard && State == TcpState.SynSent)
        {
            _shared.Counters.FailedConnectsField++;
            Close(SocketError.ConnectionRefused);
            return true;
        }
        _softError = type == IcmpType.DestinationUnreachable && (IcmpUnreachableCode)code == IcmpUnreachableCode.Network
            ? SocketError.NetworkUnreachable
            : SocketError.HostUnreachable;
        return true;
    }

    /// <summary>RFC 6298 §5.4–5.6 and RFC 5681 §3.1: retransmit from SND.UNA in slow start, back the timer off.</summary>
    private void OnRetransmissionTimeout(Instant now)
    {
        _rtoAt = Instant.Never;
        _tlpAt = Instant.Never;
        _tlpOutstanding = false;
        _shared.Counters.RetransmissionTimeoutsField++;
        _timing = false;
        _rtt.Backoff();
        if (_sndUna == _iss)
        {
            if (++_retries > _options.SynRetries)
            {
                if (State == TcpState.SynSent)
                {
                    _shared.Counters.FailedConnectsField++;
                }
                Close(_softError ?? SocketError.TimedOut);
                return;
            }
            _synPending = true;
            return;
        }
        if (_sndMax == _sndUna)
        {
            return;
        }
        if (++_retries > _options.MaxRetransmissions)
        {
            Close(_softError ?? SocketError.TimedOut); // RFC 1122 §4.2.3.5 R2; a soft error says why (§4.2.3.9)
            return;
        }
        _cc.OnRetransmissionTimeout(_sndMax - _sndUna, now);
        _rackAt = Instant.Never;
        if (_rack is not null)
        {
            // RFC 8985 §6.3: the segments outstanding longer than RACK.rtt + reo_wnd are lost and go again
            // from their marks, SACKed data is not resent (RFC 6675 §5.1), and RACK keeps watching the
            // retransmissions (a lost one is found without another timeout). A second timeout without
            // progress drops the SACK information: the receiver may have reneged (RFC 2018 §8).
            if (_retries > 1)
            {
                _sacks.Clear();
                _rack.ForgetSacks();
            }
            _rack.OnRetransmissionTimeout(now, _rtt.MinRtt ?? TimeSpan.Zero, _rtt.SmoothedRtt ?? TimeSpan.Zero);
            _inRecovery = true;
            _rtoRecovery = true;
            _recoveryPoint = _sndMax;
            _highRxt = _sndUna;
            _retransmitFirst = true;
            _dupAcks = 0;
            return;
        }
        // RFC 6582 §3.2 step 4: duplicate ACKs for data sent before the timeout start no fast retransmit.
        _recoveryPoint = _sndMax;
        _inRecovery = false;
        _rtoRecovery = false;
        _retransmitFirst = false;
        _dupAcks = 0;
        _sacks.Clear(); // RFC 2018 §8
        _highRxt = _sndUna;
        _sndNxt = _sndUna;
    }

    /// <summary>RFC 1122 §4.2.3.6: probe an idle connection; drop it after the configured unanswered probes.</summary>
    private void OnKeepalive(Instant now)
    {
        _keepaliveAt = Instant.Never;
        if (State is not (TcpState.Established or TcpState.CloseWait) || _sndMax != _sndUna)
        {
            ArmKeepalive();
            return;
        }
        if (_keepaliveProbes >= _options.KeepAliveRetryCount)
        {
            _shared.Counters.KeepAliveTimeoutsField++;
            Close(SocketError.TimedOut);
            return;
        }
        _keepaliveProbes++;
        _probePending = true;
        _keepaliveAt = now + _options.KeepAliveInterval;
    }

    /// <summary>(Re)arms keepalive from the last segment received.</summary>
    private void ArmKeepalive()
    {
        _keepaliveAt = _keepAliveOn && State is TcpState.Established or TcpState.CloseWait
            ? _lastReceivedAt + _options.KeepAliveTime
            : Instant.Never;
    }

    /// <summary>
    /// RFC 9293 §3.8.6.1: with data waiting, nothing in flight and a window too small to send into
    /// (zero, or held back by SWS avoidance), a timer makes sure something goes out: a zero-window
    /// probe, or the runt after all. Backs off like the RTO and never gives up (RFC 1122 §4.2.2.17).
    /// Also when data is outstanding but the retransmission timer stopped: it expired and the window
    /// let nothing go again (RACK's recovery keeps SND.NXT where it was), so only a probe can learn
    /// when the window opens.
    /// </summary>
    private void ArmPersist(Instant now)
    {
        bool waiting = State is not (TcpState.Closed or TcpState.TimeWait) && _sndUna != _iss
            && ((_sndNxt == _sndUna && (SendEnd > _sndNxt || (_finQueued && _sndNxt <= SendEnd)))
                || (_sndMax != _sndUna && _rtoAt == Instant.Never));
        if (!waiting)
        {
            _persistAt = Instant.Never;
            return;
        }
        if (_persistAt == Instant.Never)
        {
            var timeout = _rtt.Rto * (1L << Math.Min(_persistBackoffs, 10));
            _persistAt = now + (timeout > _options.MaxRto ? _options.MaxRto : timeout);
        }
    }

    /// <summary>Ends TIME-WAIT early: a new SYN for the 4-tuple was accepted (RFC 6191).</summary>
    public void EndTimeWait()
    {
        if (State == TcpState.TimeWait)
        {
            Close(SocketError.Success);
        }
    }

    private void EnterTimeWait(Instant now)
    {
        State = TcpState.TimeWait;
        StopTimers();
        _timeWaitAt = now + _options.TimeWaitDuration;
        _events |= TcpEvents.Closed | TcpEvents.Readable | TcpEvents.Writable;
    }

    private void StopTimers()
    {
        _rackAt = Instant.Never;
        _tlpAt = Instant.Never;
        _rtoAt = Instant.Never;
        _delackAt = Instant.Never;
        _persistAt = Instant.Never;
        _keepaliveAt = Instant.Never;
        _timeWaitAt = Instant.Never;
    }
}
