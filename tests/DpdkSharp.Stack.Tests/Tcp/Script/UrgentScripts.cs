namespace DpdkSharp.Stack.Tests.Tcp.Script;

/// <summary>
/// Urgent data (RFC 9293 §3.8.5, RFC 6093): handled safely, which means inline. RFC 6093 §5 asks new
/// applications not to use it and stacks to deliver it in the data stream (Linux's SO_OOBINLINE); the
/// urgent pointer is advisory, so whatever it says, the bytes arrive in order and unchanged.
/// </summary>
public class UrgentScripts
{
    [Fact]
    public void Urgent_data_is_delivered_inline_and_intact_whatever_the_urgent_pointer_says()
    {
        var s = TcpScript.Established();
        s.In(10, "P.U", 1, ack: 1, len: 100, urp: 50);        // the pointer inside the segment
        s.Out(50, ".", 1, ack: 101);                            // acknowledged like any data (delayed)
        s.In(60, ".U", 101, ack: 1, len: 100, urp: 60_000);   // pointing far beyond the segment: more urgent data "to come"
        s.Out(100, ".", 1, ack: 201);
        s.In(110, ".U", 201, ack: 1, urp: 0);                   // no data, a zero pointer (RFC 6093 §4: meaningless): nothing to do
        s.ExpectNothingUntil(500);
        s.In(500, "P.U", 201, ack: 1, len: 100, urp: 100);     // the pointer at the last byte
        s.Out(540, ".", 1, ack: 301);

        var read = s.ReadBytes(600);

        Assert.Equal(Enumerable.Range(1, 300).Select(TcpScript.Payload).ToArray(), read);
        s.ExpectState(TcpState.Established);
        s.Write(610, 10); // the connection carries on both ways
        s.Out(610, "P.", 1, ack: 301, len: 10);
    }

    [Fact]
    public void Urgent_data_out_of_order_is_reassembled_inline_like_any_other()
    {
        var s = TcpScript.Established();
        s.In(10, ".U", 101, ack: 1, len: 100, urp: 100);       // a hole before it: an immediate duplicate ACK
        s.Out(10, ".", 1, ack: 1);
        s.In(20, "P.U", 1, ack: 1, len: 100, urp: 1);          // fills the hole
        s.Out(20, ".", 1, ack: 201);

        Assert.Equal(Enumerable.Range(1, 200).Select(TcpScript.Payload).ToArray(), s.ReadBytes(30));
        s.ExpectState(TcpState.Established);
    }
}
