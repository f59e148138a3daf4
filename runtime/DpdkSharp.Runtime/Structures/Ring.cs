using System.Numerics;
using System.Runtime.CompilerServices;
using DpdkSharp.Interop;
using DpdkSharp.Runtime.Native;

namespace DpdkSharp.Runtime;

/// <summary>How a ring synchronises producers and consumers (<c>RING_F_*</c> of <c>rte_ring_core.h</c>).</summary>
[Flags]
public enum RingFlags
{
    /// <summary>Multi-producer, multi-consumer; the count must be a power of two.</summary>
    None = 0,
    /// <summary>One thread enqueues (<c>RING_F_SP_ENQ</c>): cheaper, no atomic compare-and-swap.</summary>
    SingleProducer = Dpdk.RING_F_SP_ENQ,
    /// <summary>One thread dequeues (<c>RING_F_SC_DEQ</c>).</summary>
    SingleConsumer = Dpdk.RING_F_SC_DEQ,
    /// <summary>Hold exactly the requested count, which then need not be a power of two (<c>RING_F_EXACT_SZ</c>).</summary>
    ExactSize = Dpdk.RING_F_EXACT_SZ,
}

/// <summary>
/// A lock-free FIFO of pointers (<c>rte_ring</c>), for handing mbufs or other objects between lcores. Owned by
/// this object: <see cref="Dispose"/> frees it. Burst operations move as many as fit; bulk operations all or none.
/// </summary>
public sealed unsafe class Ring : IDisposable
{
    private rte_ring* _ring;

    private Ring(rte_ring* ring, string name)
    {
        _ring = ring;
        Name = name;
    }

    /// <summary>The ring's name.</summary>
    public string Name { get; }

    /// <summary>The raw ring.</summary>
    public rte_ring* Pointer
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            var r = _ring;
            if (r == null)
            {
                throw new ObjectDisposedException(nameof(Ring), $"Ring '{Name}' was disposed.");
            }

            return r;
        }
    }

    /// <summary>
    /// Creates a ring of <paramref name="count"/> slots (<c>rte_ring_create</c>). Without
    /// <see cref="RingFlags.ExactSize"/> the count must be a power of two and the ring holds count − 1.
    /// </summary>
    /// <exception cref="ArgumentException">The count or name is invalid (checked before calling DPDK).</exception>
    /// <exception cref="DpdkException">rte_ring_create failed (out of memory, name in use).</exception>
    public static Ring Create(string name, int count, RingFlags flags = RingFlags.None, int socketId = Dpdk.SOCKET_ID_ANY)
    {
        Eal.EnsureInitialized();
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (System.Text.Encoding.UTF8.GetByteCount(name) >= (int)Dpdk.RTE_RING_NAMESIZE)
        {
            throw new ArgumentException($"Ring name '{name}' is too long: at most {Dpdk.RTE_RING_NAMESIZE - 1} bytes.", nameof(name));
        }

        if (count <= 0 || (uint)count > Dpdk.RTE_RING_SZ_MASK)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Ring count must be between 1 and {Dpdk.RTE_RING_SZ_MASK}.");
        }

        if ((flags & RingFlags.ExactSize) == 0 && !BitOperations.IsPow2(count))
        {
            throw new ArgumentException($"Ring count {count} is not a power of two; use a power of two or RingFlags.ExactSize.", nameof(count));
        }

        rte_ring* ring;
        using (var native = new Utf8String(name))
        {
            ring = Dpdk.rte_ring_create(native.Pointer, (uint)count, socketId, (uint)flags);
        }

        if (ring == null)
        {
            throw DpdkException.FromErrno("rte_ring_create", $"ring '{name}', count {count}, flags {flags}");
        }

        return new Ring(ring, name);
    }

    /// <summary>Most objects the ring can hold.</summary>
    public int Capacity => (int)Dpdk.rte_ring_get_capacity(Pointer);

    /// <summary>Objects in the ring now.</summary>
    public int Count => (int)Dpdk.rte_ring_count(Pointer);

    /// <summary>Free slots now.</summary>
    public int FreeCount => (int)Dpdk.rte_ring_free_count(Pointer);

    /// <summary>Enqueues as many of <paramref name="objects"/> as fit, in order; returns how many.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int EnqueueBurst(ReadOnlySpan<nint> objects)
    {
        fixed (nint* p = objects)
        {
            return (int)Dpdk.rte_ring_enqueue_burst(Pointer, (void**)p, (uint)objects.Length, null);
        }
    }

    /// <summary>Enqueues all of <paramref name="objects"/> or none; returns whether it did.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool EnqueueBulk(ReadOnlySpan<nint> objects)
    {
        fixed (nint* p = objects)
        {
            return Dpdk.rte_ring_enqueue_bulk(Pointer, (void**)p, (uint)objects.Length, null) != 0;
        }
    }

    /// <summary>Dequeues up to <paramref name="destination"/>.Length objects; returns how many.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int DequeueBurst(Span<nint> destination)
    {
        fixed (nint* p = destination)
        {
            return (int)Dpdk.rte_ring_dequeue_burst(Pointer, (void**)p, (uint)destination.Length, null);
        }
    }

    /// <summary>Dequeues exactly <paramref name="destination"/>.Length objects or none; returns whether it did.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool DequeueBulk(Span<nint> destination)
    {
        fixed (nint* p = destination)
        {
            return Dpdk.rte_ring_dequeue_bulk(Pointer, (void**)p, (uint)destination.Length, null) != 0;
        }
    }

    /// <summary>
    /// Moves the mbufs of <paramref name="burst"/> into the ring: those enqueued now belong to whoever dequeues
    /// them and leave the burst; the rest stay in it. Returns how many moved.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Enqueue(ref MbufBurst burst)
    {
        int n;
        fixed (nint* p = &burst.FirstSlot)
        {
            n = (int)Dpdk.rte_ring_enqueue_burst(Pointer, (void**)p, (uint)burst.Count, null);
        }

        burst.RemoveFirst(n);
        return n;
    }

    /// <summary>Moves mbufs from the ring into the free slots of <paramref name="burst"/>, which then owns them. Returns how many.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Dequeue(ref MbufBurst burst)
    {
        int n;
        fixed (nint* p = &burst.FreeSlots)
        {
            n = (int)Dpdk.rte_ring_dequeue_burst(Pointer, (void**)p, (uint)burst.FreeSpace, null);
        }

        burst.Grow(n);
        return n;
    }

    /// <summary>Frees the ring (<c>rte_ring_free</c>). Objects still in it are not freed: drain mbufs first.</summary>
    public void Dispose()
    {
        if (_ring == null)
        {
            return;
        }

        Dpdk.rte_ring_free(_ring);
        _ring = null;
    }
}
