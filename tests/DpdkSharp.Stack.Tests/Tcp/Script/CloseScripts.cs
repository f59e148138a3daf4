using System.Net.Sockets;

namespace DpdkSharp.Stack.Tests.Tcp.Script;

/// <summary>Closing a connection (RFC 9293 §3.6, §3.10.4, §3.10.5) in every variant.</summary>
public class CloseScripts
{
    /// <summary>Established, then our FIN at 10 ms (by shutdown, or by the application closing) acknowledged at 20 ms.</summary>
    private static TcpScript InFinWait2(bool closedByApplication)
    {
        var s = TcpScript.Established();
        if (closedByApplication)
        {
            s.Close(10);
        }
        else
        {
            s.Shutdown(10);
        }
        s.Out(10, "F.", 1, ack: 1); // RFC 9293 §3.10.4: "form a FIN segment and send it, and enter FIN-WAIT-1"
        s.ExpectState(TcpState.FinWait1);
        s.In(20, ".", 1, ack: 2);
        s.ExpectState(TcpState.FinWait2); // our FIN acknowledged
        return s;
    }

    [Fact]
    public void Active_close_goes_through_FIN_WAIT_1_FIN_WAIT_2_and_TIME_WAIT_for_2MSL()
    {
        var s = InFinWait2(closedByApplication: false);
        s.ExpectNothingUntil(30);
        s.In(30, "F.", 1, ack: 2);
        s.Out(30, ".", 2, ack: 2); // the peer's FIN acknowledged at once
        s.ExpectState(TcpState.TimeWait);
        Assert.True(s.Tcb!.ReadCompleted);
        // RFC 9293 §3.6: TIME-WAIT lasts 2 MSL (60 s here, as Linux), then the connection is deleted.
        s.Tick(60_029);
        s.ExpectState(TcpState.TimeWait);
        s.Tick(60_030);
        s.ExpectState(TcpState.Closed, SocketError.Success);
        s.ExpectNothing();
    }

    [Fact]
    public void A_retransmitted_FIN_in_TIME_WAIT_is_acknowledged_again()
    {
        var s = TcpScript.Established();
        s.Shutdown(10);
        s.Out(10, "F.", 1, ack: 1);
        s.In(20, "F.", 1, ack: 2);
        s.Out(20, ".", 2, ack: 2);
        s.ExpectState(TcpState.TimeWait);
        // Our ACK was lost: the peer sends its FIN again (RFC 9293 §3.10.7.4: in TIME-WAIT "the only thing that can arrive is a retransmission of the remote FIN. Acknowledge it").
        s.In(1_000, "F.", 1, ack: 2);
        s.Out(1_000, ".", 2, ack: 2);
        s.ExpectState(TcpState.TimeWait);
    }

    [Fact]
    public void Passive_close_goes_through_CLOSE_WAIT_and_LAST_ACK()
    {
        var s = TcpScript.Established();
        s.In(10, "F.", 1, ack: 1);
        s.Out(10, ".", 1, ack: 2);
        s.ExpectState(TcpState.CloseWait);
        Assert.Equal(0, s.Read(15)); // RFC 9293 §3.10.3: the peer is done sending
        Assert.True(s.Tcb!.ReadCompleted);
        s.Close(20);
        s.Out(20, "F.", 1, ack: 2);
        s.ExpectState(TcpState.LastAck);
        s.In(30, ".", 2, ack: 2);
        s.ExpectState(TcpState.Closed, SocketError.Success); // no TIME-WAIT on the passive side
    }

    [Fact]
    public void After_the_peers_FIN_data_still_flows_our_way_until_we_close()
    {
        var s = TcpScript.Established();
        s.In(10, "F.", 1, ack: 1);
        s.Out(10, ".", 1, ack: 2);
        // RFC 9293 §3.10.2: SEND is allowed in CLOSE-WAIT.
        s.Write(20, 500);
        s.Out(20, "P.", 1, ack: 2, len: 500);
        s.In(30, ".", 2, ack: 501);
        s.Shutdown(40);
        s.Out(40, "F.", 501, ack: 2);
        s.In(50, ".", 2, ack: 502);
        s.ExpectState(TcpState.Closed, SocketError.Success);
    }

    [Fact]
    public void Simultaneous_close_goes_through_CLOSING_to_TIME_WAIT()
    {
        var s = TcpScript.Established();
        s.Shutdown(10);
        s.Out(10, "F.", 1, ack: 1);
        // RFC 9293 §3.6 figure 13: the FINs cross; the peer's does not acknowledge ours.
        s.In(15, "F.", 1, ack: 1);
        s.Out(15, ".", 2, ack: 2);
        s.ExpectState(TcpState.Closing);
        s.In(20, ".", 2, ack: 2);
        s.ExpectState(TcpState.TimeWait);
        s.ExpectNothingUntil(60_020);
        s.ExpectState(TcpState.TimeWait);
        s.Tick(60_020);
        s.ExpectState(TcpState.Closed, SocketError.Success);
    }

    [Fact]
    public void A_FIN_that_also_acknowledges_ours_goes_from_FIN_WAIT_1_straight_to_TIME_WAIT()
    {
        var s = TcpScript.Established();
        s.Shutdown(10);
        s.Out(10, "F.", 1, ack: 1);
        s.In(20, "F.", 1, ack: 2); // RFC 9293 §3.10.7.4 eighth, FIN-WAIT-1: "If our FIN has been ACKed ... enter the TIME-WAIT state"
        s.Out(20, ".", 2, ack: 2);
        s.ExpectState(TcpState.TimeWait);
    }

    [Fact]
    public void Half_close_lets_the_peer_keep_sending_and_we_keep_acknowledging()
    {
        var s = InFinWait2(closedByApplication: false);
        // RFC 9293 §3.10.7.4 seventh: FIN-WAIT-1 and FIN-WAIT-2 still take segment text.
        s.In(30, "P.", 1, ack: 2, len: 1000);
        s.Out(70, ".", 2, ack: 1001); // one segment: the delayed ACK (40 ms)
        s.In(80, ".", 1001, ack: 2, len: 1000);
        s.In(80, "P.", 2001, ack: 2, len: 1000);
        s.Out(80, ".", 2, ack: 3001); // the second full segment: at once
        Assert.Equal(3000, s.Read(85));
        // The window announced at 80 ms was already the largest the unscaled field holds: reading cannot move its
        // right edge, so no window update (it would be a duplicate ACK to the peer, RFC 5681 §2).
        s.ExpectNothing();
        s.In(90, "F.", 3001, ack: 2);
        s.Out(90, ".", 2, ack: 3002);
        s.ExpectState(TcpState.TimeWait);
    }

    [Fact]
    public void Closing_with_unread_data_resets_the_connection()
    {
        var s = TcpScript.Established();
        s.In(10, "P.", 1, ack: 1, len: 100);
        s.Close(20);
        // RFC 2525 §2.17 (as Linux): data would be lost silently, so RST tells the peer; RFC 9293 §3.10.5: SEQ=SND.NXT.
        s.Out(20, "R.", 1, ack: 101);
        s.ExpectState(TcpState.Closed, SocketError.ConnectionAborted);
        s.ExpectNothingUntil(10_000);
    }

    [Fact]
    public void Abort_sends_a_RST_and_closes_at_once()
    {
        var s = TcpScript.Established();
        s.Write(5, 300);
        s.Out(5, "P.", 1, ack: 1, len: 300);
        s.Abort(10);
        s.Out(10, "R.", 301, ack: 1); // RFC 9293 §3.10.5: <SEQ=SND.NXT><CTL=RST>
        s.ExpectState(TcpState.Closed, SocketError.ConnectionAborted);
        s.ExpectNothingUntil(10_000); // no retransmission of the aborted data
    }

    [Fact]
    public void Data_arriving_after_the_application_closed_is_answered_with_RST()
    {
        var s = InFinWait2(closedByApplication: true);
        // Nobody can read it (Linux's tcp_rcv_state_process: "data after close" resets).
        s.In(30, "P.", 1, ack: 2, len: 100);
        s.Out(30, "R.", 2, ack: 1);
        s.ExpectState(TcpState.Closed, SocketError.ConnectionAborted);
    }

    [Fact]
    public void An_orphan_in_FIN_WAIT_2_gives_up_after_the_FIN_timeout()
    {
        var s = InFinWait2(closedByApplication: true);
        // Linux's tcp_fin_timeout: the peer never sends its FIN; nothing is sent when it ends.
        s.ExpectNothingUntil(60_020);
        s.ExpectState(TcpState.FinWait2);
        s.Tick(60_020);
        s.ExpectState(TcpState.Closed);
        s.ExpectNothing();
    }

    [Fact]
    public void A_lost_FIN_is_retransmitted_on_the_timer()
    {
        var s = TcpScript.Established();
        s.Shutdown(10);
        s.Out(10, "F.", 1, ack: 1);
        // RFC 9293 §3.10.4: the FIN is retransmitted until acknowledged; the handshake's 0 ms sample gives the 200 ms floor.
        s.ExpectNothingUntil(210);
        s.Out(210, "F.", 1, ack: 1);
        s.Out(610, "F.", 1, ack: 1); // backed off (RFC 6298 §5.5)
        s.In(620, ".", 1, ack: 2);
        s.ExpectState(TcpState.FinWait2);
    }

    [Fact]
    public void A_RST_in_TIME_WAIT_ends_it()
    {
        var s = InFinWait2(closedByApplication: false);
        s.In(30, "F.", 1, ack: 2);
        s.Out(30, ".", 2, ack: 2);
        // RFC 9293 §3.10.7.4 second, TIME-WAIT: "If the RST bit is set, then enter the CLOSED state" (RFC 1337's
        // protection against TIME-WAIT assassination is not applied, as in Linux's default).
        Assert.True(s.In(40, "R", 2));
        s.ExpectState(TcpState.Closed, SocketError.Success);
    }
}
