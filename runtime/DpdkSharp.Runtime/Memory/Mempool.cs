using System.Runtime.CompilerServices;
using DpdkSharp.Interop;
using DpdkSharp.Runtime.Native;
using Microsoft.Extensions.Logging;

namespace DpdkSharp.Runtime;

/// <summary>
/// A pool of packet mbufs (<c>rte_pktmbuf_pool_create</c>). The <see cref="Mempool"/> object owns the pool:
/// <see cref="Dispose"/> frees it — but not while mbufs are still out, since freeing then would leave them
/// pointing into freed memory (it then logs and keeps the pool; see its remarks for the teardown order).
/// </summary>
public sealed unsafe class Mempool : IDisposable
{
    private rte_mempool* _pool;

    private Mempool(rte_mempool* pool, string name, int capacity)
    {
        _pool = pool;
        Name = name;
        Capacity = capacity;
    }

    /// <summary>The pool's name, unique in the process.</summary>
    public string Name { get; }

    /// <summary>Number of mbufs in the pool.</summary>
    public int Capacity { get; }

    /// <summary>The raw pool, for the raw bindings.</summary>
    public rte_mempool* Pointer
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            var pool = _pool;
            if (pool == null)
            {
                ThrowDisposed();
            }

            return pool;
        }
    }

    /// <summary>Mbufs that can be allocated now, including those in per-lcore caches (<c>rte_mempool_avail_count</c>).</summary>
    public int AvailableCount => (int)Dpdk.rte_mempool_avail_count(Pointer);

    /// <summary>Mbufs allocated and not yet returned (<c>rte_mempool_in_use_count</c>).</summary>
    public int InUseCount => (int)Dpdk.rte_mempool_in_use_count(Pointer);

    /// <summary>Buffer size of each mbuf, headroom included (<c>rte_pktmbuf_data_room_size</c>).</summary>
    public int DataRoomSize => Dpdk.rte_pktmbuf_data_room_size(Pointer);

    /// <summary>
    /// Creates a pool of <paramref name="count"/> packet mbufs.
    /// </summary>
    /// <param name="name">Unique name, at most <c>RTE_MEMPOOL_NAMESIZE - 1</c> bytes.</param>
    /// <param name="count">Number of mbufs; a power of two minus one uses memory best.</param>
    /// <param name="cacheSize">Per-lcore cache; at most <c>RTE_MEMPOOL_CACHE_MAX_SIZE</c> and at most count / 1.5 (DPDK's flush threshold). Null: the largest that fits, up to 256.</param>
    /// <param name="dataRoomSize">Buffer size of each mbuf including the headroom (default <c>RTE_MBUF_DEFAULT_BUF_SIZE</c>).</param>
    /// <param name="privateSize">Application area after each mbuf header; a multiple of <c>RTE_MBUF_PRIV_ALIGN</c>.</param>
    /// <param name="socketId">NUMA socket, or -1 for any.</param>
    /// <exception cref="ArgumentException">A size is out of DPDK's range (checked before calling DPDK, with the limits in the message).</exception>
    /// <exception cref="DpdkException">rte_pktmbuf_pool_create failed (e.g. out of memory, name in use).</exception>
    public static Mempool CreatePacketPool(string name, int count, int? cacheSize = null,
        int dataRoomSize = Dpdk.RTE_MBUF_DEFAULT_BUF_SIZE, int privateSize = 0, int socketId = Dpdk.SOCKET_ID_ANY)
    {
        Eal.EnsureInitialized();
        Validate(name, count, cacheSize, dataRoomSize, privateSize);
        var cache = cacheSize ?? DefaultCacheSize(count);

        rte_mempool* pool;
        using (var native = new Utf8String(name))
        {
            pool = Dpdk.rte_pktmbuf_pool_create(native.Pointer, (uint)count, (uint)cache, (ushort)privateSize, (ushort)dataRoomSize, socketId);
        }

        if (pool == null)
        {
            throw DpdkException.FromErrno("rte_pktmbuf_pool_create",
                $"pool '{name}', {count} mbufs, cache {cache}, data room {dataRoomSize}, socket {socketId}");
        }

        return new Mempool(pool, name, count);
    }

    /// <summary>The largest cache DPDK accepts for <paramref name="count"/> mbufs, capped at 256.</summary>
    public static int DefaultCacheSize(int count) => Math.Min(256, count * 2 / 3);

    private static void Validate(string name, int count, int? cacheSize, int dataRoomSize, int privateSize)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (System.Text.Encoding.UTF8.GetByteCount(name) >= (int)Dpdk.RTE_MEMPOOL_NAMESIZE)
        {
            throw new ArgumentException($"Pool name '{name}' is too long: at most {Dpdk.RTE_MEMPOOL_NAMESIZE - 1} bytes.", nameof(name));
        }

        if (count <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "A pool needs at least one mbuf.");
        }

        if (cacheSize is { } cache)
        {
            if (cache < 0 || cache > Dpdk.RTE_MEMPOOL_CACHE_MAX_SIZE)
            {
                throw new ArgumentOutOfRangeException(nameof(cacheSize), cache, $"Cache size must be between 0 and RTE_MEMPOOL_CACHE_MAX_SIZE ({Dpdk.RTE_MEMPOOL_CACHE_MAX_SIZE}).");
            }
            // DPDK flushes a cache at 1.5 × its size; a flush threshold above the pool size is refused (EINVAL).
            if (cache * 3 / 2 > count)
            {
                throw new ArgumentOutOfRangeException(nameof(cacheSize), cache, $"Cache size must be at most count / 1.5 ({count * 2 / 3} for {count} mbufs).");
            }
        }
        if (dataRoomSize < 0 || dataRoomSize > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(dataRoomSize), dataRoomSize, "Data room size must be between 0 and 65535.");
        }

        if (privateSize < 0 || privateSize > ushort.MaxValue || privateSize % Dpdk.RTE_MBUF_PRIV_ALIGN != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(privateSize), privateSize, $"Private size must be a multiple of RTE_MBUF_PRIV_ALIGN ({Dpdk.RTE_MBUF_PRIV_ALIGN}), at most 65535.");
        }
    }

    /// <summary>
    /// Bytes reserved before the data of every freshly allocated mbuf (<c>RTE_PKTMBUF_HEADROOM</c>
    /// of the DPDK build): a frame built in a new mbuf has <see cref="DataRoomSize"/> minus this.
    /// </summary>
    public const int Headroom = (int)Dpdk.RTE_PKTMBUF_HEADROOM;

    /// <summary>Allocates one mbuf (<c>rte_pktmbuf_alloc</c>); false when the pool is exhausted.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryAlloc(out Mbuf mbuf)
    {
        var m = Dpdk.rte_pktmbuf_alloc(Pointer);
        mbuf = new Mbuf(m);
        return m != null;
    }

    /// <summary>Allocates one mbuf, the caller owns it.</summary>
    /// <exception cref="DpdkException">The pool is exhausted (ENOBUFS), with its counts in the message.</exception>
    public Mbuf Alloc()
    {
        if (!TryAlloc(out var mbuf))
        {
            throw Exhausted("rte_pktmbuf_alloc", 1);
        }

        return mbuf;
    }

    /// <summary>
    /// Allocates <paramref name="count"/> mbufs into the free slots of <paramref name="burst"/>
    /// (<c>rte_pktmbuf_alloc_bulk</c>): all or none. False, burst unchanged, when the pool has fewer.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The burst has fewer than <paramref name="count"/> free slots.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool AllocBulk(ref MbufBurst burst, int count) => AllocInto(ref burst, count, reset: true);

    /// <summary>
    /// Allocates <paramref name="count"/> mbufs into the free slots of <paramref name="burst"/> without resetting them
    /// (<c>rte_mempool_get_bulk</c>: what <c>rte_mbuf_raw_alloc</c> does for one, and testpmd's txonly for a burst):
    /// all or none. False, burst unchanged, when the pool has fewer.
    /// </summary>
    /// <remarks>
    /// An mbuf in its pool has one reference, one segment and no next segment (DPDK frees it so); every other field
    /// is as its last user left it: data offset, lengths, offload flags and the rest. Set at least the data offset
    /// (<see cref="Headroom"/>, the reset's value), <c>data_len</c>, <c>pkt_len</c> and <c>ol_flags</c> before
    /// transmitting, or use <see cref="AllocBulk"/>, which resets every field (its cost per mbuf is what this saves a
    /// generator that writes those fields anyway).
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The burst has fewer than <paramref name="count"/> free slots.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool AllocBulkRaw(ref MbufBurst burst, int count) => AllocInto(ref burst, count, reset: false);

    // Both bulk allocations; reset is a constant at each call, so each inlines to one native call.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool AllocInto(ref MbufBurst burst, int count, bool reset)
    {
        if ((uint)count > (uint)burst.FreeSpace)
        {
            ThrowNoRoom(count, burst.FreeSpace);
        }

        int rc;
        fixed (nint* slots = &burst.FreeSlots)
        {
            rc = reset ? Dpdk.rte_pktmbuf_alloc_bulk(Pointer, (rte_mbuf**)slots, (uint)count) : Dpdk.rte_mempool_get_bulk(Pointer, (void**)slots, (uint)count);
        }

        if (rc != 0)
        {
            return false;
        }

        burst.Grow(count);
        return true;
    }

    /// <summary>
    /// Frees the pool (<c>rte_mempool_free</c>) if every mbuf is back; never throws.
    /// </summary>
    /// <remarks>
    /// <para>While mbufs are out the pool is NOT freed — they stay valid, and freeing them later returns them to
    /// it — and a warning with the count is logged (<see cref="EalOptions.LoggerFactory"/>). Dispose (or
    /// <see cref="TryDispose"/>) can be called again once they are back. It does not throw because it runs in
    /// <c>using</c> blocks: an exception there would replace the one that is unwinding them, usually the real error.
    /// <see cref="TryDispose"/> reports the count for a caller that wants to act on it.</para>
    /// <para>Teardown order: mbufs are held by whatever received into or allocated from the pool — a started port's
    /// receive rings hold a full ring's worth — so dispose ports (<see cref="Port.Dispose"/>: stop and close, which
    /// gives them back), reactors and interfaces before their pools: declare the pool's <c>using</c> before theirs.</para>
    /// </remarks>
    public void Dispose()
    {
        if (!TryDispose(out var inUse))
        {
            DpdkLog.Runtime.LogWarning(
                "Mempool '{Pool}' still has {InUse} mbuf(s) in use and was not freed; dispose the ports, interfaces and bursts holding them first",
                Name, inUse);
        }
    }

    /// <summary>Frees the pool if no mbuf is out; otherwise leaves it alone and reports how many are.</summary>
    /// <returns>True when the pool was freed (or already was).</returns>
    public bool TryDispose(out int inUse)
    {
        inUse = 0;
        if (_pool == null)
        {
            return true;
        }

        inUse = (int)Dpdk.rte_mempool_in_use_count(_pool);
        if (inUse != 0)
        {
            return false;
        }

        Dpdk.rte_mempool_free(_pool);
        _pool = null;
        return true;
    }

    internal DpdkException Exhausted(string function, int wanted) =>
        new(function, 105 /* ENOBUFS */, $"pool '{Name}' exhausted: wanted {wanted}, {AvailableCount} available, {InUseCount} of {Capacity} in use");

    private void ThrowDisposed() => throw new ObjectDisposedException(nameof(Mempool), $"Mempool '{Name}' was disposed.");

    private static void ThrowNoRoom(int count, int free) =>
        throw new ArgumentOutOfRangeException(nameof(count), count, $"The burst has {free} free slot(s).");

    /// <inheritdoc/>
    public override string ToString() => $"Mempool '{Name}' ({Capacity} mbufs)";
}
