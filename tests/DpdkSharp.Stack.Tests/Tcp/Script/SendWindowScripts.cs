namespace DpdkSharp.Stack.Tests.Tcp.Script;

/// <summary>
/// Retransmissions stay inside the peer's window (RFC 9293 §3.8.6 SHLD-16, RFC 1122 §4.2.2.16): when the
/// window shrank below what is outstanding, what goes again is cut at SND.UNA + SND.WND, a zero window gets
/// only the persist timer's probe (§3.8.6.1, RFC 1122 §4.2.2.17), and the rest follows as the window opens.
/// </summary>
public class SendWindowScripts
{
    /// <summary>RACK (RFC 8985) with SACK, the default, without the loss probe so the timer's work shows alone.</summary>
    private static readonly TcpSocketOptions RackNoProbe = new() { TailLossProbes = false };

    private static readonly TcpSocketOptions NewReno = new() { CongestionControl = TcpCongestionControl.NewReno, TailLossProbes = false, RackLossDetection = false };

    /// <summary>Three full segments sent at 10 ms over a handshake with a 0 ms RTT (so an RTO of 200 ms).</summary>
    private static TcpScript ThreeSegmentsInFlight(TcpSocketOptions options, string synOptions)
    {
        var s = TcpScript.Established(options, synOptions);
        s.Write(10, 3000);
        s.Out(10, ".", 1, ack: 1, len: 1000);
        s.Out(10, ".", 1001, ack: 1, len: 1000);
        s.Out(10, "P.", 2001, ack: 1, len: 1000);
        return s;
    }

    [Fact]
    public void After_a_timeout_with_RACK_the_retransmission_is_cut_at_a_window_that_shrank_below_one_segment()
    {
        var s = ThreeSegmentsInFlight(RackNoProbe, "mss 1000, sackOK");
        // The peer's queue filled: a window of 500 bytes from SND.UNA, the flight ends 2500 bytes beyond it.
        s.In(20, ".", 1, ack: 1, win: 500);
        // RFC 6298 §5.4: the first segment goes again, but only up to SND.UNA + SND.WND (RFC 9293 §3.8.6).
        s.Out(210, ".", 1, ack: 1, len: 500);
        s.ExpectNothing();
        // The window moves on: the rest of the lost segment, cut again at the new edge.
        s.In(220, ".", 1, ack: 501, win: 500);
        s.Out(220, ".", 501, ack: 1, len: 500);
        s.In(230, ".", 1, ack: 1001, win: 65535);
        s.Out(230, ".", 1001, ack: 1, len: 1000);
        s.Out(230, "P.", 2001, ack: 1, len: 1000);
        s.In(240, ".", 1, ack: 3001);
        s.ExpectNothingUntil(5_000);
        Assert.Equal(1, s.Counters.RetransmissionTimeouts);
        Assert.Equal(1, s.Counters.WindowLimitedRetransmissions); // the second was the whole rest of the segment
    }

    [Fact]
    public void After_a_timeout_without_SACK_going_back_sends_the_part_inside_a_shrunk_window_at_once()
    {
        var s = ThreeSegmentsInFlight(NewReno, "mss 1000");
        s.In(20, ".", 1, ack: 1, win: 500);
        // Going back to SND.UNA (RFC 6298 §5.4): the window's 500 bytes go on the timer. Sender SWS avoidance
        // (RFC 9293 §3.8.6.2.1) is for new data; held, this retransmission would wait for the persist timer.
        s.Out(210, ".", 1, ack: 1, len: 500);
        s.ExpectNothing();
        s.In(220, ".", 1, ack: 501, win: 65535);
        s.Out(220, ".", 501, ack: 1, len: 1000); // slow start (RFC 5681 §3.1): cwnd 1500, the runt behind waits for it
        s.ExpectNothing();
        s.In(230, ".", 1, ack: 1501);
        s.Out(230, ".", 1501, ack: 1, len: 1000);
        s.ExpectNothing(); // the last 500 bytes wait for Nagle (RFC 9293 §3.7.4), as they would without the shrunk window
        s.In(240, ".", 1, ack: 2501);
        s.Out(240, "P.", 2501, ack: 1, len: 500);
        s.In(250, ".", 1, ack: 3001);
        s.ExpectNothingUntil(5_000);
        Assert.Equal(1, s.Counters.WindowLimitedRetransmissions);
    }

    [Fact]
    public void A_fast_retransmit_with_RACK_is_cut_at_a_window_that_shrank()
    {
        var s = ThreeSegmentsInFlight(RackNoProbe, "mss 1000, sackOK");
        // The first segment is lost, the other two arrive but the peer's window closes to 500 bytes.
        s.In(20, ".", 1, ack: 1, win: 500, options: "sack 1001:3001");
        s.Out(20, ".", 1, ack: 1, len: 500); // RFC 8985 §6.2 finds it lost; only SND.UNA + SND.WND goes
        s.ExpectNothing();
        // Partial acknowledgment, same window: the rest of the hole follows, nothing SACKed goes again.
        s.In(30, ".", 1, ack: 501, win: 500, options: "sack 1001:3001");
        s.Out(30, ".", 501, ack: 1, len: 500);
        s.In(40, ".", 1, ack: 3001, win: 500);
        s.ExpectNothingUntil(5_000);
        Assert.Equal(0, s.Counters.RetransmissionTimeouts);
        Assert.Equal(2, s.Counters.RetransmittedSegments);
        Assert.Equal(1, s.Counters.WindowLimitedRetransmissions);
    }

    [Fact]
    public void A_SACK_recovery_cut_at_the_window_sends_the_rest_of_the_hole_from_HighRxt_when_the_window_opens()
    {
        var s = RecoveryScripts.SixSegmentsInFlight("mss 1000, sackOK"); // RFC 6675 alone, RACK off
        s.In(20, ".", 1, ack: 1001);
        // Three segments SACKed above 1001 (RFC 6675 §4 IsLost), and the window shrinks to 500 bytes.
        s.In(21, ".", 1, ack: 1001, win: 500, options: "sack 2001:5001");
        s.Out(21, ".", 1001, ack: 1, len: 500); // §5 step 4.3, cut at 1501: HighRxt = 1501, not 2001
        s.ExpectNothing();
        // A window update: NextSeg (§4 rule 1) finds the rest of the hole above HighRxt; nothing SACKed goes.
        s.In(30, ".", 1, ack: 1001, win: 1500, options: "sack 2001:5001");
        s.Out(30, ".", 1501, ack: 1, len: 500);
        s.ExpectNothing();
        s.In(40, ".", 1, ack: 6001);
        s.ExpectNothingUntil(5_000);
        Assert.Equal(2, s.Counters.RetransmittedSegments);
        Assert.Equal(1, s.Counters.WindowLimitedRetransmissions);
        Assert.Equal(0, s.Counters.RetransmissionTimeouts);
    }

    [Fact]
    public void A_fast_retransmit_without_SACK_is_cut_at_a_window_that_shrank()
    {
        var s = RecoveryScripts.SixSegmentsInFlight("mss 1000");
        // The second segment is lost; the window shrinks to 500 bytes with the first ACK and stays so (RFC 5681 §2:
        // duplicates carry the same window).
        s.In(20, ".", 1, ack: 1001, win: 500);
        s.In(21, ".", 1, ack: 1001, win: 500);
        s.In(22, ".", 1, ack: 1001, win: 500);
        s.In(23, ".", 1, ack: 1001, win: 500);
        s.Out(23, ".", 1001, ack: 1, len: 500); // RFC 6582 §3.2 step 2, cut at 1001 + 500
        s.ExpectNothing();
        Assert.Equal(1, s.Counters.FastRecoveries);
        Assert.Equal(1, s.Counters.WindowLimitedRetransmissions);
    }

    [Fact]
    public void A_SACK_recovery_that_starts_in_a_zero_window_sends_its_first_retransmission_when_the_window_opens()
    {
        var s = RecoveryScripts.SixSegmentsInFlight("mss 1000, sackOK");
        s.In(20, ".", 1, ack: 1001);
        // RFC 6675 §5: three segments SACKed above the hole start a recovery, but the window is closed.
        s.In(21, ".", 1, ack: 1001, win: 0, options: "sack 2001:5001");
        s.ExpectNothing();
        Assert.Equal(1, s.Counters.SackRecoveries);
        // A window update: the retransmission that starts the recovery goes whatever cwnd − pipe says (§5 step 4.3).
        s.In(30, ".", 1, ack: 1001, win: 65535, options: "sack 2001:5001");
        s.Out(30, ".", 1001, ack: 1, len: 1000);
        s.In(40, ".", 1, ack: 6001);
        s.ExpectNothingUntil(5_000);
        Assert.Equal(0, s.Counters.RetransmissionTimeouts);
    }

    [Fact]
    public void A_zero_window_stops_retransmissions_the_persist_timer_probes_and_the_data_follows_when_it_opens()
    {
        var s = ThreeSegmentsInFlight(RackNoProbe, "mss 1000, sackOK");
        s.In(20, ".", 1, ack: 1, win: 0);
        // The timer expires, but no byte is inside the window: nothing goes again (RFC 1122 §4.2.2.16) ...
        s.ExpectNothingUntil(610);
        // ... the persist timer (RFC 9293 §3.8.6.1, RFC 1122 §4.2.2.17) probes instead, one backed-off RTO later.
        s.Out(610, ".", 0, ack: 1);
        s.In(611, ".", 1, ack: 1, win: 0);
        s.ExpectNothingUntil(1_410);
        s.Out(1_410, ".", 0, ack: 1); // backed off from the probe before
        s.ExpectState(TcpState.Established);
        // The window opens: the lost data goes at once, from SND.UNA.
        s.In(1_500, ".", 1, ack: 1, win: 65535);
        s.Out(1_500, ".", 1, ack: 1, len: 1000);
        s.In(1_510, ".", 1, ack: 1001);
        s.Out(1_510, ".", 1001, ack: 1, len: 1000);
        s.Out(1_510, "P.", 2001, ack: 1, len: 1000);
        s.In(1_520, ".", 1, ack: 3001);
        s.ExpectNothingUntil(20_000);
        Assert.Equal(0, s.Counters.WindowLimitedRetransmissions); // nothing went cut: nothing went at all
        Assert.Equal(1, s.Counters.RetransmissionTimeouts);
    }

    [Fact]
    public void A_peer_that_answers_zero_window_probes_is_not_timed_out_while_data_is_outstanding()
    {
        var s = ThreeSegmentsInFlight(new TcpSocketOptions { TailLossProbes = false, MaxRetransmissions = 2 }, "mss 1000, sackOK");
        s.In(20, ".", 1, ack: 1, win: 0);
        // RFC 1122 §4.2.2.17 (RFC 9293 §3.8.6.1): the connection stays as long as the probes are answered, and
        // RFC 9293 §3.8.6 SHLD-17: unacknowledged data beyond the window is no reason to time out. Retransmitting
        // into the closed window instead would count toward MaxRetransmissions and close it after three timeouts.
        long at = 610;
        for (int probe = 0; probe < 6; probe++)
        {
            s.ExpectNothingUntil(at);
            s.Out(at, ".", 0, ack: 1);
            s.In(at + 1, ".", 1, ack: 1, win: 0);
            at += 400L << (probe + 1); // the persist timer backs off from the RTO (RFC 1122 §4.2.2.17)
        }
        s.ExpectState(TcpState.Established);
        Assert.Equal(1, s.Counters.RetransmissionTimeouts);
        Assert.Equal(0, s.Counters.RetransmittedSegments);
    }

    [Fact]
    public void The_loss_probe_goes_again_only_for_bytes_inside_the_window()
    {
        var s = ThreeSegmentsInFlight(TcpSocketOptions.Default, "mss 1000, sackOK");
        s.In(15, ".", 1, ack: 1, win: 1500);
        // RFC 8985 §7.3: no new data, so the last segment goes again; here the last 1000 bytes inside the window.
        s.Out(20, ".", 501, ack: 1, len: 1000);
        s.ExpectNothing();
        Assert.Equal(1, s.Counters.LossProbes);
        Assert.Equal(1, s.Counters.WindowLimitedRetransmissions);
    }

    [Fact]
    public void A_retransmitted_FIN_waits_until_its_sequence_number_is_inside_the_window()
    {
        var s = TcpScript.Established();
        s.Write(10, 500);
        s.Out(10, "P.", 1, ack: 1, len: 500);
        s.Shutdown(15);
        s.Out(15, "F.", 501, ack: 1);
        // Window 500: the data fits exactly, the FIN (sequence number 501) does not.
        s.In(20, ".", 1, ack: 1, win: 500);
        s.Out(210, "P.", 1, ack: 1, len: 500);
        s.ExpectNothing();
        s.In(220, ".", 1, ack: 501, win: 500);
        s.Out(220, "F.", 501, ack: 1);
        s.In(230, ".", 1, ack: 502);
        s.ExpectState(TcpState.FinWait2);
    }

    [Fact]
    public void A_FIN_after_data_that_fills_the_window_goes_once_the_window_opens()
    {
        var s = TcpScript.Established(win: 600);
        s.Write(10, 100);
        s.Out(10, "P.", 1, ack: 1, len: 100);
        s.Write(12, 500); // held by Nagle
        // The FIN releases the data (it is the last), but its sequence number, 601, is the window's right edge:
        // it waits outside (RFC 9293 §3.8.6).
        s.Shutdown(15);
        s.Out(15, "P.", 101, ack: 1, len: 500);
        s.ExpectNothing();
        s.In(20, ".", 1, ack: 601, win: 600);
        s.Out(20, "F.", 601, ack: 1);
        s.In(30, ".", 1, ack: 602);
        s.ExpectState(TcpState.FinWait2);
    }
}
