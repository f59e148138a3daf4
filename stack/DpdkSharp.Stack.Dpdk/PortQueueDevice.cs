using DpdkSharp.Runtime;

namespace DpdkSharp.Stack.Dpdk;

/// <summary>
/// One receive queue and one transmit queue of a DPDK port as a <see cref="IReactorDevice"/>:
/// receive bursts go to the core and are freed right after (the core copies what it keeps),
/// transmit buffers are mbufs of the given pool, sent through a <see cref="TxQueueFrameSink"/>.
/// </summary>
public sealed unsafe class PortQueueDevice : IReactorDevice
{
    /// <summary>Packets taken per <c>rte_eth_rx_burst</c> (DPDK's customary 32).</summary>
    public const int BurstSize = 32;

    private readonly RxQueue _rx;
    private readonly MbufPacketBufferPool _pool;
    private readonly TxQueueFrameSink _sink;
    private readonly byte[] _linear = new byte[65536]; // for the rare multi-segment frame
    private long _framesReceived;

    /// <summary>Binds <paramref name="rx"/> and <paramref name="tx"/>; transmit mbufs come from <paramref name="txPool"/>.</summary>
    public PortQueueDevice(RxQueue rx, TxQueue tx, Mempool txPool)
    {
        _rx = rx;
        _pool = new MbufPacketBufferPool(txPool);
        _sink = new TxQueueFrameSink(tx, BurstSize);
    }

    /// <inheritdoc/>
    public IPacketBufferPool Pool => _pool;

    /// <inheritdoc/>
    public IFrameSink Sink => _sink;

    /// <summary>The transmit side, with its counters.</summary>
    public TxQueueFrameSink Transmitter => _sink;

    /// <summary>Frames received so far.</summary>
    public long FramesReceived => Volatile.Read(ref _framesReceived);

    /// <inheritdoc/>
    public int ReceiveBurst(IFrameReceiver receiver, long nowNanoseconds)
    {
        var burst = new MbufBurst(stackalloc nint[BurstSize]);
        int n = _rx.Receive(ref burst);
        if (n == 0)
            return 0;
        try
        {
            foreach (var m in burst)
            {
                ReadOnlySpan<byte> frame = m.IsChained ? _linear.AsSpan(0, m.CopyTo(_linear)) : m.Data;
                receiver.Receive(frame, nowNanoseconds, ChecksumStatusOf(m.Flags));
            }
        }
        finally
        {
            burst.FreeAll();
        }
        _framesReceived += n;
        return n;
    }

    /// <inheritdoc/>
    public void Flush() => _sink.Flush();

    /// <summary>The device's receive checksum verdicts (two-bit fields, see <see cref="MbufFlagsExtensions"/>).</summary>
    public static RxChecksumStatus ChecksumStatusOf(MbufFlags flags)
    {
        var status = RxChecksumStatus.Unknown;
        switch (flags.IpChecksum())
        {
            case ChecksumStatus.Good: status |= RxChecksumStatus.Ipv4Good; break;
            case ChecksumStatus.Bad: status |= RxChecksumStatus.Ipv4Bad; break;
        }
        switch (flags.L4Checksum())
        {
            case ChecksumStatus.Good: status |= RxChecksumStatus.L4Good; break;
            case ChecksumStatus.Bad: status |= RxChecksumStatus.L4Bad; break;
        }
        return status;
    }
}
