using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DpdkSharp.Interop;

namespace DpdkSharp.Runtime;

/// <summary>
/// A packet buffer (<c>rte_mbuf*</c>), lent by the <see cref="MbufBurst"/>, pool or queue it came from. A
/// <c>ref struct</c>, so it cannot be stored on the heap or outlive the code that borrowed it. Field
/// accessors read DPDK's struct layout directly (no native call); the edit operations mirror
/// <c>rte_pktmbuf_prepend/append/adj/trim</c> and return false where DPDK would return NULL, leaving the
/// mbuf unchanged.
/// </summary>
/// <remarks>
/// Ownership: an mbuf belongs to exactly one owner — a burst, a queue after a successful transmit, or the
/// code that allocated it. Whoever owns it frees it once (<see cref="Free"/>), or hands it over.
/// </remarks>
public readonly unsafe ref struct Mbuf
{
    private readonly rte_mbuf* _m;

    /// <summary>Wraps a raw mbuf pointer (for interop with the raw bindings). The caller vouches it is valid.</summary>
    public Mbuf(rte_mbuf* pointer) => _m = pointer;

    /// <summary>The raw pointer, for the raw bindings.</summary>
    public rte_mbuf* Pointer
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _m;
    }

    /// <summary>
    /// The mbuf as a plain value (its address) that can be stored where a <c>ref struct</c> cannot
    /// (a queue, a field); <see cref="FromHandle"/> turns it back. The handle does not own the mbuf.
    /// </summary>
    public nint Handle
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (nint)_m;
    }

    /// <summary>The mbuf a <see cref="Handle"/> refers to.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Mbuf FromHandle(nint handle) => new((rte_mbuf*)handle);

    /// <summary>Whether this refers to no mbuf (e.g. the end of a segment chain).</summary>
    public bool IsNull => _m == null;

    /// <summary>The first segment's data (<c>rte_pktmbuf_mtod</c>, <c>data_len</c> bytes).</summary>
    public Span<byte> Data
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        // data_len is a 16-bit count, never negative: CreateSpan skips the Span constructor's negative-length test,
        // two instructions on every frame of every receive path.
        get => MemoryMarshal.CreateSpan(ref *((byte*)_m->buf_addr + _m->data_off), _m->data_len);
    }

    /// <summary>Bytes of data in this segment (<c>data_len</c>).</summary>
    public int DataLength
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _m->data_len;
    }

    /// <summary>
    /// The first segment's data and its tailroom: from the data's first byte to the end of the
    /// buffer, for writing a frame of up to that size before <see cref="SetLength"/>.
    /// </summary>
    public Span<byte> DataRoom
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new((byte*)_m->buf_addr + _m->data_off, _m->buf_len - _m->data_off);
    }

    /// <summary>
    /// Sets the length of a single-segment packet (<c>data_len</c> and <c>pkt_len</c>), after
    /// writing its bytes into <see cref="DataRoom"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The mbuf is chained (set each segment's data through Append/Trim instead).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative or beyond the data room.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetLength(int length)
    {
        if ((uint)length > (uint)(_m->buf_len - _m->data_off))
        {
            ThrowLength(length, _m->buf_len - _m->data_off);
        }

        if (_m->nb_segs != 1)
        {
            ThrowChained();
        }

        _m->data_len = (ushort)length;
        _m->pkt_len = (uint)length;
    }

    // Static, the room passed in: an instance helper takes the Mbuf's address, and a caller that inlines SetLength then
    // keeps its Mbuf in memory and reloads the pointer before every field it touches.
    private static void ThrowLength(int length, int room) =>
        throw new ArgumentOutOfRangeException(nameof(length), length, $"The data room holds {room} bytes.");

    private static void ThrowChained() =>
        throw new InvalidOperationException("SetLength is for single-segment packets; this mbuf is chained.");

    /// <summary>Bytes of data in the whole packet, all segments (<c>pkt_len</c>).</summary>
    public int PacketLength
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (int)_m->pkt_len;
    }

    /// <summary>Free bytes before the data in this segment.</summary>
    public int Headroom
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _m->data_off;
    }

    /// <summary>Free bytes after the data in this segment.</summary>
    public int Tailroom
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _m->buf_len - (_m->data_off + _m->data_len);
    }

    /// <summary>Total size of this segment's buffer (<c>buf_len</c>).</summary>
    public int BufferLength => _m->buf_len;

    /// <summary>
    /// Grows the packet at the front by <paramref name="length"/> bytes (<c>rte_pktmbuf_prepend</c>) and
    /// returns them in <paramref name="prepended"/>; false, with nothing changed, when the headroom is too small.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Prepend(int length, out Span<byte> prepended)
    {
        if ((uint)length > _m->data_off)
        {
            prepended = default;
            return false;
        }
        _m->data_off = (ushort)(_m->data_off - length);
        _m->data_len = (ushort)(_m->data_len + length);
        _m->pkt_len += (uint)length;
        prepended = new((byte*)_m->buf_addr + _m->data_off, length);
        return true;
    }

    /// <summary>
    /// Grows the packet at the end of its last segment by <paramref name="length"/> bytes
    /// (<c>rte_pktmbuf_append</c>) and returns them; false, with nothing changed, when the tailroom is too small.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Append(int length, out Span<byte> appended)
    {
        var last = LastSegment(_m);
        if ((uint)length > (uint)(last->buf_len - (last->data_off + last->data_len)))
        {
            appended = default;
            return false;
        }
        appended = new((byte*)last->buf_addr + last->data_off + last->data_len, length);
        last->data_len = (ushort)(last->data_len + length);
        _m->pkt_len += (uint)length;
        return true;
    }

    /// <summary>Removes <paramref name="length"/> bytes from the front of the first segment (<c>rte_pktmbuf_adj</c>); false when it holds fewer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Adjust(int length)
    {
        if ((uint)length > _m->data_len)
        {
            return false;
        }

        _m->data_len = (ushort)(_m->data_len - length);
        _m->data_off = (ushort)(_m->data_off + length);
        _m->pkt_len -= (uint)length;
        return true;
    }

    /// <summary>Removes <paramref name="length"/> bytes from the end of the last segment (<c>rte_pktmbuf_trim</c>); false when it holds fewer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Trim(int length)
    {
        var last = LastSegment(_m);
        if ((uint)length > last->data_len)
        {
            return false;
        }

        last->data_len = (ushort)(last->data_len - length);
        _m->pkt_len -= (uint)length;
        return true;
    }

    /// <summary>Offload flags (<c>ol_flags</c>).</summary>
    public MbufFlags Flags
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (MbufFlags)_m->ol_flags;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        set => _m->ol_flags = (nuint)value;
    }

    /// <summary>Length of the L2 header, for transmit offloads.</summary>
    public int L2Length
    {
        get => (int)_m->l2_len;
        set => _m->l2_len = (nuint)value;
    }

    /// <summary>Length of the L3 header, for transmit offloads.</summary>
    public int L3Length
    {
        get => (int)_m->l3_len;
        set => _m->l3_len = (nuint)value;
    }

    /// <summary>Length of the L4 header, for transmit offloads.</summary>
    public int L4Length
    {
        get => (int)_m->l4_len;
        set => _m->l4_len = (nuint)value;
    }

    /// <summary>VLAN tag control information, host order; valid on receive with <see cref="MbufFlags.RxVlan"/>, used on transmit with <see cref="MbufFlags.TxVlan"/>.</summary>
    public ushort VlanTci
    {
        get => _m->vlan_tci;
        set => _m->vlan_tci = value;
    }

    /// <summary>The RSS hash the NIC computed; valid with <see cref="MbufFlags.RxRssHash"/>.</summary>
    public uint RssHash
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _m->hash.rss;
    }

    /// <summary>The packet type the NIC recognised (<c>RTE_PTYPE_*</c> bits).</summary>
    public uint PacketType
    {
        get => _m->packet_type;
        set => _m->packet_type = value;
    }

    /// <summary>The port the packet arrived on.</summary>
    public ushort InputPort
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _m->port;
        set => _m->port = value;
    }

    /// <summary>Number of segments in the chain (meaningful on the first segment).</summary>
    public int SegmentCount => _m->nb_segs;

    /// <summary>The next segment; <see cref="IsNull"/> on the last.</summary>
    public Mbuf Next => new(_m->next);

    /// <summary>Whether the packet has more than one segment.</summary>
    public bool IsChained => _m->next != null;

    /// <summary>Iterates this segment and the ones chained after it.</summary>
    public SegmentEnumerator Segments => new(_m);

    /// <summary>
    /// Appends <paramref name="tail"/>'s segments to this packet (<c>rte_pktmbuf_chain</c>). On success the
    /// tail belongs to this packet: do not free it separately. False when the chain would exceed DPDK's
    /// segment limit; then nothing changed and the caller still owns the tail.
    /// </summary>
    public bool Chain(Mbuf tail) => Dpdk.rte_pktmbuf_chain(_m, tail._m) == 0;

    /// <summary>Copies a multi-segment packet into its first segment (<c>rte_pktmbuf_linearize</c>); false when it does not fit.</summary>
    public bool Linearize() => Dpdk.rte_pktmbuf_linearize(_m) == 0;

    /// <summary>Copies the whole packet (every segment) into <paramref name="destination"/>; returns the bytes copied.</summary>
    public int CopyTo(Span<byte> destination)
    {
        var written = 0;
        for (var seg = _m; seg != null && written < destination.Length; seg = seg->next)
        {
            var part = new ReadOnlySpan<byte>((byte*)seg->buf_addr + seg->data_off, seg->data_len);
            var n = Math.Min(part.Length, destination.Length - written);
            part[..n].CopyTo(destination[written..]);
            written += n;
        }
        return written;
    }

    /// <summary>The reference count of this segment (1 unless shared by clones).</summary>
    public int RefCount => Volatile.Read(ref _m->refcnt);

    /// <summary>Adds <paramref name="delta"/> to the reference count of every segment (<c>rte_pktmbuf_refcnt_update</c>).</summary>
    public void UpdateRefCount(short delta) => Dpdk.rte_pktmbuf_refcnt_update(_m, delta);

    /// <summary>
    /// Makes a clone (<c>rte_pktmbuf_clone</c>): new indirect mbufs from <paramref name="pool"/> that share this
    /// packet's data (which must then be treated as read-only). Both are freed independently. False when the pool is exhausted.
    /// </summary>
    public bool TryClone(Mempool pool, out Mbuf clone)
    {
        var c = Dpdk.rte_pktmbuf_clone(_m, pool.Pointer);
        clone = new Mbuf(c);
        return c != null;
    }

    /// <summary>Resets the fields to a freshly allocated mbuf's (<c>rte_pktmbuf_reset</c>); data is kept in the buffer but length becomes 0.</summary>
    public void Reset() => Dpdk.rte_pktmbuf_reset(_m);

    /// <summary>Returns this packet (all its segments) to its pool (<c>rte_pktmbuf_free</c>). Use it no more.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free() => Dpdk.rte_pktmbuf_free(_m);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static rte_mbuf* LastSegment(rte_mbuf* m)
    {
        while (m->next != null)
        {
            m = m->next;
        }

        return m;
    }

    /// <summary>Iterates the segments of a chain.</summary>
    public ref struct SegmentEnumerator
    {
        private rte_mbuf* _next;
        private rte_mbuf* _current;

        internal SegmentEnumerator(rte_mbuf* first) => _next = first;

        /// <summary>The enumerator itself, for <c>foreach</c>.</summary>
        public readonly SegmentEnumerator GetEnumerator() => this;

        /// <summary>The current segment.</summary>
        public readonly Mbuf Current => new(_current);

        /// <summary>Moves to the next segment.</summary>
        public bool MoveNext()
        {
            if (_next == null)
            {
                return false;
            }

            _current = _next;
            _next = _next->next;
            return true;
        }
    }
}
