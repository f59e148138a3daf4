using DpdkSharp.Stack.Interface;

namespace DpdkSharp.Stack.Testing;

/// <summary>Decides the fate of a frame crossing an <see cref="InMemoryLink"/> (tests: loss, capture, corruption).</summary>
public delegate bool LinkFilter(int fromSide, Span<byte> frame);

/// <summary>
/// A point-to-point Ethernet cable between two receivers, for tests and for running two stacks in
/// one process. Each side is an <see cref="IFrameSink"/> with a bounded queue; <see cref="Pump"/>
/// delivers queued frames to the other side and returns the buffers to the sending side's pool
/// (ownership: sink from <c>Transmit</c> until delivered). Deterministic: frames move only when
/// pumped, in order. When both sides share one pool the link lends each frame's buffer to the
/// receiver (<see cref="IFrameReceiver.Receive(PacketBuffer, int, Instant, RxChecksumStatus, out bool)"/>),
/// as a DPDK device does, so replies can be built in place.
/// </summary>
public sealed class InMemoryLink
{
    private readonly Side[] _sides;
    private readonly bool _lend;

    /// <summary>A cable between a receiver renting from <paramref name="poolA"/> and one renting from <paramref name="poolB"/>; each direction queues up to <paramref name="queueCapacity"/> frames.</summary>
    public InMemoryLink(IPacketBufferPool poolA, IPacketBufferPool poolB, int queueCapacity = 4096)
    {
        _sides = [new Side(poolA, queueCapacity), new Side(poolB, queueCapacity)];
        _lend = ReferenceEquals(poolA, poolB);
    }

    /// <summary>The sink for the core on side A (its frames go to B).</summary>
    public IFrameSink SinkA => _sides[0];
    /// <summary>The sink for the core on side B.</summary>
    public IFrameSink SinkB => _sides[1];

    /// <summary>Frames sent by A and B so far (tests inspect traffic with <see cref="Filter"/>).</summary>
    public long FramesA => _sides[0].Sent;
    /// <summary>Frames sent by B so far.</summary>
    public long FramesB => _sides[1].Sent;

    /// <summary>Optional: return false to lose a frame; may also rewrite it in place.</summary>
    public LinkFilter? Filter { get; set; }

    private IFrameReceiver? _receiverA, _receiverB;

    /// <summary>Connects the receivers at both ends: frames from side A go to <paramref name="b"/>, from B to <paramref name="a"/>.</summary>
    public void Attach(IFrameReceiver a, IFrameReceiver b)
    {
        _receiverA = a;
        _receiverB = b;
    }

    /// <summary>Frames waiting on both sides.</summary>
    public int Pending => _sides[0].Count + _sides[1].Count;

    /// <summary>
    /// Delivers frames until both queues are empty or <paramref name="maxFrames"/> moved (replies
    /// produced while pumping are delivered too). Returns the number delivered.
    /// </summary>
    public int Pump(Instant now, int maxFrames = int.MaxValue)
    {
        if (_receiverA is null || _receiverB is null)
        {
            throw new InvalidOperationException("Attach both receivers first.");
        }
        int moved = 0;
        while (moved < maxFrames && Pending > 0)
        {
            for (int s = 0; s < 2 && moved < maxFrames; s++)
            {
                var side = _sides[s];
                if (!side.TryDequeue(out var buffer, out int length))
                {
                    continue;
                }
                if (Filter is null || Filter(s, side.Pool.GetSpan(buffer)[..length]))
                {
                    Deliver(s == 0 ? _receiverB : _receiverA, side.Pool, buffer, length, now, _lend);
                }
                else
                {
                    side.Pool.Return(buffer);
                }
                moved++;
            }
        }
        return moved;
    }

    /// <summary>
    /// Hands a frame the link holds in <paramref name="buffer"/> (of <paramref name="pool"/>) to
    /// <paramref name="receiver"/>: lent when the receiver rents from the same pool (it may keep it
    /// for a reply built in place), else borrowed as bytes; the buffer goes back to the pool unless kept.
    /// </summary>
    internal static void Deliver(IFrameReceiver receiver, IPacketBufferPool pool, PacketBuffer buffer, int length, Instant now, bool lend)
    {
        bool kept = false;
        if (lend)
        {
            receiver.Receive(buffer, length, now, RxChecksumStatus.Unknown, out kept);
        }
        else
        {
            receiver.Receive(pool.GetSpan(buffer)[..length], now);
        }
        if (!kept)
        {
            pool.Return(buffer);
        }
    }

    private sealed class Side(IPacketBufferPool pool, int capacity) : IFrameSink
    {
        private readonly PacketBuffer[] _buffers = new PacketBuffer[capacity];
        private readonly int[] _lengths = new int[capacity];
        private int _head;
        public int Count;
        public long Sent;
        public IPacketBufferPool Pool => pool;

        public bool Transmit(PacketBuffer buffer, int length, in TxFrameInfo info)
        {
            if (Count == _buffers.Length)
            {
                pool.Return(buffer);
                return false;
            }
            int tail = (_head + Count) % _buffers.Length;
            _buffers[tail] = buffer;
            _lengths[tail] = length;
            Count++;
            Sent++;
            return true;
        }

        public bool TryDequeue(out PacketBuffer buffer, out int length)
        {
            if (Count == 0)
            {
                buffer = default;
                length = 0;
                return false;
            }
            buffer = _buffers[_head];
            length = _lengths[_head];
            _head = (_head + 1) % _buffers.Length;
            Count--;
            return true;
        }
    }
}
