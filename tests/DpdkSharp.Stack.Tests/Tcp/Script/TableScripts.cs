namespace DpdkSharp.Stack.Tests.Tcp.Script;

/// <summary>The connection table: RSTs for segments that match nothing, SYN cookies and TIME-WAIT reuse.</summary>
public class TableScripts
{
    private const ushort Port = 8080;

    private static TcpListenerState Listen(TcpScript s, int backlog = 16)
    {
        Assert.Equal(NetError.None, s.Table!.Listen(Port, backlog, null, out var listener));
        return listener!;
    }

    [Fact]
    public void A_segment_to_a_closed_port_is_answered_with_a_RST_built_from_it()
    {
        var s = TcpScript.WithTable();
        // RFC 9293 §3.10.7.1: ACK bit off: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> (a SYN counts one) ...
        Assert.False(s.In(0, "S", 0, options: "mss 1460"));
        s.Out(0, "R.", 0, ack: 1, win: 0, options: "");
        Assert.False(s.In(10, "P", 100, len: 20));
        s.Out(10, "R.", 0, ack: 120);
        // ... ACK bit on: <SEQ=SEG.ACK><CTL=RST> (sequence numbers here are absolute: there is no ISS).
        Assert.False(s.In(20, ".", 5, ack: 777_777, len: 10));
        s.Out(20, "R", 777_777);
        // "An incoming segment containing a RST is discarded."
        Assert.False(s.In(30, "R.", 5, ack: 1));
        s.ExpectNothingUntil(1_000);
        Assert.Equal(3, s.Counters.ResetsSent);
    }

    [Fact]
    public void A_listener_answers_a_SYN_and_the_ACK_queues_the_connection_for_accept()
    {
        var s = TcpScript.WithTable();
        var listener = Listen(s);
        s.In(0, "S", 0, win: 65535, options: "mss 1460, sackOK, TS val 100 ecr 0, wscale 7");
        s.Out(0, "S.", 0, ack: 1, win: 65535, options: "mss 1460, sackOK, TS val * ecr 100, wscale 7");
        Assert.False(s.Table!.TryAccept(listener, this, out _));
        s.In(10, ".", 1, ack: 1, options: $"TS val 110 ecr {s.LastTsVal}");
        Assert.True(s.Table.TryAccept(listener, this, out var tcb));
        Assert.Equal(TcpState.Established, tcb!.State);
        // RFC 9293 §3.10.7.2: an ACK to a listener (no SYN) with no matching cookie: <SEQ=SEG.ACK><CTL=RST>.
        Assert.False(s.In(20, ".", 1, ack: 50, port: 40001));
        Assert.Equal(1, s.OtherSegments);
    }

    [Fact]
    public void With_the_accept_queue_full_a_SYN_is_dropped_and_counted_and_its_retry_is_answered_once_there_is_room()
    {
        var s = TcpScript.WithTable();
        var listener = Listen(s, backlog: 1);
        s.In(0, "S", 0, options: "mss 1460");
        s.Out(0, "S.", 0, ack: 1);
        s.In(10, ".", 1, ack: 1); // established, waiting in the accept queue: it is full
        // Linux drops SYNs while the accept queue is full (no SYN-ACK, not even a cookie): the peer retries later.
        Assert.False(s.In(20, "S", 0, options: "mss 1460", port: 40001));
        Assert.Equal(1, s.NetCounters.DropCount(DropReason.ListenQueueFull));
        Assert.Equal(0, s.OtherSegments);
        Assert.Equal(0, s.Counters.SynCookiesSent);
        s.ExpectNothingUntil(1_000);

        Assert.True(s.Table!.TryAccept(listener, this, out _)); // the application takes the first: room again
        Assert.True(s.In(1_020, "S", 0, options: "mss 1460", port: 40001)); // the peer's retransmitted SYN
        Assert.Equal(1, s.OtherSegments); // its SYN-ACK
        Assert.Equal(1, s.NetCounters.DropCount(DropReason.ListenQueueFull));
    }

    [Fact]
    public void With_the_SYN_queue_full_a_SYN_cookie_answers_and_its_ACK_completes_the_connection_with_the_encoded_options()
    {
        var s = TcpScript.WithTable();
        var listener = Listen(s, backlog: 1);
        s.In(0, "S", 0, win: 65535, options: "mss 1460", port: 40001); // fills the SYN queue (one half-open connection)
        Assert.Equal(1, s.OtherSegments);
        // RFC 4987 §3.6: no state kept; MSS, window scale and SACK-permitted are encoded in the cookie and our TSval.
        s.In(5, "S", 0, win: 65535, options: "mss 1460, sackOK, TS val 100 ecr 0, wscale 7");
        s.Out(5, "S.", 0, ack: 1, win: 65535, options: "mss 1460, sackOK, TS val * ecr 100, wscale 7");
        Assert.Equal(1, s.Counters.SynCookiesSent);
        Assert.Equal(1, s.Table!.Count); // only the half-open one from port 40001
        s.In(10, ".", 1, ack: 1, win: 1000, options: $"TS val 110 ecr {s.LastTsVal}");
        Assert.Equal(1, s.Counters.SynCookiesAccepted);
        Assert.True(s.Table.TryAccept(listener, this, out var tcb));
        s.Adopt(tcb!);
        s.ExpectState(TcpState.Established);
        Assert.Equal((true, true, true), tcb!.Negotiated);
        Assert.Equal(1460 - 12, tcb.SendMss);
        // The peer's shift of 7 applies to the ACK's window: 1000 << 7 bytes, so a full burst goes.
        s.Write(20, 3 * 1448);
        s.Out(20, ".", 1, ack: 1, len: 1448, options: "TS val * ecr 110");
        s.Out(20, ".", 1449, ack: 1, len: 1448);
        s.Out(20, "P.", 2897, ack: 1, len: 1448);
    }

    [Fact]
    public void A_cookie_ACK_with_a_forged_cookie_is_answered_with_a_RST()
    {
        var s = TcpScript.WithTable();
        Listen(s, backlog: 1);
        s.In(0, "S", 0, win: 65535, options: "mss 1460", port: 40001);
        s.In(5, "S", 0, win: 65535, options: "mss 1460");
        s.Out(5, "S.", 0, ack: 1);
        Assert.False(s.In(10, ".", 1, ack: 2)); // not cookie + 1
        s.Out(10, "R", 2);
        Assert.Equal(0, s.Counters.SynCookiesAccepted);
    }

    /// <summary>A connection accepted on the table and actively closed by us into TIME-WAIT (peer timestamps from 100).</summary>
    private static TcpScript InTimeWait()
    {
        var s = TcpScript.WithTable();
        var listener = Listen(s);
        s.In(0, "S", 0, win: 65535, options: "mss 1000, TS val 100 ecr 0");
        s.Out(0, "S.", 0, ack: 1, options: "mss 1460, TS val * ecr 100");
        s.In(10, ".", 1, ack: 1, options: $"TS val 110 ecr {s.LastTsVal}");
        Assert.True(s.Table!.TryAccept(listener, s, out var tcb));
        s.Adopt(tcb!);
        s.Close(20);
        s.Out(20, "F.", 1, ack: 1, options: "TS val * ecr 110");
        s.In(30, "F.", 1, ack: 2, options: $"TS val 130 ecr {s.LastTsVal}");
        s.Out(30, ".", 2, ack: 2);
        s.ExpectState(TcpState.TimeWait);
        return s;
    }

    [Fact]
    public void A_SYN_with_a_newer_timestamp_reuses_a_4_tuple_in_TIME_WAIT()
    {
        var s = InTimeWait();
        // RFC 6191 §2: the timestamp is newer than the last one seen, so TIME-WAIT ends and the SYN opens a new connection.
        Assert.True(s.In(1_000, "S", 10_000, win: 65535, options: "mss 1000, TS val 1000 ecr 0"));
        s.Out(1_000, "S.", 0, ack: 10_001, options: "mss 1460, TS val * ecr 1000"); // with a new ISS
        Assert.Equal(1, s.Table!.Count);
    }

    [Fact]
    public void A_SYN_with_an_old_timestamp_does_not_reuse_a_4_tuple_in_TIME_WAIT()
    {
        var s = InTimeWait();
        // RFC 6191 §2: not newer, so it is processed by TIME-WAIT: PAWS (RFC 7323 §5.3) drops it and acknowledges.
        Assert.False(s.In(1_000, "S", 10_000, win: 65535, options: "mss 1000, TS val 120 ecr 0"));
        s.Out(1_000, ".", 2, ack: 2);
        s.ExpectState(TcpState.TimeWait);
    }
}
