using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace DpdkSharp.Stack.Tests;

/// <summary>
/// <see cref="ImpairedDevice"/>: held frames released on its clock, the device's buffer ownership kept
/// (frames lent by the inner device, frames kept by the receiver), idle sleeps cut short, and UDP
/// through impaired reactors on <see cref="InMemoryDevice"/>s.
/// </summary>
public class ImpairedDeviceTests
{
    /// <summary>An inner device that lends its receive buffers, as a DPDK port queue does, and keeps what is sent.</summary>
    private sealed class LendingDevice : IReactorDevice, IFrameSink
    {
        private readonly Queue<(PacketBuffer Buffer, int Length, RxChecksumStatus Checksum)> _inbox = new();

        public ArrayPacketBufferPool BufferPool { get; } = new(64);
        public List<byte[]> Sent { get; } = [];
        public RecordingIdle? OwnIdle { get; init; }
        public IPacketBufferPool Pool => BufferPool;
        public IFrameSink Sink => this;
        public IReactorIdle? Idle => OwnIdle;

        public void Inject(byte[] frame, RxChecksumStatus checksum = RxChecksumStatus.Unknown)
        {
            Assert.True(BufferPool.TryRent(out var buffer));
            frame.CopyTo(BufferPool.GetSpan(buffer));
            _inbox.Enqueue((buffer, frame.Length, checksum));
        }

        public int ReceiveBurst<TReceiver>(ref TReceiver receiver, Instant now) where TReceiver : struct, IFrameReceiver
        {
            int n = 0;
            while (_inbox.TryDequeue(out var frame))
            {
                receiver.Receive(frame.Buffer, frame.Length, now, frame.Checksum, out bool kept);
                if (!kept)
                {
                    BufferPool.Return(frame.Buffer);
                }
                n++;
            }
            return n;
        }

        public bool Transmit(PacketBuffer buffer, int length, in TxFrameInfo info)
        {
            Sent.Add(BufferPool.GetSpan(buffer)[..length].ToArray());
            BufferPool.Return(buffer);
            return true;
        }

        public void Flush()
        {
        }
    }

    private sealed class RecordingIdle : IReactorIdle
    {
        public List<TimeSpan> Sleeps { get; } = [];
        public int Wakes { get; private set; }

        public void AfterIteration(int work, TimeSpan maxSleep) => Sleeps.Add(maxSleep);

        public void Wake() => Wakes++;
    }

    /// <summary>A receiver that copies what it is lent, and keeps the buffers <see cref="Keep"/> says.</summary>
    private readonly struct Collector(IPacketBufferPool pool, List<(byte[] Frame, RxChecksumStatus Checksum)> frames, List<PacketBuffer>? keep = null) : IFrameReceiver
    {
        public RxDisposition Receive(ReadOnlySpan<byte> frame, Instant now, RxChecksumStatus checksum = RxChecksumStatus.Unknown)
        {
            frames.Add((frame.ToArray(), checksum));
            return RxDisposition.Consumed;
        }

        public RxDisposition Receive(PacketBuffer buffer, int length, Instant now, RxChecksumStatus checksum, out bool kept)
        {
            frames.Add((pool.GetSpan(buffer)[..length].ToArray(), checksum));
            kept = keep is not null && frames.Count % 2 == 0;
            if (kept)
            {
                keep!.Add(buffer);
            }
            return RxDisposition.Consumed;
        }
    }

    private static byte[] Frame(int sequence, int length = 100)
    {
        var frame = new byte[length];
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(14), sequence);
        return frame;
    }

    private static void Send(ImpairedDevice device, byte[] frame)
    {
        Assert.True(device.Pool.TryRent(out var buffer));
        frame.CopyTo(device.Pool.GetSpan(buffer));
        Assert.True(device.Sink.Transmit(buffer, frame.Length, default));
    }

    [Fact]
    public void Held_frames_are_released_at_their_time_on_the_given_clock_in_both_directions()
    {
        var inner = new LendingDevice();
        var clock = At(0);
        using var device = new ImpairedDevice(inner,
            receive: new Impairments { Delay = TimeSpan.FromMilliseconds(10) },
            transmit: new Impairments { Delay = TimeSpan.FromMilliseconds(5) },
            clock: () => clock);
        var received = new List<(byte[] Frame, RxChecksumStatus Checksum)>();
        var collector = new Collector(device.Pool, received);

        inner.Inject(Frame(1), RxChecksumStatus.Ipv4Good);
        Assert.Equal(1, device.ReceiveBurst(ref collector, At(0))); // taken from the inner device, held
        Assert.Empty(received);
        Assert.Equal(1, device.Held);
        Assert.Equal(At(10 * Ms), device.NextReleaseAt);
        Assert.Equal(0, device.ReceiveBurst(ref collector, At(10 * Ms - 1)));
        Assert.Equal(1, device.ReceiveBurst(ref collector, At(10 * Ms)));
        Assert.Equal(Frame(1), received.Single().Frame);
        Assert.Equal(RxChecksumStatus.Ipv4Good, received.Single().Checksum);

        clock = At(20 * Ms);
        Send(device, Frame(2));
        clock = At(25 * Ms - 1);
        device.Flush();
        Assert.Empty(inner.Sent);
        clock = At(25 * Ms);
        device.Flush();
        Assert.Equal(Frame(2), inner.Sent.Single());

        Assert.Equal(0, device.Held);
        Assert.Equal(Instant.Never, device.NextReleaseAt);
        Assert.Equal(0, inner.BufferPool.Outstanding);
    }

    [Fact]
    public void A_receiver_owns_the_held_frames_it_keeps_and_the_others_go_back_to_the_pool()
    {
        var inner = new LendingDevice();
        using var device = new ImpairedDevice(inner, receive: new Impairments { Seed = 3, Duplication = 1, Corruption = 0.5 }, clock: () => At(0));
        var received = new List<(byte[] Frame, RxChecksumStatus Checksum)>();
        var kept = new List<PacketBuffer>();
        var collector = new Collector(device.Pool, received, kept);
        for (int i = 0; i < 10; i++)
        {
            inner.Inject(Frame(i), RxChecksumStatus.Ipv4Good | RxChecksumStatus.L4Good);
        }
        Assert.Equal(10 + 20, device.ReceiveBurst(ref collector, At(0)));
        Assert.Equal(20, received.Count);
        Assert.Equal(10, device.ReceiveCounters.Duplicated);
        Assert.Equal(10, kept.Count);
        Assert.Equal(10, inner.BufferPool.Outstanding); // exactly the kept ones
        foreach (var buffer in kept)
        {
            inner.BufferPool.Return(buffer); // throws if the device had freed it too
        }
        Assert.Equal(0, inner.BufferPool.Outstanding);

        // A corrupted frame (both its copies) loses the device's verdict so the core checks it itself.
        long corrupted = device.ReceiveCounters.Corrupted;
        Assert.InRange(corrupted, 1, 9);
        Assert.Equal(2 * corrupted, received.Count(r => r.Checksum == RxChecksumStatus.Unknown));
        Assert.Equal(20 - 2 * corrupted, received.Count(r => r.Checksum == (RxChecksumStatus.Ipv4Good | RxChecksumStatus.L4Good)));
    }

    [Fact]
    public void Frames_the_inner_device_only_lets_us_read_are_copied_into_pool_buffers_while_held()
    {
        var (a, b) = InMemoryDevice.CreatePair(buffers: 8);
        var clock = At(0);
        using var device = new ImpairedDevice(a, receive: new Impairments { Delay = TimeSpan.FromMilliseconds(1) }, clock: () => clock);
        var received = new List<(byte[] Frame, RxChecksumStatus Checksum)>();
        var collector = new Collector(device.Pool, received);
        for (int i = 0; i < 10; i++)
        {
            Assert.True(b.Pool.TryRent(out var buffer));
            Frame(i).CopyTo(b.Pool.GetSpan(buffer));
            Assert.True(b.Sink.Transmit(buffer, 100, default));
        }
        Assert.Equal(10, device.ReceiveBurst(ref collector, At(0)));
        Assert.Equal(8, a.BufferPool.Outstanding); // the pool's eight buffers hold the first eight
        Assert.Equal(2, device.ReceiveCounters.NoBuffer);
        device.ReceiveBurst(ref collector, At(Ms));
        Assert.Equal(Enumerable.Range(0, 8).Select(i => Frame(i)), received.Select(r => r.Frame));
        Assert.Equal(0, a.BufferPool.Outstanding);
        Assert.Equal(0, b.BufferPool.Outstanding);
    }

    [Fact]
    public void Idle_sleeps_end_by_the_next_release_of_a_held_frame()
    {
        var idle = new RecordingIdle();
        var inner = new LendingDevice { OwnIdle = idle };
        var clock = At(0);
        using var device = new ImpairedDevice(inner, transmit: new Impairments { Delay = TimeSpan.FromMilliseconds(10) }, clock: () => clock);
        var wrapped = Assert.IsAssignableFrom<IReactorIdle>(device.Idle);
        Assert.Same(wrapped, device.Idle);

        wrapped.AfterIteration(0, TimeSpan.FromSeconds(1));
        Send(device, Frame(1));
        clock = At(4 * Ms);
        wrapped.AfterIteration(0, TimeSpan.FromSeconds(1));
        wrapped.AfterIteration(0, TimeSpan.FromMilliseconds(2));
        clock = At(12 * Ms);
        wrapped.AfterIteration(0, TimeSpan.FromSeconds(1));
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(6), TimeSpan.FromMilliseconds(2), TimeSpan.Zero], idle.Sleeps);
        wrapped.Wake();
        Assert.Equal(1, idle.Wakes);
        device.Flush();
        Assert.Single(inner.Sent);

        // An inner device without its own way of sleeping: the reactor naps (at most ReactorOptions.IdleSleep).
        var (a, _) = InMemoryDevice.CreatePair(buffers: 4);
        using var plain = new ImpairedDevice(a, transmit: new Impairments { Delay = TimeSpan.FromMilliseconds(10) });
        Assert.Null(plain.Idle);
    }

    [Fact]
    public void Dispose_returns_every_held_frame_to_the_pool()
    {
        var inner = new LendingDevice();
        var device = new ImpairedDevice(inner, new Impairments { Delay = TimeSpan.FromSeconds(1), Duplication = 1 },
            new Impairments { Delay = TimeSpan.FromSeconds(1) }, () => At(0));
        var collector = new Collector(device.Pool, []);
        for (int i = 0; i < 5; i++)
        {
            inner.Inject(Frame(i));
            Send(device, Frame(100 + i));
        }
        device.ReceiveBurst(ref collector, At(0));
        device.Flush();
        Assert.Equal(15, device.Held);
        Assert.Equal(15, inner.BufferPool.Outstanding);
        device.Dispose();
        Assert.Equal(0, device.Held);
        Assert.Equal(0, inner.BufferPool.Outstanding);
        Assert.Empty(inner.Sent);
    }

    [Fact]
    public void Udp_datagrams_cross_impaired_reactors_with_the_counts_the_impairments_report()
    {
        const int n = 400;
        var (deviceUs, devicePeer) = InMemoryDevice.CreatePair(buffers: 1024);
        var impaired = new ImpairedDevice(deviceUs,
            receive: new Impairments { Seed = 31, Loss = 0.1, Duplication = 0.1, Reorder = 0.1, ReorderDelay = TimeSpan.FromMilliseconds(5) },
            transmit: new Impairments { Seed = 32, Loss = 0.1, Duplication = 0.1, Delay = TimeSpan.FromMilliseconds(1) });
        var noAnnouncements = new ArpOptions { Announcements = 0 };
        var us = new Reactor(new NetworkInterfaceCore(Net.Options(o => o with
        {
            Arp = noAnnouncements,
            StaticNeighbors = [new(Net.PeerIp, Net.PeerMac)],
        }), impaired.Pool, impaired.Sink), impaired, new ReactorOptions { ThreadName = "impaired-us" });
        var peer = new Reactor(new NetworkInterfaceCore(Net.Options(o => o with
        {
            Mac = Net.PeerMac,
            Address = Net.PeerIp,
            Arp = noAnnouncements,
            StaticNeighbors = [new(Net.UsIp, Net.UsMac)],
        }), devicePeer.Pool, devicePeer.Sink), devicePeer, new ReactorOptions { ThreadName = "impaired-peer" });
        try
        {
            us.Start();
            peer.Start();
            var handled = new ConcurrentQueue<int>();
            using var server = new UdpSocket(us);
            server.Bind(new IPEndPoint(IPAddress.Any, 7000));
            server.SetHandler(datagram =>
            {
                handled.Enqueue(BinaryPrimitives.ReadInt32BigEndian(datagram.Payload));
                datagram.Reply(datagram.Payload); // built in the held buffer the device lent: it goes out through the impairments
            });
            using var client = new UdpSocket(peer) { ReceiveTimeout = 5000 };
            client.Bind(new IPEndPoint(IPAddress.Any, 0));
            var to = new IPEndPoint(IPAddress.Parse(Net.UsIp.ToString()), 7000);
            var payload = new byte[4];
            for (int i = 0; i < n; i++)
            {
                BinaryPrimitives.WriteInt32BigEndian(payload, i);
                client.SendTo(payload, to);
            }

            var rx = impaired.ReceiveCounters;
            var tx = impaired.TransmitCounters;
            var deadline = Stopwatch.StartNew();
            while (!(rx.FramesIn == n && impaired.Held == 0 && handled.Count == rx.Delivered && tx.FramesIn == rx.Delivered
                && devicePeer.FramesReceived == tx.Delivered) && deadline.Elapsed < TimeSpan.FromSeconds(20))
            {
                Thread.Sleep(1);
            }
            Assert.Equal(n, rx.FramesIn);
            Assert.Equal(0, impaired.Held);

            // Receive side: every survivor once, the duplicates twice, some out of order.
            Assert.True(rx.Lost > 0 && rx.Duplicated > 0 && rx.Reordered > 0, rx.ToString());
            Assert.Equal(0, rx.NoBuffer);
            Assert.Equal(n - rx.Lost + rx.Duplicated, rx.Delivered);
            var order = handled.ToArray();
            Assert.Equal(rx.Delivered, order.Length);
            var copies = order.GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
            Assert.Equal(n - rx.Lost, copies.Count);
            Assert.Equal(rx.Duplicated, copies.Values.Count(c => c == 2));
            Assert.Contains(order.Zip(order.Skip(1)), pair => pair.First > pair.Second);

            // Transmit side: every reply went through the impairments; the peer got what they let through.
            Assert.Equal(order.Length, tx.FramesIn);
            Assert.True(tx.Lost > 0 && tx.Duplicated > 0, tx.ToString());
            Assert.Equal(tx.FramesIn - tx.Lost + tx.Duplicated, tx.Delivered);
            Assert.Equal(tx.Delivered, devicePeer.FramesReceived);
            var echo = new byte[16];
            for (long i = 0; i < tx.Delivered; i++)
            {
                Assert.Equal(4, client.Receive(echo));
                Assert.True(copies.ContainsKey(BinaryPrimitives.ReadInt32BigEndian(echo)));
            }
        }
        finally
        {
            us.Dispose();
            peer.Dispose();
            impaired.Dispose();
        }
        Assert.Equal(0, deviceUs.BufferPool.Outstanding);
        Assert.Equal(0, devicePeer.BufferPool.Outstanding);
    }
}
