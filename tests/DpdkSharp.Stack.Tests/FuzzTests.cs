using System.Buffers.Binary;
using Xunit.Abstractions;

namespace DpdkSharp.Stack.Tests;

/// <summary>
/// A million random and mutated frames with a fixed seed: nothing throws, every frame is
/// delivered, consumed, buffered or dropped under a reason, and memory stays within its bounds.
/// </summary>
public class FuzzTests
{
    private const int Frames = 1_000_000;

    private readonly ITestOutputHelper _output;

    public FuzzTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void A_million_bad_frames()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var pool = new ArrayPacketBufferPool(1024, 2048);
        var sink = new CountingSink(pool);
        var options = Net.Options(o => o with
        {
            Gateway = Net.GatewayIp,
            Reassembly = new ReassemblyOptions { MaxBufferedBytes = 256 * 1024, Timeout = TimeSpan.FromSeconds(2) },
            Udp = new UdpOptions { ReceiveBufferBytes = 64 * 1024 },
            Arp = new ArpOptions { MaxQueuedTotal = 128 },
        });
        using var core = new NetworkInterfaceCore(options, pool, sink);
        var handles = new List<UdpHandle>();
        foreach (ushort port in new ushort[] { 7, 53, 5000 })
        {
            core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, port), out var h);
            handles.Add(h);
        }
        core.Udp.SetHandler(handles[0], new EchoInPlace(core)); // port 7 replies in the lent buffers
        core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, 0), out var connected);
        core.Udp.Connect(connected, new Ipv4Endpoint(Net.PeerIp, 9));

        var rng = new Random(20240601);
        var templates = Templates(rng);
        var scratch = new byte[4096];
        var drain = new byte[70000];
        var tally = new long[4];
        long keptForReplies = 0;
        long now = 0;

        for (int i = 0; i < Frames; i++)
        {
            now += 100_000; // 100 µs per frame: 100 s of simulated time, so timers fire
            int length = Mutate(rng, templates[rng.Next(templates.Count)], scratch);
            RxDisposition disposition;
            if ((i & 1) == 0 && length <= pool.BufferSize && pool.TryRent(out var lent))
            {
                // Every other frame comes in a lent buffer, as from a DPDK port: echo requests and
                // port 7 are answered in it (kept), everything else is given back.
                scratch.AsSpan(0, length).CopyTo(pool.GetSpan(lent));
                disposition = core.Receive(lent, length, At(now), RxChecksumStatus.Unknown, out bool kept);
                if (kept)
                {
                    keptForReplies++;
                }
                else
                {
                    pool.Return(lent);
                }
            }
            else
            {
                disposition = core.Receive(scratch.AsSpan(0, length), At(now));
            }
            tally[(int)disposition]++;

            if ((i & 1023) == 0)
            {
                core.Poll(At(now));
                Assert.InRange(core.Reassembly.BufferedBytes, 0, 256 * 1024);
                Assert.InRange(core.Reassembly.InProgress, 0, core.Reassembly.MaxDatagrams); // as many as the budget holds
                Assert.InRange(core.Neighbors.QueuedFrames, 0, 128);
                Assert.Equal(core.Neighbors.QueuedFrames, pool.Outstanding); // every other buffer went back
                if ((i & 4095) == 0)
                {
                    foreach (var h in handles)
                    {
                        while (core.Udp.TryReceive(h, drain, out _) is NetError.None or NetError.ConnectionRefused or NetError.HostUnreachable
                            or NetError.NetworkUnreachable or NetError.ProtocolUnreachable or NetError.TimeExceeded or NetError.ParameterProblem or NetError.MessageTooLong)
                        {
                        }
                    }
                    while (core.TryReceiveEchoReply(drain, out _))
                    {
                    }
                    while (core.Udp.TryDequeueReady(out _))
                    {
                    }
                }
            }
        }

        var c = core.Counters;
        _output.WriteLine($"{Frames} frames in {clock.ElapsedMilliseconds} ms: delivered {c.FramesDelivered}, consumed {c.FramesConsumed}, buffered {c.FramesBuffered}, dropped {c.FramesDropped}");
        foreach (var reason in Enum.GetValues<DropReason>())
        {
            foreach (var stage in Enum.GetValues<DropStage>())
            {
                if (c.DropCount(reason, stage) > 0)
                {
                    _output.WriteLine($"  {stage}/{reason}: {c.DropCount(reason, stage)}");
                }
            }
        }
        _output.WriteLine($"lent buffers kept for replies in place: {keptForReplies}");
        Assert.True(keptForReplies > 1000, $"only {keptForReplies} replies in place");
        Assert.Equal(Frames, c.FramesReceived);
        Assert.Equal(tally[(int)RxDisposition.Delivered], c.FramesDelivered);
        Assert.Equal(tally[(int)RxDisposition.Consumed], c.FramesConsumed);
        Assert.Equal(tally[(int)RxDisposition.Buffered], c.FramesBuffered);
        Assert.Equal(tally[(int)RxDisposition.Dropped], c.FramesDropped);
        Assert.Equal(Frames, c.FramesDelivered + c.FramesConsumed + c.FramesBuffered + c.FramesDropped);
        Assert.Equal(c.FramesDropped, c.TotalDrops(DropStage.Receive));
        Assert.True(core.Reassembly.AllocatedBytes <= 8L * Ipv4Reassembler.MaxPayload);

        // The mix really exercised the stack: every outcome, and the main reasons.
        Assert.All(tally, n => Assert.True(n > 1000, $"outcome count {n}"));
        foreach (var reason in new[] { DropReason.Malformed, DropReason.BadChecksum, DropReason.NotForUs, DropReason.NoSocket,
                     DropReason.UnsupportedProtocol, DropReason.DuplicateFragment })
        {
            Assert.True(c.DropCount(reason) > 0, $"no drops for {reason}");
        }
        // A bounded budget under a fragment flood: the oldest partial datagrams are pushed out (#11), or time out.
        Assert.True(c.DropCount(DropReason.ReassemblyLimit, DropStage.Buffered) + c.DropCount(DropReason.ReassemblyTimeout, DropStage.Buffered) > 0);

        core.Poll(At(now + 1000 * T.Sec));
        core.Dispose();
        Assert.Equal(0, pool.Outstanding);
    }

    private sealed class EchoInPlace(NetworkInterfaceCore core) : IUdpDatagramHandler
    {
        public void OnDatagram(UdpHandle endpoint, ReadOnlySpan<byte> payload, Ipv4Endpoint remote) =>
            core.SendUdp(endpoint, remote, payload, At(0));
    }

    private static List<byte[]> Templates(Random rng)
    {
        var list = new List<byte[]>();
        Ipv4Address Src() => rng.Next(4) == 0 ? Ipv4Address.Parse($"192.0.2.{rng.Next(1, 255)}") : new Ipv4Address(0x0A00_0000u | (uint)rng.Next(2, 254));
        byte[] Payload(int max)
        {
            var p = new byte[rng.Next(0, max)];
            rng.NextBytes(p);
            return p;
        }
        byte[] Ip(Ipv4Address src, byte proto, byte[] l4, ushort id = 1, bool mf = false, int offset = 0, byte ttl = 64, byte[]? opts = null) =>
            Build.Ethernet(Net.UsMac, Net.PeerMac, 0x0800, Build.Ipv4(src, Net.UsIp, proto, l4, id, ttl, false, mf, offset, opts));

        for (int i = 0; i < 60; i++)
        {
            var src = Src();
            ushort port = new ushort[] { 7, 53, 5000, 9, 1234 }[rng.Next(5)];
            list.Add(Ip(src, 17, Build.Udp(src, Net.UsIp, (ushort)rng.Next(1, 65535), port, Payload(1400))));
            list.Add(Ip(src, 1, Build.Icmp(8, 0, (ushort)i, 1, Payload(1400))));
            list.Add(Ip(src, 1, Build.Icmp(0, 0, (ushort)i, 1, Payload(200))));
            list.Add(Ip(src, (byte)new[] { 6, 47, 50, 132 }[rng.Next(4)], Payload(100)));
            list.Add(Ip(src, 17, Build.Udp(src, Net.UsIp, 1, 7, Payload(64)), ttl: 0));
            list.Add(Ip(src, 17, Build.Udp(src, Net.UsIp, 1, 53, Payload(64)), opts: [1, 1, 0x94, 4, 0, 0, 0, 0]));
            list.Add(Build.Ethernet(MacAddress.Broadcast, Net.PeerMac, 0x0806, Build.Arp(1, Net.PeerMac, src, default, rng.Next(2) == 0 ? Net.UsIp : Src())));
            list.Add(Build.Ethernet(Net.UsMac, Net.PeerMac, 0x0806, Build.Arp(2, Net.PeerMac, src, Net.UsMac, Net.UsIp)));
            list.Add(Build.Ethernet(Net.OtherMac, Net.PeerMac, 0x0800, Build.Ipv4(src, Net.UsIp, 17, Build.Udp(src, Net.UsIp, 1, 7, Payload(64)))));
            list.Add(Build.Ethernet(Net.UsMac, Net.PeerMac, 0x0800, Build.Ipv4(src, Net.UsIp, 17, Build.Udp(src, Net.UsIp, 1, 7, Payload(64))), vlan: 5));
            list.Add(Build.Ethernet(Net.UsMac, Net.PeerMac, 0x86DD, Payload(100)));
            // ICMP errors quoting our own datagrams (some match the connected endpoint).
            var quoted = Build.Ipv4(Net.UsIp, Net.PeerIp, 17, Build.Udp(Net.UsIp, Net.PeerIp, (ushort)(32768 + rng.Next(4)), 9, Payload(20)));
            list.Add(Ip(Net.PeerIp, 1, Build.Icmp(3, (byte)rng.Next(5), 0, 0, quoted.AsSpan(0, Math.Min(quoted.Length, 28)))));
        }
        // Fragments of datagrams with a small set of identifications, so they collide and overlap.
        for (int d = 0; d < 40; d++)
        {
            var src = rng.Next(2) == 0 ? Net.PeerIp : Src();
            var l4 = Build.Udp(src, Net.UsIp, 1, 7, Payload(6000));
            ushort id = (ushort)rng.Next(12);
            int chunk = 8 * rng.Next(20, 185);
            for (int offset = 0; offset < l4.Length; offset += chunk)
            {
                int n = Math.Min(chunk, l4.Length - offset);
                list.Add(Ip(src, 17, l4.AsSpan(offset, n).ToArray(), id, offset + n < l4.Length, offset));
            }
            // Endless fragments: more-fragments forever, far offsets, near the 64 KiB edge.
            list.Add(Ip(src, 17, Payload(1000).Concat(new byte[8]).Take(1000 & ~7).ToArray(), id, true, 8 * rng.Next(0, 8000)));
            list.Add(Ip(src, 17, new byte[1480], (ushort)(id + 100), true, 65000 - 1480 + 8 * rng.Next(0, 10)));
        }
        return list;
    }

    private static void FixIpChecksum(Span<byte> frame, int length)
    {
        if (length < 34 || frame[12] != 8 || frame[13] != 0)
        {
            return;
        }
        int ihl = (frame[14] & 15) * 4;
        if (ihl < 20 || 14 + ihl > length)
        {
            return;
        }
        frame[24] = frame[25] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(frame[24..], Build.RefChecksum(frame.Slice(14, ihl)));
    }

    private static int Mutate(Random rng, byte[] template, byte[] scratch)
    {
        template.CopyTo(scratch, 0);
        int length = template.Length;
        var f = scratch.AsSpan();
        switch (rng.Next(14))
        {
            case 0:
            case 1:
            case 2:
                break; // as built: the deliverable baseline
            case 3:
                length = rng.Next(0, length);
                break;
            case 4:
                for (int k = rng.Next(1, 4); k > 0; k--)
                {
                    f[rng.Next(length)] ^= (byte)rng.Next(1, 256);
                }
                break;
            case 5:
                if (length > 34)
                {
                    f[14 + rng.Next(20)] ^= (byte)rng.Next(1, 256);
                }
                FixIpChecksum(f, length);
                break;
            case 6:
                f[14] = (byte)(0x40 | rng.Next(16));
                FixIpChecksum(f, length);
                break;
            case 7:
                BinaryPrimitives.WriteUInt16BigEndian(f[16..], (ushort)rng.Next(0, 2000));
                FixIpChecksum(f, length);
                break;
            case 8:
                BinaryPrimitives.WriteUInt16BigEndian(f[20..], (ushort)rng.Next(0, 65536));
                FixIpChecksum(f, length);
                break;
            case 9:
                int extra = rng.Next(1, 200);
                rng.NextBytes(f.Slice(length, extra));
                length += extra;
                break;
            case 10:
                length = rng.Next(0, 1600);
                rng.NextBytes(f[..length]);
                if (length >= 14 && rng.Next(2) == 0)
                {
                    Net.UsMac.Write(f);
                    f[12] = 8;
                    f[13] = (byte)(rng.Next(2) == 0 ? 0 : 6);
                    f[14] = 0x45;
                    FixIpChecksum(f, length);
                }
                break;
            case 11:
                if (f[13] == 6 && length >= 20)
                {
                    f[18] = (byte)rng.Next(256); // hlen
                    f[19] = (byte)rng.Next(256); // plen
                    length = rng.Next(14, length + 1);
                }
                break;
            case 12:
                if (length > 44 && f[23] == 17)
                {
                    int ihl = (f[14] & 15) * 4;
                    if (14 + ihl + 8 <= length)
                    {
                        f[14 + ihl + 6] = f[14 + ihl + 7] = 0; // no UDP checksum, then damage data
                        f[length - 1] ^= 0xA5;
                    }
                }
                break;
            default:
                if (length >= 18)
                {
                    // Write the UDP length field to anything.
                    int ihl = (f[14] & 15) * 4;
                    if (14 + ihl + 6 <= length)
                    {
                        BinaryPrimitives.WriteUInt16BigEndian(f[(14 + ihl + 4)..], (ushort)rng.Next(0, 3000));
                    }
                }
                break;
        }
        return length;
    }
}
