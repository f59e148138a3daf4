namespace DpdkSharp.Stack.Tests.Tcp.Script;

/// <summary>Window scaling (RFC 7323 §2) and timestamps with PAWS (RFC 7323 §3-§5).</summary>
public class WindowScalingScripts
{
    [Fact]
    public void The_peers_window_fields_are_scaled_by_its_shift_except_in_the_SYN()
    {
        // The SYN's window (RFC 7323 §2.2: never scaled) is 1000 bytes; after it, fields count 4-byte units.
        var s = TcpScript.Established(synOptions: "mss 1000, wscale 2", win: 1000);
        s.Write(10, 5000);
        s.Out(10, ".", 1, ack: 1, len: 1000); // the third segment of the handshake said 1000: 4000 bytes (RFC 7323 §2.3)
        s.Out(10, ".", 1001, ack: 1, len: 1000);
        s.Out(10, ".", 2001, ack: 1, len: 1000);
        s.Out(10, ".", 3001, ack: 1, len: 1000);
        s.ExpectNothing();
        s.In(20, ".", 1, ack: 4001, win: 250); // 1000 bytes
        s.Out(20, "P.", 4001, ack: 1, len: 1000);
    }

    [Fact]
    public void Our_window_is_advertised_scaled_by_our_shift_and_unscaled_in_the_SYN_ACK()
    {
        var s = TcpScript.Passive();
        s.In(0, "S", 0, win: 65535, options: "mss 1000, wscale 0");
        // RFC 7323 §2.2: the SYN-ACK carries the real window, capped at 65535; our shift of 7 covers the 6 MB buffer.
        s.Out(0, "S.", 0, ack: 1, win: 65535, options: "mss 1460, wscale 7");
        s.In(10, ".", 1, ack: 1);
        s.In(20, ".", 1, ack: 1, len: 1000);
        // 128 KiB free less the 1000 bytes held: 130072 >> 7 = 1016 (RFC 7323 §2.3).
        s.Out(60, ".", 1, ack: 1001, win: 1016);
        Assert.Equal(1000, s.Read(70));
        s.ExpectNothing(); // 1000 bytes read do not open the window by enough to announce it (RFC 9293 §3.8.6.2.2)
    }

    [Fact]
    public void Our_scaled_window_rounds_up_rather_than_pull_the_right_edge_left()
    {
        // A 1 MiB bound gives a shift of 5 (32-byte units); the queue starts at 8 KiB, so the edge is 1 + 8192.
        var options = new TcpSocketOptions { ReceiveBufferSize = 8192, MaxReceiveBufferSize = 1 << 20 };
        var s = TcpScript.Passive(options);
        s.In(0, "S", 0, win: 65535, options: "mss 1000, wscale 0");
        s.Out(0, "S.", 0, ack: 1, win: 8192);
        s.In(10, ".", 1, ack: 1);
        for (int i = 0; i < 8; i++)
        {
            s.In(20, ".", 1 + 1000 * i, ack: 1, len: 1000); // the application reads nothing
        }
        // 6192 bytes free after 2000: 193 units end 16 bytes short of the edge 8193, which would shrink the
        // window (RFC 9293 §3.8.6.2.1, RFC 7323 Appendix F): 194. Each later ACK rounds up from the edge it announced.
        int edge = 8193;
        foreach (var (ack, window) in new[] { (2001, 194), (4001, 132), (6001, 70), (8001, 8) })
        {
            s.Out(20, ".", 1, ack: ack, win: window);
            Assert.True(ack + (window << 5) >= edge, $"ACK {ack} window {window} pulled the edge {edge} left");
            edge = ack + (window << 5);
        }
        s.ExpectNothing();
        // The peer may send up to that edge, 64 bytes more than the queue's 8192: the queue's slack keeps them.
        Assert.True(s.In(30, "P.", 8001, ack: 1, len: edge - 8001));
        Assert.Equal(edge - 1, s.Tcb!.Available);
        Assert.Equal(0, s.NetCounters.DropCount(DropReason.ReceiveBufferFull));
    }

    [Fact]
    public void Timestamps_are_echoed_and_a_delayed_ACK_echoes_the_earliest_unacknowledged_segment()
    {
        var s = TcpScript.Established(synOptions: "mss 1000, TS val 100 ecr 0", ackOptions: "TS val 100 ecr 0");
        s.In(10, ".", 1, ack: 1, len: 1000, options: "TS val 110 ecr 0");
        s.In(12, ".", 1001, ack: 1, len: 1000, options: "TS val 112 ecr 0");
        // RFC 7323 §4.3: TS.Recent only from a segment at or below Last.ACK.sent, so the ACK echoes 110, not 112 ...
        s.Out(12, ".", 1, ack: 2001, options: "TS val 12 ecr 110");
        s.In(20, "P.", 2001, ack: 1, len: 100, options: "TS val 120 ecr 12");
        s.Out(60, ".", 1, ack: 2101, options: "TS val 60 ecr 120"); // ... and then the newest
    }

    [Fact]
    public void PAWS_drops_a_segment_with_an_old_timestamp_and_acknowledges()
    {
        var s = TcpScript.Established(synOptions: "mss 1000, TS val 100 ecr 0", ackOptions: "TS val 100 ecr 0");
        s.In(10, "P.", 1, ack: 1, len: 100, options: "TS val 200 ecr 0");
        s.Out(50, ".", 1, ack: 101, options: "TS val 50 ecr 200");
        // RFC 7323 §5.3 R1: TSval older than TS.Recent: "send an acknowledgment in reply ... and drop the segment".
        Assert.False(s.In(60, "P.", 101, ack: 1, len: 100, options: "TS val 150 ecr 0"));
        s.Out(60, ".", 1, ack: 101, options: "TS val 60 ecr 200");
        Assert.Equal(100, s.Tcb!.Available);
        Assert.Equal(1, s.NetCounters.DropCount(DropReason.PawsRejected));
        // A RST is not subject to PAWS (RFC 7323 §5.3 R1: RSTs are acceptable regardless of their timestamp).
        Assert.True(s.In(70, "R", 101, options: "TS val 1 ecr 0"));
        s.ExpectState(TcpState.Closed);
    }
}
