namespace DpdkSharp.Stack.Tests.Tcp.Script;

/// <summary>Nagle (RFC 896, RFC 9293 §3.7.4), delayed ACKs (RFC 9293 §3.8.6.3, RFC 1122 §4.2.3.2) and zero windows (RFC 9293 §3.8.6.1).</summary>
public class FlowScripts
{
    [Fact]
    public void Nagle_holds_small_writes_while_data_is_unacknowledged_and_sends_them_together()
    {
        var s = TcpScript.Established();
        s.Write(10, 100);
        s.Out(10, "P.", 1, ack: 1, len: 100); // nothing in flight: it goes at once
        s.Write(20, 100);
        s.Write(30, 100);
        s.ExpectNothing(); // RFC 9293 §3.7.4: "buffer all user data ... until the outstanding data has been acknowledged"
        s.In(40, ".", 1, ack: 101);
        s.Out(40, "P.", 101, ack: 1, len: 200);
    }

    [Fact]
    public void Nagle_lets_a_full_sized_segment_go_and_holds_the_rest()
    {
        var s = TcpScript.Established();
        s.Write(10, 100);
        s.Out(10, "P.", 1, ack: 1, len: 100);
        s.Write(20, 1500); // RFC 9293 §3.7.4: "... or until the TCP can send a full-sized segment"
        s.Out(20, ".", 101, ack: 1, len: 1000);
        s.ExpectNothing();
        s.In(30, ".", 1, ack: 1101);
        s.Out(30, "P.", 1101, ack: 1, len: 500);
    }

    [Fact]
    public void NoDelay_sends_every_small_write_at_once()
    {
        var s = TcpScript.Established(new TcpSocketOptions { NoDelay = true });
        s.Write(10, 100);
        s.Out(10, "P.", 1, ack: 1, len: 100);
        s.Write(20, 100);
        s.Out(20, "P.", 101, ack: 1, len: 100);
        s.SetNoDelay(25, false);
        s.Write(30, 100);
        s.ExpectNothing(); // Nagle again, from now on
    }

    [Fact]
    public void One_segment_is_acknowledged_after_the_delayed_ACK_timeout()
    {
        var s = TcpScript.Established();
        s.In(10, "P.", 1, ack: 1, len: 1000);
        // RFC 9293 §3.8.6.3: delay less than 0.5 s (40 ms here, as Linux's minimum).
        s.ExpectNothingUntil(50);
        s.Out(50, ".", 1, ack: 1001);
        s.ExpectNothingUntil(5_000);
    }

    [Fact]
    public void Every_second_full_sized_segment_is_acknowledged_at_once()
    {
        var s = TcpScript.Established();
        s.In(10, ".", 1, ack: 1, len: 1000);
        s.ExpectNothing();
        s.In(12, ".", 1001, ack: 1, len: 1000);
        s.Out(12, ".", 1, ack: 2001); // RFC 9293 §3.8.6.3: "an ACK SHOULD be generated for at least every second full-sized segment"
        s.In(14, ".", 2001, ack: 1, len: 1000);
        s.ExpectNothingUntil(54);
        s.Out(54, ".", 1, ack: 3001);
    }

    [Fact]
    public void Data_we_send_carries_the_delayed_ACK()
    {
        var s = TcpScript.Established();
        s.In(10, "P.", 1, ack: 1, len: 100);
        s.Write(20, 50);
        s.Out(20, "P.", 1, ack: 101, len: 50); // the ACK rides on the data (RFC 9293 §3.8.6.3)
        s.ExpectNothingUntil(100); // and the delayed-ACK timer was cancelled
    }

    [Fact]
    public void A_bare_ACK_never_carries_a_sequence_number_beyond_the_peers_window()
    {
        var s = TcpScript.Established();
        s.Write(10, 3000);
        s.Out(10, ".", 1, ack: 1, len: 1000);
        s.Out(10, ".", 1001, ack: 1, len: 1000);
        s.Out(10, "P.", 2001, ack: 1, len: 1000);
        // The peer's queue filled: its window now ends at 2001, below SND.MAX (3001). Linux drops a segment that
        // starts beyond RCV.NXT + RCV.WND, its acknowledgment included, so the ACK of its out-of-order data goes
        // at the window's edge, not at SND.MAX (Linux's tcp_acceptable_seq does the same).
        s.In(20, ".", 1, ack: 1001, win: 1000);
        s.In(21, ".", 101, ack: 1001, win: 1000, len: 100);
        s.Out(21, ".", 2001, ack: 1);
    }

    [Fact]
    public void A_zero_window_is_probed_with_backoff_until_it_reopens()
    {
        var s = TcpScript.Established();
        s.In(5, ".", 1, ack: 1, win: 0);
        Assert.Equal(1, s.Counters.ZeroWindowEvents);
        s.Write(20, 1000);
        s.ExpectNothingUntil(220);
        // RFC 9293 §3.8.6.1 / RFC 1122 §4.2.2.17: probe a zero window, first after one RTO (200 ms here) ...
        s.Out(220, ".", 0, ack: 1); // SEQ = SND.UNA − 1 and no data: the peer must answer with its window
        s.In(221, ".", 1, ack: 1, win: 0);
        s.ExpectNothingUntil(620);
        s.Out(620, ".", 0, ack: 1); // ... then backing off exponentially
        s.In(621, ".", 1, ack: 1, win: 0);
        s.ExpectNothingUntil(1_420);
        s.Out(1_420, ".", 0, ack: 1);
        s.ExpectState(TcpState.Established); // "as long as the receiving TCP continues to send acknowledgments" the connection stays
        // The window opens: data resumes at once.
        s.In(1_500, ".", 1, ack: 1, win: 65535);
        s.Out(1_500, "P.", 1, ack: 1, len: 1000);
        s.In(1_510, ".", 1, ack: 1001);
        s.ExpectNothingUntil(10_000);
    }

    [Fact]
    public void Data_is_limited_to_the_window_the_peer_offers()
    {
        var s = TcpScript.Established(win: 2500);
        s.Write(10, 4000);
        s.Out(10, ".", 1, ack: 1, len: 1000);
        s.Out(10, ".", 1001, ack: 1, len: 1000);
        // 500 bytes fit, but a runt below half the largest window seen (1250) waits: sender SWS avoidance (RFC 9293 §3.8.6.2.1).
        s.ExpectNothing();
        s.In(20, ".", 1, ack: 2001, win: 2500);
        s.Out(20, ".", 2001, ack: 1, len: 1000);
        s.Out(20, "P.", 3001, ack: 1, len: 1000);
    }

    [Fact]
    public void The_persist_timer_sends_a_runt_that_sender_SWS_avoidance_held()
    {
        var s = TcpScript.Established(win: 2500);
        s.Write(10, 3000);
        s.Out(10, ".", 1, ack: 1, len: 1000);
        s.Out(10, ".", 1001, ack: 1, len: 1000);
        s.In(20, ".", 1, ack: 2001, win: 500);
        // 500 bytes usable, below half the largest window (1250): held (RFC 9293 §3.8.6.2.1) ...
        s.ExpectNothingUntil(220);
        // ... until the override timeout, when as much as the window takes goes.
        s.Out(220, ".", 2001, ack: 1, len: 500);
        s.In(230, ".", 1, ack: 2501, win: 2500);
        s.Out(230, "P.", 2501, ack: 1, len: 500);
    }
}
