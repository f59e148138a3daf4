using System.Net.Sockets;

namespace DpdkSharp.Stack.Tests.Tcp.Script;

/// <summary>Opening a connection (RFC 9293 §3.5) and negotiating its options (RFC 9293 §3.7.1, RFC 7323, RFC 2018).</summary>
public class HandshakeScripts
{
    private const string PeerSyn = "mss 1460, sackOK, TS val 100 ecr 0, wscale 7";

    [Fact]
    public void Active_open_sends_a_SYN_with_every_option_and_acknowledges_the_SYN_ACK()
    {
        var s = TcpScript.Active();
        // RFC 9293 §3.5 figure 6; RFC 7323 §2.2: the SYN's window is never scaled; our shift covers the 6 MB buffer.
        s.Out(0, "S", 0, win: 65535, options: "mss 1460, sackOK, TS val 0 ecr 0, wscale 7");
        s.In(50, "S.", 0, ack: 1, win: 65535, options: PeerSyn);
        s.Out(50, ".", 1, ack: 1, win: 1024, options: "TS val 50 ecr 100");
        s.ExpectState(TcpState.Established);
        Assert.Equal((true, true, true), s.Tcb!.Negotiated);
        Assert.Equal(1460 - 12, s.Tcb.SendMss); // RFC 7323 §3.2 / RFC 6691: the MSS counts data; every segment carries 12 bytes of timestamp
        Assert.Equal(TcpEvents.Connected | TcpEvents.Writable, s.Tcb.TakeEvents());
        s.ExpectNothingUntil(10_000);
    }

    [Fact]
    public void Passive_open_answers_the_SYN_with_a_SYN_ACK_and_the_ACK_establishes()
    {
        var s = TcpScript.Passive();
        s.In(0, "S", 0, win: 65535, options: PeerSyn);
        // RFC 7323 §2.2 / §3.2, RFC 2018 §2: options are answered only because the SYN carried them.
        s.Out(0, "S.", 0, ack: 1, win: 65535, options: "mss 1460, sackOK, TS val 0 ecr 100, wscale 7");
        s.ExpectState(TcpState.SynReceived);
        s.In(10, ".", 1, ack: 1, win: 512, options: "TS val 110 ecr 0");
        s.ExpectState(TcpState.Established);
        Assert.Equal(TcpEvents.Connected | TcpEvents.Writable, s.Tcb!.TakeEvents());
        s.ExpectNothingUntil(10_000);
    }

    [Fact]
    public void Options_the_peer_does_not_offer_are_not_used_and_the_MSS_defaults_to_536()
    {
        var s = TcpScript.Passive();
        s.In(0, "S", 0, win: 8192);
        // RFC 7323 §1.3, RFC 2018 §2: no window scale, timestamps or SACK-permitted in reply to a SYN without them.
        s.Out(0, "S.", 0, ack: 1, win: 65535, options: "mss 1460");
        s.In(10, ".", 1, ack: 1, win: 8192);
        Assert.Equal((false, false, false), s.Tcb!.Negotiated);
        Assert.Equal(536, s.Tcb.SendMss); // RFC 9293 §3.7.1: 536 when the SYN carries no MSS
        // Unscaled windows both ways (RFC 7323 §2.2: a shift is used only when both sides sent one).
        s.Write(20, 100);
        s.Out(20, "P.", 1, ack: 1, win: 65535, options: "", len: 100);
    }

    [Fact]
    public void The_MSS_is_clamped_to_the_MTU_and_to_the_configured_maximum()
    {
        var s = TcpScript.Active(mtu: 1000);
        // RFC 9293 §3.7.1 / RFC 879: MSS = MTU − 40 (IPv4 and TCP headers without options).
        s.Out(0, "S", 0, options: "mss 960, sackOK, TS val 0 ecr 0, wscale 7");
        s.In(20, "S.", 0, ack: 1, win: 65535, options: "mss 1460, wscale 2");
        s.Out(20, ".", 1, ack: 1, options: "");
        Assert.Equal(960, s.Tcb!.SendMss); // the smaller of the peer's 1460 and our route's 960

        var capped = TcpScript.Active(new TcpSocketOptions { MaxSegmentSize = 600 });
        capped.Out(0, "S", 0, options: "mss 600, sackOK, TS val 0 ecr 0, wscale 7");
        capped.In(20, "S.", 0, ack: 1, win: 65535, options: "mss 1460");
        capped.Out(20, ".", 1, ack: 1, options: "");
        Assert.Equal(600, capped.Tcb!.SendMss);
    }

    [Fact]
    public void Window_scaling_turned_off_locally_sends_no_wscale_and_windows_are_unscaled()
    {
        var s = TcpScript.Active(new TcpSocketOptions { WindowScaling = false, Timestamps = false, SelectiveAcknowledgments = false });
        s.Out(0, "S", 0, win: 65535, options: "mss 1460");
        s.In(20, "S.", 0, ack: 1, win: 1000, options: PeerSyn);
        // The peer's wscale is ignored: RFC 7323 §2.2, scaling needs both SYNs to carry the option.
        s.Out(20, ".", 1, ack: 1, win: 65535, options: "");
        s.Write(30, 3000);
        s.Out(30, ".", 1, ack: 1, len: 1000); // the peer's window of 1000 bytes, not 1000 << 7
        s.ExpectNothing();
    }

    [Fact]
    public void Simultaneous_open_goes_through_SYN_RECEIVED_to_ESTABLISHED()
    {
        var s = TcpScript.Active();
        s.Out(0, "S", 0, options: "mss 1460, sackOK, TS val 0 ecr 0, wscale 7");
        // RFC 9293 §3.5 figure 7: the peer's SYN crosses ours; we answer SYN,ACK with the same ISS.
        s.In(10, "S", 0, win: 1000, options: PeerSyn);
        s.ExpectState(TcpState.SynReceived);
        s.Out(10, "S.", 0, ack: 1, win: 65535, options: "mss 1460, sackOK, TS val 10 ecr 100, wscale 7");
        // Line 7: the peer's SYN,ACK (its SYN again, with the ACK of ours) establishes at once.
        Assert.True(s.In(20, "S.", 0, ack: 1, win: 1000, options: "mss 1460, sackOK, TS val 120 ecr 10, wscale 7"));
        s.ExpectState(TcpState.Established);
        Assert.Equal((true, true, true), s.Tcb!.Negotiated);
        // The SYN,ACK's window is not scaled (RFC 7323 §2.2): 1000 bytes, not 1000 << 7.
        s.Write(30, 3000);
        s.Out(30, ".", 1, ack: 1, len: 1000, options: "TS val 30 ecr 120");
        // Unacknowledged, it goes again after the RTO the SYN's 20 ms sample set: the 200 ms floor (RFC 6298 §2.2, §2.4).
        s.ExpectNothingUntil(230);
        s.Out(230, ".", 1, ack: 1, len: 1000);
    }

    [Fact]
    public void A_SYN_ACK_acknowledging_something_else_is_answered_with_a_RST()
    {
        var s = TcpScript.Active();
        s.Out(0, "S", 0);
        // RFC 9293 §3.10.7.3: "If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset <SEQ=SEG.ACK><CTL=RST>".
        Assert.False(s.In(10, "S.", 0, ack: 5, win: 65535));
        s.Out(10, "R", 5);
        s.ExpectState(TcpState.SynSent);
    }

    [Fact]
    public void A_RST_answering_the_SYN_refuses_the_connection()
    {
        var s = TcpScript.Active();
        s.Out(0, "S", 0);
        s.In(10, "R.", 0, ack: 1, win: 0);
        s.ExpectState(TcpState.Closed, SocketError.ConnectionRefused); // RFC 9293 §3.10.7.3 "second check the RST bit"
        s.ExpectNothingUntil(5_000);
    }

    [Fact]
    public void A_lost_SYN_ACK_is_sent_again_when_the_SYN_is_retransmitted()
    {
        var s = TcpScript.Passive();
        s.In(0, "S", 0, win: 65535, options: "mss 1460");
        s.Out(0, "S.", 0, ack: 1, options: "mss 1460");
        s.In(300, "S", 0, win: 65535, options: "mss 1460");
        s.Out(300, "S.", 0, ack: 1, options: "mss 1460");
        s.ExpectState(TcpState.SynReceived);
    }

    [Fact]
    public void A_RST_without_ACK_in_SYN_SENT_is_ignored()
    {
        var s = TcpScript.Active();
        s.Out(0, "S", 0);
        Assert.False(s.In(10, "R", 0)); // RFC 9293 §3.10.7.3: "If the ACK bit is off, ... drop the segment" (it cannot be for our SYN)
        s.ExpectState(TcpState.SynSent);
        s.Out(1_000, "S", 0);
    }

    [Fact]
    public void An_ACK_in_SYN_RECEIVED_that_does_not_cover_our_SYN_is_answered_with_a_RST()
    {
        var s = TcpScript.Passive();
        s.In(0, "S", 0, win: 65535, options: "mss 1000");
        s.Out(0, "S.", 0, ack: 1);
        // RFC 9293 §3.10.7.4 fifth, SYN-RECEIVED: unacceptable ACK: <SEQ=SEG.ACK><CTL=RST>.
        Assert.False(s.In(10, ".", 1, ack: 0));
        s.Out(10, "R", 0);
        s.ExpectState(TcpState.SynReceived);
        s.In(20, ".", 1, ack: 1);
        s.ExpectState(TcpState.Established);
    }
}
