using System.Net.Sockets;

namespace DpdkSharp.Stack.Tests.Tcp.Script;

/// <summary>RST processing (RFC 9293 §3.10.7.4 second check) hardened against blind attacks (RFC 5961).</summary>
public class ResetScripts
{
    [Fact]
    public void A_RST_at_exactly_RCV_NXT_resets_the_connection()
    {
        var s = TcpScript.Established();
        s.In(10, "P.", 1, ack: 1, len: 100);
        Assert.True(s.In(20, "R", 101)); // RFC 5961 §3.2: "If the RST bit is set and the sequence number exactly matches the next expected sequence number (RCV.NXT), then TCP MUST reset the connection"
        s.ExpectState(TcpState.Closed, SocketError.ConnectionReset);
        Assert.Equal(1, s.Counters.ResetsReceived);
        s.ExpectNothingUntil(10_000); // no delayed ACK for the data, no RST back
    }

    [Fact]
    public void A_RST_inside_the_window_but_not_at_RCV_NXT_gets_a_challenge_ACK()
    {
        var s = TcpScript.Established();
        Assert.False(s.In(10, "R", 500));
        // RFC 5961 §3.2: "the receiver MUST send an ACK (challenge ACK) to the remote peer: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>"
        s.Out(10, ".", 1, ack: 1);
        s.ExpectState(TcpState.Established);
        Assert.Equal(1, s.Counters.ChallengeAcks);
        // The real peer answers the challenge with a RST at RCV.NXT (RFC 5961 §3.2).
        Assert.True(s.In(20, "R", 1));
        s.ExpectState(TcpState.Closed, SocketError.ConnectionReset);
    }

    [Fact]
    public void A_RST_outside_the_window_is_dropped_silently()
    {
        var s = TcpScript.Established();
        Assert.False(s.In(10, "R", 200_000)); // RFC 5961 §3.2: "If the RST bit is set and the sequence number is outside the current receive window, silently drop the segment"
        Assert.False(s.In(10, "R.", -5, ack: 1));
        s.ExpectNothingUntil(5_000);
        s.ExpectState(TcpState.Established);
        Assert.Equal(0, s.Counters.ChallengeAcks);
    }

    [Fact]
    public void A_SYN_in_ESTABLISHED_gets_a_challenge_ACK_whatever_its_sequence_number()
    {
        var s = TcpScript.Established();
        // RFC 5961 §4.2: "If the SYN bit is set, irrespective of the sequence number, TCP MUST send an ACK (also referred to as challenge ACK)"
        Assert.False(s.In(10, "S", 50));
        s.Out(10, ".", 1, ack: 1);
        Assert.False(s.In(20, "S", -1000));
        s.Out(20, ".", 1, ack: 1);
        s.ExpectState(TcpState.Established);
        s.ExpectNothingUntil(5_000);
    }

    [Fact]
    public void An_ACK_of_data_not_yet_sent_is_answered_with_an_ACK_and_dropped()
    {
        var s = TcpScript.Established();
        s.Write(5, 100);
        s.Out(5, "P.", 1, ack: 1, len: 100);
        // RFC 9293 §3.10.7.4 fifth: "If the ACK acks something not yet sent (SEG.ACK > SND.NXT) then send an ACK, drop the segment"
        Assert.False(s.In(10, ".", 1, ack: 5000));
        s.Out(10, ".", 101, ack: 1);
        Assert.Equal(100, s.Tcb!.SendQueued); // nothing was freed
        s.In(20, ".", 1, ack: 101);
        Assert.Equal(0, s.Tcb.SendQueued);
    }

    [Fact]
    public void An_ACK_older_than_the_largest_window_gets_a_challenge_ACK()
    {
        var s = TcpScript.Established(win: 1000);
        // RFC 5961 §5.2: acceptable only if SND.UNA − MAX.SND.WND ≤ SEG.ACK ≤ SND.NXT; otherwise discard and send an ACK.
        Assert.False(s.In(10, "P.", 1, ack: -2000, len: 10));
        s.Out(10, ".", 1, ack: 1);
        Assert.Equal(0, s.Tcb!.Available); // the data of a blind injection is not taken
        Assert.Equal(1, s.Counters.ChallengeAcks);
    }

    [Fact]
    public void Challenge_ACKs_are_rate_limited()
    {
        var s = TcpScript.Established(challengeAcksPerSecond: 2);
        // RFC 5961 §7: a limit on challenge ACKs sent per time unit (system-wide; Linux's tcp_challenge_ack_limit).
        s.In(10, "R", 500);
        s.Out(10, ".", 1, ack: 1);
        s.In(11, "R", 600);
        s.Out(11, ".", 1, ack: 1);
        s.In(12, "R", 700);
        s.In(13, "S", 5);
        s.ExpectNothing();
        Assert.Equal(2, s.Counters.ChallengeAcks);
        Assert.Equal(2, s.Counters.ChallengeAcksThrottled);
        // The budget refills with time.
        s.In(1_100, "R", 800);
        s.Out(1_100, ".", 1, ack: 1);
    }

    [Fact]
    public void A_RST_in_SYN_RECEIVED_of_a_passive_open_closes_it()
    {
        var s = TcpScript.Passive();
        s.In(0, "S", 0, win: 65535, options: "mss 1000");
        s.Out(0, "S.", 0, ack: 1);
        Assert.True(s.In(10, "R", 1)); // RFC 9293 §3.10.7.4 second, SYN-RECEIVED from a passive open: back to LISTEN (the table forgets it)
        s.ExpectState(TcpState.Closed, SocketError.ConnectionReset);
        s.ExpectNothingUntil(10_000);
    }
}
