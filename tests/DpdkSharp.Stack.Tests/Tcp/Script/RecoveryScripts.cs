namespace DpdkSharp.Stack.Tests.Tcp.Script;

/// <summary>Loss recovery on duplicate ACKs: NewReno without SACK (RFC 5681 §3.2, RFC 6582), SACK-based with it (RFC 6675).</summary>
public class RecoveryScripts
{
    // These scripts isolate the duplicate-ACK and SACK rules, ACKs arriving 10 ms after the flight: the
    // tail loss probe (RFC 8985 §7, its own script below) would fire first, so it is off here, and so is
    // RACK (RFC 8985 §6, RackScripts), which replaces the duplicate-ACK threshold.
    private static readonly TcpSocketOptions NewReno = new() { CongestionControl = TcpCongestionControl.NewReno, TailLossProbes = false, RackLossDetection = false };

    /// <summary>Six full segments in flight (the initial window is ten, RFC 6928).</summary>
    internal static TcpScript SixSegmentsInFlight(string synOptions)
    {
        var s = TcpScript.Established(NewReno, synOptions);
        s.Write(10, 6000);
        for (int i = 0; i < 5; i++)
        {
            s.Out(10, ".", 1 + 1000 * i, ack: 1, len: 1000);
        }
        s.Out(10, "P.", 5001, ack: 1, len: 1000);
        return s;
    }

    [Fact]
    public void Three_duplicate_ACKs_trigger_a_fast_retransmit_without_waiting_for_the_timer()
    {
        var s = SixSegmentsInFlight("mss 1000");
        s.In(20, ".", 1, ack: 1001);
        s.In(21, ".", 1, ack: 1001);
        s.In(22, ".", 1, ack: 1001);
        s.ExpectNothing(); // two duplicates are not enough (RFC 5681 §3.2: DupThresh = 3)
        s.In(23, ".", 1, ack: 1001);
        s.Out(23, ".", 1001, ack: 1, len: 1000); // RFC 5681 §3.2 step 2 / RFC 6582 §3.2 step 2
        Assert.Equal(1, s.Counters.FastRecoveries);
        s.In(30, ".", 1, ack: 6001);
        s.ExpectNothingUntil(5_000); // a full ACK ends the recovery; nothing more to send
    }

    [Fact]
    public void A_partial_ACK_retransmits_the_next_hole_at_once_NewReno()
    {
        var s = SixSegmentsInFlight("mss 1000");
        // Segments 2 (1001) and 4 (3001) are lost: 3, 5 and 6 bring duplicates.
        s.In(20, ".", 1, ack: 1001);
        s.In(21, ".", 1, ack: 1001);
        s.In(22, ".", 1, ack: 1001);
        s.In(23, ".", 1, ack: 1001);
        s.Out(23, ".", 1001, ack: 1, len: 1000);
        // RFC 6582 §3.2 step 5: a partial ACK (below the recovery point 6001) retransmits the first unacknowledged segment.
        s.In(30, ".", 1, ack: 3001);
        s.Out(30, ".", 3001, ack: 1, len: 1000);
        s.In(40, ".", 1, ack: 6001);
        s.ExpectNothingUntil(5_000);
        Assert.Equal(1, s.Counters.FastRecoveries);
        Assert.Equal(0, s.Counters.RetransmissionTimeouts);
    }

    [Fact]
    public void Duplicate_ACKs_that_change_the_window_are_not_counted()
    {
        var s = SixSegmentsInFlight("mss 1000");
        s.In(20, ".", 1, ack: 1001);
        // RFC 5681 §2 "DUPLICATE ACKNOWLEDGMENT" (e): the advertised window does not change.
        s.In(21, ".", 1, ack: 1001, win: 60000);
        s.In(22, ".", 1, ack: 1001, win: 50000);
        s.In(23, ".", 1, ack: 1001, win: 40000);
        s.ExpectNothing();
        Assert.Equal(0, s.Counters.FastRecoveries);
    }

    [Fact]
    public void With_SACK_one_ACK_reporting_three_segments_above_a_hole_retransmits_it()
    {
        var s = SixSegmentsInFlight("mss 1000, sackOK");
        s.In(20, ".", 1, ack: 1001);
        // RFC 6675 §5 step 3: DupAcks < DupThresh, but IsLost(HighACK + 1): three segments SACKed above it (§4).
        s.In(21, ".", 1, ack: 1001, options: "sack 2001:5001");
        s.Out(21, ".", 1001, ack: 1, len: 1000);
        Assert.Equal(1, s.Counters.SackRecoveries);
    }

    [Fact]
    public void With_SACK_fewer_than_three_segments_above_a_hole_is_not_yet_a_loss()
    {
        var s = SixSegmentsInFlight("mss 1000, sackOK");
        s.In(20, ".", 1, ack: 1001);
        s.In(21, ".", 1, ack: 1001, options: "sack 2001:3001");
        s.In(22, ".", 1, ack: 1001, options: "sack 2001:4001");
        s.ExpectNothing(); // RFC 6675 §4 IsLost: 2 segments (2000 bytes) SACKed above is not more than (DupThresh − 1)·SMSS
        s.In(23, ".", 1, ack: 1001, options: "sack 2001:5001");
        s.Out(23, ".", 1001, ack: 1, len: 1000);
    }

    [Fact]
    public void With_SACK_every_hole_is_retransmitted_and_SACKed_data_is_not()
    {
        var s = SixSegmentsInFlight("mss 1000, sackOK");
        // Lost: 1001 and 3001. SACKed: 2001:3001 and 4001:6001.
        s.In(20, ".", 1, ack: 1001, options: "sack 2001:3001");
        s.In(21, ".", 1, ack: 1001, options: "sack 4001:5001 2001:3001");
        s.In(22, ".", 1, ack: 1001, options: "sack 4001:6001 2001:3001");
        // RFC 6675 §5 step 4.3: the first hole at once. 3001 is not lost yet (§4 IsLost: only 2000 bytes SACKed above
        // it), and cwnd − pipe (§5 step C) is below one segment.
        s.Out(22, ".", 1001, ack: 1, len: 1000);
        s.ExpectNothing();
        // A partial ACK: pipe falls; no lost segment (rule 1), no new data (rule 2), so rule 3 of NextSeg sends
        // the un-SACKed hole below the highest SACK instead of leaving it to the timer. Nothing SACKed goes again.
        s.In(30, ".", 1, ack: 3001, options: "sack 4001:6001");
        s.Out(30, ".", 3001, ack: 1, len: 1000);
        s.In(31, ".", 1, ack: 6001);
        s.ExpectNothingUntil(5_000);
        Assert.Equal(0, s.Counters.RetransmissionTimeouts);
    }

    [Fact]
    public void A_lost_tail_is_found_by_a_loss_probe_instead_of_the_retransmission_timer()
    {
        var s = TcpScript.Established(synOptions: "mss 1000, sackOK"); // an RTT of 0: the probe timeout is its 10 ms floor
        s.Write(10, 3000);
        s.Out(10, ".", 1, ack: 1, len: 1000);
        s.Out(10, ".", 1001, ack: 1, len: 1000);
        s.Out(10, "P.", 2001, ack: 1, len: 1000);
        // All three are lost: no duplicate ACK will come. RFC 8985 §7.2-7.3: after PTO the last segment goes again.
        s.Out(20, "P.", 2001, ack: 1, len: 1000);
        // Its SACK shows what is below it was lost (§7.4): recovery starts at the first hole, long before the 200 ms RTO.
        s.In(21, ".", 1, ack: 1, options: "sack 2001:3001");
        s.Out(21, ".", 1, ack: 1, len: 1000);
        Assert.Equal(1, s.Counters.LossProbes);
        Assert.Equal(1, s.Counters.SackRecoveries);
        Assert.Equal(0, s.Counters.RetransmissionTimeouts);
    }
}
