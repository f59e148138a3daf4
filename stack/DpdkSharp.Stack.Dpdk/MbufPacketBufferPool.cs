using System.Runtime.CompilerServices;
using DpdkSharp.Runtime;

namespace DpdkSharp.Stack.Dpdk;

/// <summary>
/// The core's transmit buffers as mbufs of a runtime <see cref="Mempool"/>: a
/// <see cref="PacketBuffer"/> is the <c>rte_mbuf*</c>, renting is <c>rte_pktmbuf_alloc</c>, the
/// span runs from the mbuf's data offset to the end of its buffer (for a rented mbuf: the data room
/// after the headroom; for a received one lent to the core: from the frame on), returning is
/// <c>rte_pktmbuf_free</c> (to whichever pool the mbuf came from).
/// </summary>
public sealed class MbufPacketBufferPool : IPacketBufferPool
{
    private readonly Mempool _pool;

    /// <summary>Rents from <paramref name="pool"/>, whose mbufs must hold a frame of the interface's MTU after the headroom.</summary>
    public MbufPacketBufferPool(Mempool pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        _pool = pool;
        BufferSize = pool.DataRoomSize - Mempool.Headroom;
        if (BufferSize < 64)
        {
            throw new ArgumentException($"Mempool '{pool.Name}' has a {pool.DataRoomSize}-byte data room: too small for frames after the {Mempool.Headroom}-byte headroom.", nameof(pool));
        }
    }

    /// <summary>The mempool the buffers come from.</summary>
    public Mempool Mempool => _pool;

    /// <inheritdoc/>
    public int BufferSize { get; }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryRent(out PacketBuffer buffer)
    {
        bool rented = _pool.TryAlloc(out var m);
        buffer = new PacketBuffer(m.Handle);
        return rented;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> GetSpan(PacketBuffer buffer) => Mbuf.FromHandle(buffer.Handle).DataRoom;

    /// <inheritdoc/>
    public void Return(PacketBuffer buffer) => Mbuf.FromHandle(buffer.Handle).Free();
}
