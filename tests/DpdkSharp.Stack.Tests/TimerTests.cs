namespace DpdkSharp.Stack.Tests;

/// <summary>
/// <see cref="NetworkInterfaceCore.NextTimerAt"/>: a driver that polls only when it is due (the
/// reactor) must still see every retry, expiry and timeout on time, and must not poll when
/// nothing is pending.
/// </summary>
public class TimerTests
{
    [Fact]
    public void Next_timer_follows_announcements_ARP_retries_and_expiry_and_reassembly_timeouts()
    {
        var (core, sink, _) = Net.Core();
        using var _ = core;
        core.Start(At(0));
        Assert.Equal(At(2 * T.Sec), core.NextTimerAt); // the second announcement (RFC 5227 §2.3)
        core.Poll(At(2 * T.Sec));
        Assert.Equal(Instant.Never, core.NextTimerAt); // nothing pending: no polling at all
        sink.Take();

        // A datagram to an unknown neighbour: a request now, the retry armed a second later.
        core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 5000), out var h);
        core.SendUdp(h, new Ipv4Endpoint(Net.PeerIp, 9), [1, 2, 3], At(10 * T.Sec));
        Assert.InRange(core.NextTimerAt, At(10 * T.Sec), At(11 * T.Sec)); // never later than the retry
        core.Poll(At(10 * T.Sec + 1));
        Assert.Equal(At(11 * T.Sec), core.NextTimerAt);

        // The reply makes the entry reachable for its lifetime (60 s): that expiry is the next timer.
        core.Receive(Build.ArpReplyFromPeer(), At(10 * T.Sec + T.Ms));
        core.Poll(At(11 * T.Sec)); // nothing due any more: recomputes exactly
        Assert.Equal(At(70 * T.Sec + T.Ms), core.NextTimerAt);

        // A first fragment arms the 30 s reassembly timeout, earlier than the ARP expiry.
        core.Receive(Build.FromPeer(17, Build.Udp(Net.PeerIp, Net.UsIp, 1, 5000, new byte[64]).AsSpan(0, 24), id: 7, mf: true), At(20 * T.Sec));
        Assert.Equal(At(50 * T.Sec), core.NextTimerAt);
        core.Poll(At(50 * T.Sec));
        Assert.Equal(1, core.Counters.DropCount(DropReason.ReassemblyTimeout, DropStage.Buffered));
        Assert.Equal(At(70 * T.Sec + T.Ms), core.NextTimerAt);
    }
}
