using System.Net.Sockets;

namespace DpdkSharp.Stack.Tests.Tcp.Script;

/// <summary>Out-of-order data with SACK blocks (RFC 2018, RFC 5681 §4.2) and keepalive (RFC 1122 §4.2.3.6).</summary>
public class ReceiveScripts
{
    private static readonly TcpSocketOptions KeepAlive = new()
    {
        KeepAlive = true,
        KeepAliveTime = TimeSpan.FromSeconds(10),
        KeepAliveInterval = TimeSpan.FromSeconds(1),
        KeepAliveRetryCount = 3,
    };

    [Fact]
    public void Out_of_order_data_is_acknowledged_at_once_with_SACK_blocks_most_recent_first()
    {
        var s = TcpScript.Established(synOptions: "mss 1000, sackOK");
        // RFC 5681 §4.2: an out-of-order segment gets an immediate duplicate ACK; RFC 2018 §4: the first block
        // holds the most recently received segment, then the other blocks most recent first.
        s.In(10, ".", 1001, ack: 1, len: 1000);
        s.Out(10, ".", 1, ack: 1, options: "sack 1001:2001");
        s.In(11, ".", 3001, ack: 1, len: 1000);
        s.Out(11, ".", 1, ack: 1, options: "sack 3001:4001 1001:2001");
        s.In(12, ".", 5001, ack: 1, len: 1000);
        s.Out(12, ".", 1, ack: 1, options: "sack 5001:6001 3001:4001 1001:2001");
        s.In(13, ".", 2001, ack: 1, len: 1000); // joins the first two blocks
        s.Out(13, ".", 1, ack: 1, options: "sack 1001:4001 5001:6001");
        // The hole at the start filled: a cumulative ACK at once (RFC 5681 §4.2), the remaining block reported.
        s.In(14, ".", 1, ack: 1, len: 1000);
        s.Out(14, ".", 1, ack: 4001, options: "sack 5001:6001");
        s.In(15, "P.", 4001, ack: 1, len: 1000);
        s.Out(15, ".", 1, ack: 6001, options: "");
        Assert.Equal(6000, s.Read(20));
    }

    [Fact]
    public void Without_SACK_out_of_order_data_is_kept_and_acknowledged_cumulatively()
    {
        var s = TcpScript.Established();
        s.In(10, ".", 1001, ack: 1, len: 1000);
        s.Out(10, ".", 1, ack: 1, options: "");
        Assert.Equal(0, s.Tcb!.Available);
        s.In(11, ".", 1, ack: 1, len: 1000);
        s.Out(11, ".", 1, ack: 2001, options: "");
        Assert.Equal(2000, s.Read(12));
    }

    [Fact]
    public void A_duplicate_segment_is_acknowledged_at_once()
    {
        var s = TcpScript.Established();
        s.In(10, "P.", 1, ack: 1, len: 100);
        s.Out(50, ".", 1, ack: 101);
        Assert.False(s.In(60, "P.", 1, ack: 1, len: 100)); // RFC 9293 §3.10.7.4 first: not acceptable, "send an acknowledgment"
        s.Out(60, ".", 1, ack: 101);
        Assert.Equal(100, s.Tcb!.Available);
    }

    [Fact]
    public void Keepalive_probes_an_idle_connection_and_times_it_out_after_the_count()
    {
        var s = TcpScript.Established(KeepAlive);
        // RFC 1122 §4.2.3.6: after the idle time, a probe with SEG.SEQ = SND.NXT − 1 and no data.
        s.ExpectNothingUntil(10_000);
        s.Out(10_000, ".", 0, ack: 1);
        s.Out(11_000, ".", 0, ack: 1);
        s.Out(12_000, ".", 0, ack: 1);
        s.ExpectNothingUntil(13_000);
        s.ExpectState(TcpState.Established);
        s.Tick(13_000);
        s.ExpectState(TcpState.Closed, SocketError.TimedOut);
        Assert.Equal(1, s.Counters.KeepAliveTimeouts);
        s.ExpectNothing();
    }

    [Fact]
    public void An_answered_keepalive_probe_restarts_the_idle_time()
    {
        var s = TcpScript.Established(KeepAlive);
        s.Out(10_000, ".", 0, ack: 1);
        s.In(10_050, ".", 1, ack: 1);
        s.ExpectNothingUntil(20_050);
        s.Out(20_050, ".", 0, ack: 1);
        s.ExpectState(TcpState.Established);
    }

    [Fact]
    public void A_FIN_beyond_a_hole_counts_only_once_the_hole_is_filled()
    {
        var s = TcpScript.Established(synOptions: "mss 1000, sackOK");
        s.In(10, "F.", 1001, ack: 1, len: 1000);
        s.Out(10, ".", 1, ack: 1, options: "sack 1001:2001"); // the FIN is not acknowledged while data before it is missing
        s.ExpectState(TcpState.Established);
        // RFC 9293 §3.10.7.4 eighth: the FIN takes effect when RCV.NXT reaches it.
        s.In(20, ".", 1, ack: 1, len: 1000);
        s.Out(20, ".", 1, ack: 2002, options: "");
        s.ExpectState(TcpState.CloseWait);
        Assert.Equal(2000, s.Read(30));
        Assert.True(s.Tcb!.ReadCompleted);
    }
}
