using System.Net.Sockets;

namespace DpdkSharp.Stack.Tests.Tcp.Script;

/// <summary>The retransmission timer (RFC 6298), Karn's rule and giving up (RFC 1122 §4.2.3.5).</summary>
public class RetransmissionScripts
{
    /// <summary>A passive connection whose handshake took <paramref name="rtt"/> ms: the SYN-ACK's RTT sample sets the RTO.</summary>
    private static TcpScript EstablishedWithRtt(long rtt, TcpSocketOptions? options = null)
    {
        var s = TcpScript.Passive(options);
        s.In(0, "S", 0, win: 65535, options: "mss 1000");
        s.Out(0, "S.", 0, ack: 1);
        s.In(rtt, ".", 1, ack: 1);
        return s;
    }

    [Fact]
    public void An_unanswered_SYN_is_retransmitted_after_1_s_with_backoff_then_the_connect_times_out()
    {
        var s = TcpScript.Active(new TcpSocketOptions { SynRetries = 2 });
        s.Out(0, "S", 0);
        // RFC 6298 §2.1: RTO = 1 s before any sample; §5.5: doubled on every expiry.
        s.ExpectNothingUntil(1_000);
        s.Out(1_000, "S", 0);
        s.ExpectNothingUntil(3_000);
        s.Out(3_000, "S", 0);
        s.ExpectNothingUntil(7_000);
        s.ExpectState(TcpState.SynSent);
        s.Tick(7_000);
        s.ExpectState(TcpState.Closed, SocketError.TimedOut);
        Assert.Equal(1, s.Counters.FailedConnects);
        s.ExpectNothing();
    }

    [Fact]
    public void After_a_retransmitted_SYN_data_starts_with_an_RTO_of_3_s()
    {
        var s = TcpScript.Active();
        s.Out(0, "S", 0);
        s.Out(1_000, "S", 0);
        // Karn (RFC 6298 §3): the SYN-ACK answers a retransmitted SYN, so no sample is taken.
        s.In(1_100, "S.", 0, ack: 1, win: 65535, options: "mss 1000");
        s.Out(1_100, ".", 1, ack: 1);
        Assert.Null(s.Tcb!.SmoothedRtt);
        s.Write(1_200, 100);
        s.Out(1_200, "P.", 1, ack: 1, len: 100);
        // RFC 6298 §5.7: "If the timer expires awaiting the ACK of a SYN segment and the TCP implementation is using
        // an RTO less than 3 seconds, the RTO MUST be re-initialized to 3 seconds when data transmission begins".
        s.ExpectNothingUntil(4_200);
        s.Out(4_200, "P.", 1, ack: 1, len: 100);
    }

    [Fact]
    public void The_RTO_comes_from_the_samples_and_backs_off_exponentially()
    {
        var s = EstablishedWithRtt(100);
        // RFC 6298 §2.2: first sample R = 100 ms: SRTT = 100, RTTVAR = 50, RTO = SRTT + 4 RTTVAR = 300 ms.
        s.Write(200, 100);
        s.Out(200, "P.", 1, ack: 1, len: 100);
        s.ExpectNothingUntil(500);
        s.Out(500, "P.", 1, ack: 1, len: 100);
        s.ExpectNothingUntil(1_100);
        s.Out(1_100, "P.", 1, ack: 1, len: 100); // §5.5: 600 ms
        s.ExpectNothingUntil(2_300);
        s.Out(2_300, "P.", 1, ack: 1, len: 100); // 1200 ms
        Assert.Equal(3, s.Counters.RetransmissionTimeouts);
    }

    [Fact]
    public void Karns_rule_takes_no_sample_from_a_retransmitted_segment_and_keeps_the_backed_off_RTO()
    {
        var s = EstablishedWithRtt(100);
        s.Write(200, 100);
        s.Out(200, "P.", 1, ack: 1, len: 100);
        s.Out(500, "P.", 1, ack: 1, len: 100);
        s.Out(1_100, "P.", 1, ack: 1, len: 100);
        s.In(1_200, ".", 1, ack: 101); // ambiguous: the first transmission (1000 ms) or the second (100 ms)?
        // RFC 6298 §3 (Karn) and §5.5-5.7: no sample; the backed-off RTO of 1200 ms stays for the next segment.
        s.Write(1_300, 100);
        s.Out(1_300, "P.", 101, ack: 1, len: 100);
        s.ExpectNothingUntil(2_500);
        s.Out(2_500, "P.", 101, ack: 1, len: 100);
    }

    [Fact]
    public void A_new_sample_ends_the_backoff()
    {
        var s = EstablishedWithRtt(100);
        s.Write(200, 100);
        s.Out(200, "P.", 1, ack: 1, len: 100);
        s.Out(500, "P.", 1, ack: 1, len: 100);
        s.In(550, ".", 1, ack: 101);
        s.Write(600, 100);
        s.Out(600, "P.", 101, ack: 1, len: 100);
        s.In(700, ".", 1, ack: 201); // a valid sample of 100 ms: RTTVAR = 3/4·50 + 1/4·0 = 37.5, SRTT = 100, RTO = 250 ms (RFC 6298 §2.3)
        s.Write(800, 100);
        s.Out(800, "P.", 201, ack: 1, len: 100);
        s.ExpectNothingUntil(1_050);
        s.Out(1_050, "P.", 201, ack: 1, len: 100);
    }

    [Fact]
    public void With_timestamps_the_echo_of_a_retransmission_is_a_sample_that_ends_the_backoff()
    {
        var s = TcpScript.Active(new TcpSocketOptions { TailLossProbes = false, RackLossDetection = false });
        s.Out(0, "S", 0, win: 65535, options: "mss 1460, sackOK, TS val 0 ecr 0, wscale 7");
        s.In(50, "S.", 0, ack: 1, win: 65535, options: "mss 1000, TS val 100 ecr 0"); // sample 50 ms: RTO at the 200 ms floor
        s.Out(50, ".", 1, ack: 1, options: "TS val 50 ecr 100");
        s.Write(100, 100);
        s.Out(100, "P.", 1, ack: 1, len: 100, options: "TS val 100 ecr 100");
        s.Out(300, "P.", 1, ack: 1, len: 100, options: "TS val 300 ecr 100");
        s.Out(700, "P.", 1, ack: 1, len: 100, options: "TS val 700 ecr 100"); // backed off twice: the next RTO would be 800 ms
        // The ACK echoes the 700 ms transmission: unambiguous, so a sample of 20 ms although the data was
        // retransmitted (RFC 6298 §3, RFC 7323 §4), and the backoff ends (SRTT 46, RTTVAR 26: RTO 151, floor 200 ms).
        s.In(720, ".", 1, ack: 101, options: $"TS val 120 ecr {s.LastTsVal}");
        s.Write(800, 100);
        s.Out(800, "P.", 101, ack: 1, len: 100, options: "TS val 800 ecr 120");
        s.ExpectNothingUntil(1_000);
        s.Out(1_000, "P.", 101, ack: 1, len: 100, options: "TS val 1000 ecr 120");
    }

    [Fact]
    public void The_RTO_never_goes_below_the_200_ms_minimum()
    {
        var s = EstablishedWithRtt(10); // RTO = 10 + 4·5 = 30 ms, raised to the floor (RFC 6298 §2.4; Linux's 200 ms)
        s.Write(20, 100);
        s.Out(20, "P.", 1, ack: 1, len: 100);
        s.ExpectNothingUntil(220);
        s.Out(220, "P.", 1, ack: 1, len: 100);
    }

    [Fact]
    public void After_a_timeout_one_segment_goes_again_then_slow_start_resends_the_rest()
    {
        var s = EstablishedWithRtt(0, new TcpSocketOptions { CongestionControl = TcpCongestionControl.NewReno });
        s.Write(10, 3000);
        s.Out(10, ".", 1, ack: 1, len: 1000);
        s.Out(10, ".", 1001, ack: 1, len: 1000);
        s.Out(10, "P.", 2001, ack: 1, len: 1000);
        // RFC 5681 §3.1: after the timeout cwnd is one segment (the loss window), from SND.UNA (RFC 6298 §5.4).
        s.Out(210, ".", 1, ack: 1, len: 1000);
        s.ExpectNothingUntil(215);
        s.In(215, ".", 1, ack: 1001);
        s.Out(215, ".", 1001, ack: 1, len: 1000); // slow start: two segments for the ACK of one
        s.Out(215, "P.", 2001, ack: 1, len: 1000);
        s.In(220, ".", 1, ack: 3001);
        s.ExpectNothingUntil(5_000);
    }

    [Fact]
    public void Data_unacknowledged_through_MaxRetransmissions_times_out_the_connection()
    {
        var s = EstablishedWithRtt(0, new TcpSocketOptions { MaxRetransmissions = 3 });
        s.Write(10, 100);
        s.Out(10, "P.", 1, ack: 1, len: 100);
        s.Out(210, "P.", 1, ack: 1, len: 100);
        s.Out(610, "P.", 1, ack: 1, len: 100);
        s.Out(1_410, "P.", 1, ack: 1, len: 100);
        s.ExpectNothingUntil(3_010);
        s.ExpectState(TcpState.Established);
        // RFC 1122 §4.2.3.5: after R2 retransmissions, close the connection.
        s.Tick(3_010);
        s.ExpectState(TcpState.Closed, SocketError.TimedOut);
        s.ExpectNothing();
    }

    [Fact]
    public void A_segment_the_device_refused_is_sent_again_by_the_timer()
    {
        var s = EstablishedWithRtt(0);
        s.Refuse = true;
        s.Write(10, 100);
        s.ExpectNothing();
        s.Refuse = false;
        // The sink's "false" is a loss (ITcpSegmentSink.Send); the timer recovers it.
        s.Out(210, "P.", 1, ack: 1, len: 100);
    }
}
