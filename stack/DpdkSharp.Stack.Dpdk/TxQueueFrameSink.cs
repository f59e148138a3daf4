using DpdkSharp.Runtime;

namespace DpdkSharp.Stack.Dpdk;

/// <summary>
/// The core's frames into a DPDK <see cref="TxQueue"/>, a burst at a time: <see cref="Transmit"/>
/// only fills in the mbuf (lengths, offload flags) and buffers it; <see cref="Flush"/> (end of
/// each reactor iteration, or a full burst) calls <c>rte_eth_tx_burst</c>. What the queue still
/// refuses after a few immediate retries is freed and counted in <see cref="FlushDrops"/> (the
/// core counted it as sent; DPDK's own tx counters agree with this one).
/// </summary>
public sealed class TxQueueFrameSink : IFrameSink
{
    private const int Retries = 4;
    private readonly TxQueue _queue;
    private readonly nint[] _pending;
    private int _count;
    private long _flushDrops;
    private long _framesSent;

    /// <summary>Buffers up to <paramref name="burstSize"/> frames for <paramref name="queue"/>.</summary>
    public TxQueueFrameSink(TxQueue queue, int burstSize = 32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(burstSize, 1);
        _queue = queue;
        _pending = new nint[burstSize];
    }

    /// <summary>Frames the queue refused at flush time (freed).</summary>
    public long FlushDrops => Volatile.Read(ref _flushDrops);

    /// <summary>Frames the queue took.</summary>
    public long FramesSent => Volatile.Read(ref _framesSent);

    /// <summary>Frames buffered, not yet flushed.</summary>
    public int Pending => _count;

    /// <inheritdoc/>
    public bool Transmit(PacketBuffer buffer, int length, in TxFrameInfo info)
    {
        var mbuf = Mbuf.FromHandle(buffer.Handle);
        mbuf.SetLength(length);
        // A received mbuf reused for a reply still carries its receive flags: clear them.
        mbuf.Flags = MbufFlags.None;
        if (info.Offloads != TxOffloadRequest.None)
        {
            var flags = MbufFlags.TxIpv4;
            if ((info.Offloads & TxOffloadRequest.Ipv4Checksum) != 0)
            {
                flags |= MbufFlags.TxIpChecksum;
            }

            if ((info.Offloads & TxOffloadRequest.UdpChecksum) != 0)
            {
                flags |= MbufFlags.TxUdpChecksum;
            }

            if ((info.Offloads & TxOffloadRequest.TcpChecksum) != 0)
            {
                flags |= MbufFlags.TxTcpChecksum;
            }

            mbuf.Flags = flags;
            mbuf.L2Length = info.L2Length;
            mbuf.L3Length = info.L3Length;
        }
        if (_count == _pending.Length)
        {
            Flush();
        }
        _pending[_count++] = buffer.Handle;
        return true;
    }

    /// <summary>Hands the buffered frames to the queue.</summary>
    public void Flush()
    {
        if (_count == 0)
        {
            return;
        }

        var burst = new MbufBurst(_pending);
        for (int i = 0; i < _count; i++)
        {
            burst.TryAdd(Mbuf.FromHandle(_pending[i]));
        }

        int sent = 0;
        for (int attempt = 0; attempt <= Retries && !burst.IsEmpty; attempt++)
        {
            sent += _queue.Transmit(ref burst);
        }

        _framesSent += sent;
        if (!burst.IsEmpty)
        {
            _flushDrops += burst.Count;
            burst.FreeAll();
        }
        _count = 0;
    }
}
