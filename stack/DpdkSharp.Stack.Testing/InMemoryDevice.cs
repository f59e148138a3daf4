using DpdkSharp.Stack.Interface;

namespace DpdkSharp.Stack.Testing;

/// <summary>
/// One end of an in-memory Ethernet cable that a <see cref="Reactor"/> can drive on its own thread,
/// so sockets run without DPDK: frames a device transmits are copied into its peer's inbox (a
/// bounded, lock-protected ring of preallocated slots: nothing is allocated per frame) and the
/// transmit buffer goes straight back to the sender's pool. Made in pairs by <see cref="CreatePair"/>.
/// </summary>
/// <remarks>A full inbox refuses the frame (counted by the core as <see cref="DropReason.TransmitQueueFull"/>), as a full device ring would.</remarks>
public sealed class InMemoryDevice : IReactorDevice, IFrameSink
{
    private const int BurstSize = 32;
    private readonly ArrayPacketBufferPool _pool;
    private readonly byte[][] _inbox;
    private readonly int[] _lengths;
    private readonly Lock _lock = new();
    private int _head, _count;
    private long _framesSent, _framesReceived;
    private InMemoryDevice _peer = null!;

    private InMemoryDevice(int buffers, int bufferSize, int queueCapacity)
    {
        _pool = new ArrayPacketBufferPool(buffers, bufferSize);
        _inbox = new byte[queueCapacity][];
        _lengths = new int[queueCapacity];
        for (int i = 0; i < queueCapacity; i++)
        {
            _inbox[i] = new byte[bufferSize];
        }
    }

    /// <summary>Two devices joined by a cable.</summary>
    /// <param name="buffers">Transmit buffers per device.</param>
    /// <param name="bufferSize">Bytes per buffer (the largest frame).</param>
    /// <param name="queueCapacity">Frames each inbox holds before it refuses more.</param>
    public static (InMemoryDevice A, InMemoryDevice B) CreatePair(int buffers = 1024, int bufferSize = 2048, int queueCapacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(queueCapacity, 1);
        var a = new InMemoryDevice(buffers, bufferSize, queueCapacity);
        var b = new InMemoryDevice(buffers, bufferSize, queueCapacity);
        a._peer = b;
        b._peer = a;
        return (a, b);
    }

    /// <inheritdoc/>
    public IPacketBufferPool Pool => _pool;

    /// <summary>The pool as its concrete type (tests check <see cref="ArrayPacketBufferPool.Outstanding"/>).</summary>
    public ArrayPacketBufferPool BufferPool => _pool;

    /// <inheritdoc/>
    public IFrameSink Sink => this;

    /// <summary>Frames this device handed to its peer.</summary>
    public long FramesSent => Volatile.Read(ref _framesSent);

    /// <summary>Frames this device received from its peer.</summary>
    public long FramesReceived => Volatile.Read(ref _framesReceived);

    /// <inheritdoc/>
    public bool Transmit(PacketBuffer buffer, int length, in TxFrameInfo info)
    {
        bool taken = _peer.Enqueue(_pool.GetSpan(buffer)[..length]);
        _pool.Return(buffer);
        if (taken)
        {
            Interlocked.Increment(ref _framesSent);
        }
        return taken;
    }

    /// <inheritdoc/>
    public int ReceiveBurst<TReceiver>(ref TReceiver receiver, Instant now) where TReceiver : struct, IFrameReceiver
    {
        int n = 0;
        while (n < BurstSize)
        {
            byte[] slot;
            int length;
            lock (_lock)
            {
                if (_count == 0)
                {
                    break;
                }
                slot = _inbox[_head];
                length = _lengths[_head];
            }
            // The slot stays ours until released below: Enqueue never writes the head slot while it is counted.
            receiver.Receive(slot.AsSpan(0, length), now);
            lock (_lock)
            {
                _head = (_head + 1) % _inbox.Length;
                _count--;
            }
            n++;
        }
        Interlocked.Add(ref _framesReceived, n);
        return n;
    }

    /// <inheritdoc/>
    public void Flush()
    {
    }

    private bool Enqueue(ReadOnlySpan<byte> frame)
    {
        lock (_lock)
        {
            if (_count == _inbox.Length || frame.Length > _inbox[0].Length)
            {
                return false;
            }
            int tail = (_head + _count) % _inbox.Length;
            frame.CopyTo(_inbox[tail]);
            _lengths[tail] = frame.Length;
            _count++;
            return true;
        }
    }
}
