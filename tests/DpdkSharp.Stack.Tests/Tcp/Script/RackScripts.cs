namespace DpdkSharp.Stack.Tests.Tcp.Script;

/// <summary>RACK loss detection (RFC 8985 §6): losses found by time, lost retransmissions, the reordering window and timer, D-SACK.</summary>
public class RackScripts
{
    /// <summary>
    /// A connection whose handshake took 8 ms (SRTT = min_RTT = 8 ms, so the reordering window
    /// min_RTT/4 is 2 ms), then four segments of 1000 bytes sent at 10 ms.
    /// </summary>
    private static TcpScript FourSegmentsSentAt10()
    {
        var s = TcpScript.Passive();
        s.In(0, "S", 0, options: "mss 1000, sackOK");
        s.Out(0, "S.", 0, ack: 1);
        s.In(8, ".", 1, ack: 1);
        s.ExpectState(TcpState.Established);
        s.Write(10, 4000);
        s.Out(10, ".", 1, ack: 1, len: 1000);
        s.Out(10, ".", 1001, ack: 1, len: 1000);
        s.Out(10, ".", 2001, ack: 1, len: 1000);
        s.Out(10, "P.", 3001, ack: 1, len: 1000);
        return s;
    }

    [Fact]
    public void A_lost_retransmission_is_found_when_a_segment_sent_after_it_arrives_and_goes_again_without_the_timer()
    {
        var s = FourSegmentsSentAt10();
        // The first segment is lost. Three later ones SACKed and no reordering seen: the window is 0 (§6.2 step 4),
        // and the first was sent before a delivered one more than RACK.rtt ago (step 5): lost.
        s.In(20, ".", 1, ack: 1, options: "sack 1001:4001");
        s.Out(20, ".", 1, ack: 1, len: 1000);
        // cwnd − pipe leaves room for new data in the recovery.
        s.Write(20, 1000);
        s.Out(20, "P.", 4001, ack: 1, len: 1000);
        // The retransmission is lost as well; the new segment, sent at the same time but after it, arrives.
        // RFC 6675 would wait for the retransmission timer (200 ms); RACK sees the retransmission is older
        // than a delivered segment by RACK.rtt and sends it again at once.
        s.In(30, ".", 1, ack: 1, options: "sack 1001:5001");
        s.Out(30, ".", 1, ack: 1, len: 1000);
        s.In(40, ".", 1, ack: 5001);
        s.ExpectNothingUntil(5_000);
        Assert.Equal(1, s.Counters.LostRetransmissions);
        Assert.Equal(1, s.Counters.SackRecoveries);
        Assert.Equal(0, s.Counters.RetransmissionTimeouts);
    }

    /// <summary>The first segment is missing; the third is SACKed before the second (reordering), then the fourth.</summary>
    private static TcpScript ReorderedThenThreeSacked()
    {
        var s = FourSegmentsSentAt10();
        s.In(18, ".", 1, ack: 1, options: "sack 2001:3001");
        // The second segment is SACKed after the third, and was sent once: reordering (§6.2 step 3).
        s.In(19, ".", 1, ack: 1, options: "sack 1001:3001");
        // Three segments SACKed above the hole: without reordering RFC 6675 and a zero window would call it
        // lost now. With it, RACK waits RACK.rtt (10 ms) + reo_wnd (min_RTT/4 = 2 ms) from its transmission.
        s.In(20, ".", 1, ack: 1, options: "sack 1001:4001");
        return s;
    }

    [Fact]
    public void Once_reordering_is_seen_a_hole_waits_out_the_reordering_window_and_the_reordering_timer_sends_it()
    {
        var s = ReorderedThenThreeSacked();
        s.ExpectNothingUntil(22);
        // The reordering timer (§6.2 step 5) expires: it is lost after all.
        s.Out(22, ".", 1, ack: 1, len: 1000);
        Assert.Equal(1, s.Counters.SackRecoveries);
        s.In(30, ".", 1, ack: 4001);
        s.ExpectNothingUntil(5_000);
        Assert.Equal(0, s.Counters.RetransmissionTimeouts);
    }

    [Fact]
    public void A_hole_filled_in_time_by_a_reordered_segment_is_not_retransmitted()
    {
        var s = ReorderedThenThreeSacked();
        // The first segment was only late: its ACK comes within the window, and the timer finds nothing lost.
        s.In(21, ".", 1, ack: 4001);
        s.ExpectNothingUntil(5_000);
        Assert.Equal(0, s.Counters.SackRecoveries);
        Assert.Equal(0, s.Counters.RetransmittedSegments);
    }

    [Fact]
    public void Data_that_arrives_twice_is_reported_in_a_D_SACK_block()
    {
        var s = TcpScript.Established(synOptions: "mss 1000, sackOK");
        s.In(10, ".", 1, ack: 1, len: 1000);
        // The same segment again (the peer's retransmission was spurious): RFC 2883 §4, the duplicate range
        // goes first in the SACK option of the ACK that answers it at once.
        s.In(20, ".", 1, ack: 1, len: 1000);
        s.Out(20, ".", 1, ack: 1001, options: "sack 1:1001");
        // Only in that ACK.
        s.In(30, ".", 1001, ack: 1, len: 1000);
        s.In(31, ".", 2001, ack: 1, len: 1000);
        s.Out(31, ".", 1, ack: 3001, options: "");
    }
}
