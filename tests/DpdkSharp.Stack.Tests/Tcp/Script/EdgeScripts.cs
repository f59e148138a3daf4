namespace DpdkSharp.Stack.Tests.Tcp.Script;

/// <summary>Corners: sequence-number wraparound (RFC 9293 §3.4), FIN with data, a full receive queue (RFC 9293 §3.8.6.2.2).</summary>
public class EdgeScripts
{
    [Fact]
    public void Sequence_numbers_wrap_around_2_to_the_32_in_both_directions()
    {
        // Both ISSs a few hundred bytes below 2³²: every comparison must be modulo 2³² (RFC 9293 §3.4).
        var s = TcpScript.Established(ourIss: uint.MaxValue - 500, peerIss: uint.MaxValue - 300);
        s.Write(10, 2000);
        s.Out(10, ".", 1, ack: 1, len: 1000);
        s.Out(10, "P.", 1001, ack: 1, len: 1000);
        s.In(20, "P.", 1, ack: 2001, len: 1000);
        s.Out(60, ".", 2001, ack: 1001);
        Assert.Equal(0, s.Tcb!.SendQueued);
        Assert.Equal(1000, s.Read(70));
        s.In(80, "F.", 1001, ack: 2001);
        s.Out(80, ".", 2001, ack: 1002);
        s.ExpectState(TcpState.CloseWait);
    }

    [Fact]
    public void Queued_data_and_the_FIN_share_a_segment()
    {
        var s = TcpScript.Established();
        s.Write(10, 100);
        s.Out(10, "P.", 1, ack: 1, len: 100);
        s.Write(20, 100);
        s.ExpectNothing(); // held by Nagle
        // The FIN follows the queued data (RFC 9293 §3.10.4) and, as in Linux, is not held by Nagle: nothing more will come.
        s.Shutdown(25);
        s.Out(25, "FP.", 101, ack: 1, len: 100);
        // Both lost: on the timer everything from SND.UNA goes again, data and FIN together (RFC 6298 §5.4, one MSS of cwnd).
        s.Out(210, "FP.", 1, ack: 1, len: 200);
        s.In(220, ".", 1, ack: 202);
        s.ExpectState(TcpState.FinWait2);
    }

    [Fact]
    public void A_full_receive_queue_advertises_a_zero_window_and_reading_reopens_it()
    {
        var s = EstablishedWithAFourThousandByteQueue();
        for (int i = 0; i < 4; i++)
        {
            s.In(20, ".", 1 + 1000 * i, ack: 1, len: 1000);
        }
        s.Out(20, ".", 1, ack: 2001, win: 2000);
        s.Out(20, ".", 1, ack: 4001, win: 0);
        // Beyond the window: "not acceptable", acknowledged and dropped (RFC 9293 §3.10.7.4 first; zero window: only RCV.NXT).
        Assert.False(s.In(30, ".", 4001, ack: 1, len: 1000));
        s.Out(30, ".", 1, ack: 4001, win: 0);
        // Reading half opens it by min(half the buffer, MSS) or more: the update goes at once (RFC 9293 §3.8.6.2.2).
        Assert.Equal(2000, s.Read(40, 2000));
        s.Out(40, ".", 1, ack: 4001, win: 2000);
        s.In(50, ".", 4001, ack: 1, len: 1000);
        s.Out(90, ".", 1, ack: 5001, win: 1000);
    }

    [Fact]
    public void A_zero_window_takes_the_acknowledgment_of_a_segment_just_below_RCV_NXT()
    {
        var s = EstablishedWithAFourThousandByteQueue();
        s.Write(20, 1000);
        s.Out(20, "P.", 1, ack: 1, len: 1000);
        for (int i = 0; i < 4; i++)
        {
            s.In(30, ".", 1 + 1000 * i, ack: 1, len: 1000);
        }
        s.Out(30, ".", 1001, ack: 2001, win: 2000);
        s.Out(30, ".", 1001, ack: 4001, win: 0);
        // The peer's ACK of our data comes from SND.UNA - 1, one below our RCV.NXT, as Linux's window probes
        // do (and a BSD sender's ACKs after a timeout rewound SND.NXT). Not acceptable as a segment (RFC 9293 §3.10.7.4 first),
        // but a zero window must still take valid ACKs ("special allowance"): refused, our application
        // would wait for this acknowledgment while the peer waited for our window.
        Assert.False(s.In(40, ".", 4000, ack: 1001));
        Assert.Equal(0, s.Tcb!.SendQueued);
        s.Out(40, ".", 1001, ack: 4001, win: 0);
        s.ExpectNothingUntil(3_000); // nothing to retransmit: the data was acknowledged
        // The same from further below than the whole buffer (more than the peer can have had in flight) is not one.
        s.Write(3_000, 500);
        s.DiscardSent();
        s.In(3_010, ".", -1000, ack: 1501);
        Assert.Equal(500, s.Tcb.SendQueued);
    }

    [Fact]
    public void Data_on_the_handshakes_last_ACK_is_taken_and_acknowledged_after_the_delay()
    {
        var s = TcpScript.Passive();
        s.In(0, "S", 0, win: 65535, options: "mss 1000");
        s.Out(0, "S.", 0, ack: 1);
        s.In(10, "P.", 1, ack: 1, len: 100); // RFC 9293 §3.10.7.4: SYN-RECEIVED moves to ESTABLISHED "and continue processing"
        s.ExpectState(TcpState.Established);
        Assert.Equal(100, s.Tcb!.Available);
        s.Out(50, ".", 1, ack: 101);
    }

    [Fact]
    public void A_FIN_on_the_handshakes_last_ACK_moves_to_CLOSE_WAIT()
    {
        var s = TcpScript.Passive();
        s.In(0, "S", 0, win: 65535, options: "mss 1000");
        s.Out(0, "S.", 0, ack: 1);
        s.In(10, "F.", 1, ack: 1);
        s.Out(10, ".", 1, ack: 2);
        s.ExpectState(TcpState.CloseWait); // RFC 9293 §3.10.7.4 eighth: SYN-RECEIVED and ESTABLISHED enter CLOSE-WAIT
        Assert.True(s.Tcb!.ReadCompleted);
    }

    [Fact]
    public void A_segment_overlapping_received_data_delivers_only_its_new_bytes()
    {
        var s = TcpScript.Established();
        s.In(10, ".", 1, ack: 1, len: 1000);
        s.In(20, "P.", 501, ack: 1, len: 1000); // RFC 9293 §3.10.7.4 first/seventh: trim to the window, keep the new part
        s.Out(50, ".", 1, ack: 1501); // 1500 new bytes, under two full segments: the ACK of the first is delayed as before
        Assert.Equal(1500, s.Read(60));
    }

    /// <summary>A passive connection whose receive queue holds 4000 bytes and never grows, windows unscaled: a zero window is near.</summary>
    private static TcpScript EstablishedWithAFourThousandByteQueue()
    {
        var options = new TcpSocketOptions { ReceiveBufferSize = 4000, MaxReceiveBufferSize = 4000, WindowScaling = false };
        var s = TcpScript.Passive(options);
        s.In(0, "S", 0, win: 65535, options: "mss 1000");
        s.Out(0, "S.", 0, ack: 1, win: 4000);
        s.In(10, ".", 1, ack: 1);
        return s;
    }
}
