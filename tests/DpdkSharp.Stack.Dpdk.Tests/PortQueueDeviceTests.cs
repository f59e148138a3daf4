using System.Buffers.Binary;
using DpdkSharp.Runtime;
using DpdkSharp.Stack.Dpdk.Tests.Infrastructure;

namespace DpdkSharp.Stack.Dpdk.Tests;

/// <summary>
/// The device's receive path on real mbufs, driven by hand (no reactor): which mbufs it lends for
/// replies in place, which it frees, and that a burst mixing both leaves every mbuf accounted for.
/// </summary>
[Collection(RingPairCollection.Name)]
public sealed unsafe class PortQueueDeviceTests(RingPairFixture fixture)
{
    private static readonly MacAddress StackMac = MacAddress.Parse("02:79:00:00:00:01");
    private static readonly MacAddress PeerMac = MacAddress.Parse("02:79:00:00:00:02");
    private static readonly Ipv4Address StackIp = Ipv4Address.Parse("10.79.0.1");
    private static readonly Ipv4Address PeerIp = Ipv4Address.Parse("10.79.0.2");

    [Fact]
    public void Mbufs_shared_with_someone_else_are_never_rewritten_the_rest_carry_replies_in_place()
    {
        using var device = new PortQueueDevice(fixture.PortA.GetRxQueue(0), fixture.PortA.GetTxQueue(0), fixture.Pool);
        using var core = new NetworkInterfaceCore(new InterfaceOptions
        {
            Name = "device-test",
            Mac = StackMac,
            Address = StackIp,
            StaticNeighbors = [new(PeerIp, PeerMac)],
            PublishMetrics = false,
        }, device.Pool, device.Sink);
        core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 7), out var handle);
        core.Udp.SetHandler(handle, new Echo(core));
        long inUseBefore = fixture.Pool.InUseCount;

        // Eight datagrams from B; every other one also held by us (refcnt 2), as a generator that
        // sends one template mbuf many times would.
        var held = new List<nint>();
        var sent = new nint[8];
        var burst = new MbufBurst(stackalloc nint[8]);
        Assert.True(fixture.Pool.AllocBulk(ref burst, 8));
        for (int i = 0; i < 8; i++)
        {
            var m = burst[i];
            m.Append(Frame.Length, out var data);
            Frame.CopyTo(data);
            data[^1] = (byte)i;
            sent[i] = (nint)m.Pointer;
            if (i % 2 == 1)
            {
                m.UpdateRefCount(1);
                held.Add((nint)m.Pointer);
            }
        }
        Assert.Equal(8, fixture.PortB.GetTxQueue(0).Transmit(ref burst));

        var receiver = new InterfaceReceiver(core);
        Assert.Equal(8, device.ReceiveBurst(ref receiver, Instant.Zero));
        device.Flush();

        // The held mbufs are untouched: still B's datagram, not our reply.
        foreach (var p in held)
        {
            var m = new Mbuf((DpdkSharp.Interop.rte_mbuf*)p);
            Assert.Equal(1, m.RefCount); // the device dropped its reference, ours is left
            Assert.Equal(PeerIp, Ipv4Address.Read(m.Data[26..]));
            m.Free();
        }
        // Eight correct replies reach B, in order: the exclusive datagrams' in their own mbufs.
        var replies = new MbufBurst(stackalloc nint[16]);
        Assert.Equal(8, fixture.PortB.GetRxQueue(0).Receive(ref replies));
        for (int i = 0; i < 8; i++)
        {
            var data = replies[i].Data;
            Assert.Equal(StackIp, Ipv4Address.Read(data[26..]));
            Assert.Equal(PeerIp, Ipv4Address.Read(data[30..]));
            Assert.Equal((byte)i, data[Frame.Length - 1]);
            Assert.Equal(i % 2 == 0, (nint)replies[i].Pointer == sent[i]);
        }
        replies.FreeAll();
        Assert.Equal(0, core.Counters.FramesDropped);
        Assert.Equal(inUseBefore, fixture.Pool.InUseCount);
    }

    /// <summary>A 64-byte UDP datagram (14 + 20 + 8 + 18, 60 bytes without CRC) from the peer to port 7, checksums valid.</summary>
    private static readonly byte[] Frame = BuildFrame();

    private static byte[] BuildFrame()
    {
        var f = new byte[60];
        StackMac.Write(f);
        PeerMac.Write(f.AsSpan(6));
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), 0x0800);
        var ip = f.AsSpan(14, 20);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], 46);
        ip[8] = 64;
        ip[9] = 17;
        PeerIp.Write(ip[12..]);
        StackIp.Write(ip[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum.Compute(ip));
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(34), 40000);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(36), 7);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(38), 26);
        return f; // UDP checksum 0: none (RFC 768), so the last payload byte can vary freely
    }

    private sealed class Echo(NetworkInterfaceCore core) : IUdpDatagramHandler
    {
        public void OnDatagram(UdpHandle endpoint, ReadOnlySpan<byte> payload, Ipv4Endpoint remote) =>
            core.SendUdp(endpoint, remote, payload, Instant.Zero);
    }
}
