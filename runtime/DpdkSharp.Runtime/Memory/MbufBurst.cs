using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DpdkSharp.Interop;

namespace DpdkSharp.Runtime;

/// <summary>
/// A burst of mbufs: a caller-provided array of mbuf pointers (typically <c>stackalloc nint[32]</c>) and how
/// many of its leading slots hold packets. Receive, transmit and bulk alloc/free work on bursts.
/// </summary>
/// <remarks>
/// <para>Ownership: the burst owns the mbufs it holds until they are transmitted or freed.
/// <see cref="RxQueue.Receive"/> and <see cref="Mempool.AllocBulk"/> add to it;
/// <see cref="TxQueue.Transmit"/> removes exactly the packets the queue took, so what was not sent stays in
/// the burst, still owned by the caller (retry, or <see cref="FreeAll"/>). Pass bursts by <c>ref</c>: a copy
/// would be a second owner of the same mbufs.</para>
/// <para>The fast path here is allocation-free: the slots are the caller's memory, and native calls pin
/// them only for their duration (a pinned local, free for stack memory).</para>
/// </remarks>
public unsafe ref struct MbufBurst
{
    private readonly Span<nint> _slots;
    private int _count;

    /// <summary>A burst over <paramref name="slots"/> (each an <c>rte_mbuf*</c>), initially empty.</summary>
    public MbufBurst(Span<nint> slots)
    {
        if (slots.Length > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(slots), slots.Length, "A burst holds at most 65535 mbufs (DPDK burst counts are 16-bit).");
        }

        _slots = slots;
        _count = 0;
    }

    /// <summary>A burst over native memory holding <paramref name="capacity"/> <c>rte_mbuf*</c> slots, initially empty.</summary>
    public MbufBurst(rte_mbuf** slots, int capacity) : this(new Span<nint>(slots, capacity))
    {
    }

    /// <summary>Number of mbufs held.</summary>
    public readonly int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _count;
    }

    /// <summary>Number of slots.</summary>
    public readonly int Capacity => _slots.Length;

    /// <summary>Slots still free.</summary>
    public readonly int FreeSpace => _slots.Length - _count;

    /// <summary>Whether the burst holds no mbuf.</summary>
    public readonly bool IsEmpty => _count == 0;

    /// <summary>The mbuf at <paramref name="index"/> (0 ≤ index &lt; <see cref="Count"/>), lent by the burst.</summary>
    public readonly Mbuf this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if ((uint)index >= (uint)_count)
            {
                ThrowIndex(index);
            }

            return new Mbuf((rte_mbuf*)_slots[index]);
        }
    }

    /// <summary>The held mbuf pointers, for the raw bindings.</summary>
    public readonly ReadOnlySpan<nint> Pointers => _slots[.._count];

    /// <summary>Takes ownership of <paramref name="mbuf"/>; false (still the caller's) when the burst is full.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryAdd(Mbuf mbuf)
    {
        if (_count == _slots.Length)
        {
            return false;
        }

        _slots[_count++] = (nint)mbuf.Pointer;
        return true;
    }

    /// <summary>
    /// Removes the mbuf at <paramref name="index"/> from the burst and hands its ownership to the caller
    /// (the last mbuf takes its slot, so order is not kept).
    /// </summary>
    public Mbuf TakeAt(int index)
    {
        if ((uint)index >= (uint)_count)
        {
            ThrowIndex(index);
        }

        var taken = _slots[index];
        _slots[index] = _slots[--_count];
        return new Mbuf((rte_mbuf*)taken);
    }

    /// <summary>Frees every mbuf held (<c>rte_pktmbuf_free_bulk</c>) and empties the burst.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void FreeAll()
    {
        if (_count == 0)
        {
            return;
        }

        fixed (nint* p = _slots)
        {
            Dpdk.rte_pktmbuf_free_bulk((rte_mbuf**)p, (uint)_count);
        }

        _count = 0;
    }

    /// <summary>
    /// Frees every mbuf held except those whose entry in <paramref name="keep"/> is true (the
    /// caller took them over), in one <c>rte_pktmbuf_free_bulk</c>, and empties the burst. Entries
    /// beyond <paramref name="keep"/>'s length are freed.
    /// </summary>
    public void FreeAllExcept(ReadOnlySpan<bool> keep)
    {
        int kept = 0;
        for (int i = 0; i < _count; i++)
        {
            if (i < keep.Length && keep[i])
            {
                kept++;
            }
            else
            {
                _slots[i - kept] = _slots[i]; // compact in place: slot i - kept <= i is already read
            }
        }
        _count -= kept;
        FreeAll();
    }

    /// <summary>Iterates the held mbufs.</summary>
    public readonly Enumerator GetEnumerator() => new(_slots[.._count]);

    /// <summary>The first free slot, for a native call that fills the burst; pinned by the caller's <c>fixed</c>.</summary>
    internal readonly ref nint FreeSlots => ref Unsafe.Add(ref MemoryMarshal.GetReference(_slots), _count);

    /// <summary>The first slot, for a native call that consumes the burst.</summary>
    internal readonly ref nint FirstSlot => ref MemoryMarshal.GetReference(_slots);

    /// <summary>Records that a native call filled <paramref name="added"/> more slots.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Grow(int added) => _count += added;

    /// <summary>Drops the first <paramref name="taken"/> mbufs (now someone else's) and moves the rest to the front.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void RemoveFirst(int taken)
    {
        var left = _count - taken;
        if (left > 0)
        {
            _slots.Slice(taken, left).CopyTo(_slots);
        }

        _count = left;
    }

    private static void ThrowIndex(int index) =>
        throw new ArgumentOutOfRangeException(nameof(index), index, "No mbuf at this index of the burst.");

    /// <summary>Iterates a burst's mbufs.</summary>
    public ref struct Enumerator
    {
        private readonly ReadOnlySpan<nint> _held;
        private int _index;

        internal Enumerator(ReadOnlySpan<nint> held)
        {
            _held = held;
            _index = -1;
        }

        /// <summary>The current mbuf.</summary>
        public readonly Mbuf Current
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => new((rte_mbuf*)_held[_index]);
        }

        /// <summary>Moves to the next mbuf.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool MoveNext() => ++_index < _held.Length;
    }
}
