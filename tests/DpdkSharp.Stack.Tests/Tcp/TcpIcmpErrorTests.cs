using System.Buffers.Binary;
using System.Net.Sockets;

namespace DpdkSharp.Stack.Tests.Tcp;

/// <summary>ICMP errors about our TCP segments (RFC 1122 §4.2.3.9, RFC 5927, RFC 1191).</summary>
public class TcpIcmpErrorTests
{
    /// <summary>An ICMP error from the peer quoting <paramref name="frame"/>'s IP header and first 8 transport bytes.</summary>
    private static byte[] IcmpAbout(byte[] frame, byte type, byte code, ushort nextHopMtu = 0)
    {
        var ip = frame.AsSpan(14);
        int ihl = (ip[0] & 0x0F) * 4;
        var quote = ip[..(ihl + 8)].ToArray();
        return Build.FromPeer(1, Build.Icmp(type, code, 0, nextHopMtu, quote));
    }

    [Fact]
    public void Port_unreachable_for_our_SYN_refuses_the_connection()
    {
        var (core, sink, _) = Net.Core(o => o with { StaticNeighbors = [new(Net.PeerIp, Net.PeerMac)] });
        Assert.Equal(NetError.None, core.Tcp.Connect(Net.PeerIp, 80, null, At(0), out var tcb));
        var syn = sink.Take().Single();
        Assert.Equal(RxDisposition.Consumed, core.Receive(IcmpAbout(syn, 3, 3), At(Ms)));
        Assert.Equal(TcpState.Closed, tcb!.State);
        Assert.Equal(SocketError.ConnectionRefused, tcb.Error);
    }

    [Fact]
    public void An_ICMP_error_quoting_a_sequence_number_outside_the_flight_is_ignored()
    {
        var (core, sink, _) = Net.Core(o => o with { StaticNeighbors = [new(Net.PeerIp, Net.PeerMac)] });
        core.Tcp.Connect(Net.PeerIp, 80, null, At(0), out var tcb);
        var syn = sink.Take().Single();
        // A blind attacker guesses the ports but not the sequence number (RFC 5927 §4.1).
        BinaryPrimitives.WriteUInt32BigEndian(syn.AsSpan(14 + 20 + 4), BinaryPrimitives.ReadUInt32BigEndian(syn.AsSpan(14 + 20 + 4)) + 100_000);
        Assert.Equal(RxDisposition.Dropped, core.Receive(IcmpAbout(syn, 3, 3), At(Ms)));
        Assert.Equal(TcpState.SynSent, tcb!.State);
        Assert.Equal(1, core.Counters.DropCount(DropReason.OutOfWindow));
    }

    [Fact]
    public void Host_unreachable_is_a_soft_error_reported_when_the_connect_times_out()
    {
        var (core, sink, _) = Net.Core(o => o with { StaticNeighbors = [new(Net.PeerIp, Net.PeerMac)] });
        core.Tcp.Connect(Net.PeerIp, 80, new TcpSocketOptions { SynRetries = 1 }, At(0), out var tcb);
        var syn = sink.Take().Single();
        core.Receive(IcmpAbout(syn, 3, 1), At(Ms));
        Assert.Equal(TcpState.SynSent, tcb!.State); // soft: the SYN is retried
        core.Poll(At(1 * Sec + Ms));                // first retransmission
        core.Poll(At(4 * Sec));                     // second timeout: give up
        Assert.Equal(TcpState.Closed, tcb.State);
        Assert.Equal(SocketError.HostUnreachable, tcb.Error);
    }

    [Fact]
    public void Fragmentation_needed_lowers_the_MSS_and_resends_in_smaller_segments()
    {
        var (core, sink, _) = Net.Core(o => o with { StaticNeighbors = [new(Net.PeerIp, Net.PeerMac)] });
        core.Tcp.Connect(Net.PeerIp, 80, null, At(0), out var tcb);
        var syn = sink.Take().Single();
        var synAck = Build.FromPeer(6, SynAck(syn, mss: 1460));
        core.Receive(synAck, At(Ms));
        sink.Take();
        int before = tcb!.SendMss;
        // Queue data, take the first full segment as it leaves, and answer it as a router with MTU 1000 would.
        tcb.Write(new byte[5000]);
        core.Tcp.AfterActivity(tcb, At(2 * Ms));
        var big = sink.Take().First(f => f.Length > 1400);
        Assert.Equal(RxDisposition.Consumed, core.Receive(IcmpAbout(big, 3, 4, nextHopMtu: 1000), At(3 * Ms)));
        Assert.True(tcb.SendMss <= 1000 - 40, $"MSS {tcb.SendMss}");
        core.Tcp.AfterActivity(tcb, At(3 * Ms));
        var resent = sink.Take();
        Assert.NotEmpty(resent);
        Assert.All(resent, f => Assert.True(f.Length - 14 <= 1000, $"a {f.Length - 14}-byte datagram"));
        Assert.Equal(1460, before);
    }

    /// <summary>The peer's SYN-ACK to <paramref name="synFrame"/> (no options but MSS).</summary>
    private static byte[] SynAck(byte[] synFrame, ushort mss)
    {
        var tcp = synFrame.AsSpan(14 + 20);
        var segment = new byte[24];
        BinaryPrimitives.WriteUInt16BigEndian(segment, BinaryPrimitives.ReadUInt16BigEndian(tcp[2..]));
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), BinaryPrimitives.ReadUInt16BigEndian(tcp));
        BinaryPrimitives.WriteUInt32BigEndian(segment.AsSpan(4), 1000);
        BinaryPrimitives.WriteUInt32BigEndian(segment.AsSpan(8), BinaryPrimitives.ReadUInt32BigEndian(tcp[4..]) + 1);
        segment[12] = 6 << 4;
        segment[13] = 0x12;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(14), 65535);
        segment[20] = 2;
        segment[21] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(22), mss);
        uint pseudo = InternetChecksum.PseudoHeaderSum(Net.PeerIp, Net.UsIp, IpProtocol.Tcp, segment.Length);
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(16), InternetChecksum.Finish(InternetChecksum.Sum(segment, pseudo)));
        return segment;
    }
}
