namespace DpdkSharp.Stack.Interface;

/// <summary>Limits of IPv4 reassembly. Memory is bounded by <see cref="MaxDatagrams"/> x 64 KiB plus bookkeeping.</summary>
public sealed record ReassemblyOptions
{
    /// <summary>Datagrams reassembled at once; a fragment of a new datagram beyond this is dropped.</summary>
    public int MaxDatagrams { get; init; } = 16;
    /// <summary>Bytes of fragment data held over all datagrams (Linux: ipfrag_high_thresh).</summary>
    public int MaxBufferedBytes { get; init; } = 1 << 20;
    /// <summary>Holes one datagram may have; more means a fragment pattern no honest sender makes.</summary>
    public int MaxHoles { get; init; } = 32;
    /// <summary>Lifetime of a partial datagram from its first fragment (RFC 1122 §3.3.2 recommends 60-120 s; Linux uses 30 s).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>Outcome of offering one fragment to the reassembler.</summary>
public enum ReassemblyStatus
{
    /// <summary>Kept; the datagram is still incomplete.</summary>
    Buffered,
    /// <summary>The datagram is complete; process it and then call <see cref="Ipv4Reassembler.Release"/>.</summary>
    Complete,
    /// <summary>This fragment was dropped for the returned reason.</summary>
    Dropped,
}

/// <summary>
/// IPv4 fragment reassembly with the hole-descriptor algorithm of RFC 815 (RFC 791 §3.2
/// "Fragmentation and Reassembly", RFC 1122 §3.3.2). Datagrams are identified by (source,
/// destination, protocol, identification).
/// </summary>
/// <remarks>
/// <para>Overlaps: only bytes that fall into a hole are copied, so data received first wins and a
/// later overlapping fragment can neither rewrite accepted bytes nor reopen a hole (the
/// "teardrop" and overlap-rewrite attacks have nothing to work on). A fragment that adds no byte
/// and no end marker is dropped as <see cref="DropReason.DuplicateFragment"/>; one that
/// contradicts the known end of the datagram is <see cref="DropReason.Malformed"/>.</para>
/// <para>Bounds: a fixed number of slots, each with a 64 KiB buffer allocated on first use and
/// reused; a byte budget over all slots; a hole limit per slot; a timeout. Nothing allocates
/// after the slots are warm.</para>
/// </remarks>
public sealed class Ipv4Reassembler
{
    /// <summary>Largest payload a datagram can have (65535 minus the minimum header): RFC 791 §3.1 total length.</summary>
    public const int MaxPayload = Ipv4Packet.MaxTotalLength - Ipv4Packet.MinHeaderLength;
    private const int Infinity = int.MaxValue;

    private sealed class Slot(int maxHoles)
    {
        public bool InUse;
        public Ipv4Address Source, Destination;
        public IpProtocol Protocol;
        public ushort Identification;
        public Instant Deadline;
        public int Bytes;
        public int TotalLength;
        public int MaxEnd;
        public byte Ttl;
        public byte[]? Buffer;
        public readonly int[] HoleFirst = new int[maxHoles];
        public readonly int[] HoleLast = new int[maxHoles];
        public int HoleCount;
        public readonly byte[] FirstHeader = new byte[60 + 8];
        public int FirstHeaderLength;
        public int FirstIpHeaderLength;
    }

    private readonly ReassemblyOptions _options;
    private readonly NetCounters _counters;
    private readonly Slot[] _slots;
    private readonly TimeSpan _timeout;
    private Instant _earliest = Instant.Never;
    private int _bufferedBytes;
    private int _inUse;

    public Ipv4Reassembler(ReassemblyOptions options, NetCounters counters)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxDatagrams, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxHoles, 2);
        _options = options;
        _counters = counters;
        _timeout = options.Timeout;
        _slots = new Slot[options.MaxDatagrams];
        for (int i = 0; i < _slots.Length; i++)
        {
            _slots[i] = new Slot(options.MaxHoles);
        }
    }

    /// <summary>Datagrams being reassembled now.</summary>
    public int InProgress => _inUse;

    /// <summary>Fragment bytes held now (never above <see cref="ReassemblyOptions.MaxBufferedBytes"/>).</summary>
    public int BufferedBytes => _bufferedBytes;

    /// <summary>Bytes of slot buffers allocated so far (never above MaxDatagrams x 64 KiB).</summary>
    public long AllocatedBytes
    {
        get
        {
            long sum = 0;
            foreach (var s in _slots)
            {
                sum += s.Buffer?.Length ?? 0;
            }
            return sum;
        }
    }

    /// <summary>
    /// Offers one fragment. On <see cref="ReassemblyStatus.Complete"/>, <paramref name="datagram"/>
    /// is the whole payload (valid until <see cref="Release"/>), <paramref name="meta"/> describes
    /// it and <paramref name="slot"/> must be released after processing.
    /// </summary>
    public ReassemblyStatus Accept(in Ipv4Packet fragment, Instant now, out ReadOnlySpan<byte> datagram, out Ipv4Meta meta,
        out int slot, out DropReason reason)
    {
        datagram = default;
        meta = default;
        slot = -1;
        reason = DropReason.Malformed;

        var payload = fragment.Payload;
        int first = fragment.FragmentOffset;
        bool more = fragment.MoreFragments;
        int length = payload.Length;
        // RFC 791 §3.2: every fragment but the last carries a multiple of 8 bytes; an empty
        // fragment or one ending past 65535 (the "ping of death") cannot be part of a datagram.
        if (length == 0 || (more && (length & 7) != 0) || first + length > MaxPayload)
        {
            return ReassemblyStatus.Dropped;
        }
        int last = first + length - 1;

        int index = Find(fragment.Source, fragment.Destination, fragment.Protocol, fragment.Identification);
        if (index < 0)
        {
            if (_inUse == _slots.Length || _bufferedBytes + length > _options.MaxBufferedBytes)
            {
                reason = DropReason.ReassemblyLimit;
                return ReassemblyStatus.Dropped;
            }
            index = Open(fragment, now);
        }
        var s = _slots[index];

        if (s.TotalLength >= 0 && last >= s.TotalLength)
        {
            return ReassemblyStatus.Dropped; // data past the end the last fragment announced
        }
        if (!more && (s.MaxEnd > last + 1 || (s.TotalLength >= 0 && s.TotalLength != last + 1)))
        {
            return ReassemblyStatus.Dropped; // a second, different end
        }

        // RFC 815 §3: count the holes the fragment would leave, before changing anything.
        int newCount = s.HoleCount;
        for (int h = 0; h < s.HoleCount; h++)
        {
            if (first > s.HoleLast[h] || last < s.HoleFirst[h])
            {
                continue;
            }
            newCount--;
            if (first > s.HoleFirst[h])
            {
                newCount++;
            }
            if (last < s.HoleLast[h] && more)
            {
                newCount++;
            }
        }
        if (newCount > _options.MaxHoles)
        {
            reason = DropReason.ReassemblyLimit;
            Abandon(index, DropReason.ReassemblyLimit);
            return ReassemblyStatus.Dropped;
        }

        int copied = 0;
        bool progress = false;
        int leftFirst = -1, leftLast = -1, rightFirst = -1, rightLast = -1;
        s.Buffer ??= new byte[MaxPayload];
        for (int h = s.HoleCount - 1; h >= 0; h--)
        {
            int hf = s.HoleFirst[h], hl = s.HoleLast[h];
            if (first > hl || last < hf)
            {
                continue;
            }
            int from = Math.Max(first, hf), to = Math.Min(last, hl);
            int budget = _options.MaxBufferedBytes - _bufferedBytes - copied;
            if (to - from + 1 > budget)
            {
                // Over the byte budget mid-datagram: give the whole datagram up, it cannot finish.
                reason = DropReason.ReassemblyLimit;
                Abandon(index, DropReason.ReassemblyLimit);
                return ReassemblyStatus.Dropped;
            }
            payload.Slice(from - first, to - from + 1).CopyTo(s.Buffer.AsSpan(from));
            copied += to - from + 1;
            progress = true;
            RemoveHole(s, h);
            if (first > hf)
            {
                leftFirst = hf;
                leftLast = first - 1;
            }
            if (last < hl && more)
            {
                rightFirst = last + 1;
                rightLast = hl;
            }
        }
        if (leftFirst >= 0)
        {
            AddHole(s, leftFirst, leftLast);
        }
        if (rightFirst >= 0)
        {
            AddHole(s, rightFirst, rightLast);
        }
        if (!more)
        {
            s.TotalLength = last + 1;
            // The open-ended hole may start right after this fragment's data: the end is now known.
            for (int h = s.HoleCount - 1; h >= 0; h--)
            {
                if (s.HoleFirst[h] > last)
                {
                    RemoveHole(s, h);
                    progress = true;
                }
            }
        }
        if (!progress)
        {
            reason = DropReason.DuplicateFragment;
            return ReassemblyStatus.Dropped;
        }
        s.Bytes += copied;
        _bufferedBytes += copied;
        s.MaxEnd = Math.Max(s.MaxEnd, last + 1);
        if (first == 0 && s.FirstHeaderLength == 0)
        {
            // Kept for the ICMP Time Exceeded of RFC 792 / RFC 1122 §3.3.2 if the datagram times out.
            int n = Math.Min(fragment.HeaderLength + 8, fragment.TotalLength);
            fragment.Header.CopyTo(s.FirstHeader);
            payload[..(n - fragment.HeaderLength)].CopyTo(s.FirstHeader.AsSpan(fragment.HeaderLength));
            s.FirstHeaderLength = n;
            s.FirstIpHeaderLength = fragment.HeaderLength;
        }

        if (s.HoleCount == 0)
        {
            datagram = s.Buffer.AsSpan(0, s.TotalLength);
            meta = new Ipv4Meta(s.Source, s.Destination, s.Protocol, s.Ttl, Reassembled: true, DestinationIsBroadcastOrMulticast: false);
            slot = index;
            return ReassemblyStatus.Complete;
        }
        return ReassemblyStatus.Buffered;
    }

    /// <summary>The first fragment's IP header of a complete datagram (to quote in ICMP errors about it).</summary>
    public ReadOnlySpan<byte> GetFirstHeader(int slot) => _slots[slot].FirstHeader.AsSpan(0, _slots[slot].FirstIpHeaderLength);

    /// <summary>Frees a slot after its complete datagram was processed.</summary>
    public void Release(int slot)
    {
        var s = _slots[slot];
        if (!s.InUse)
        {
            return;
        }
        s.InUse = false;
        _bufferedBytes -= s.Bytes;
        _inUse--;
    }

    /// <summary>
    /// Expires the next timed-out datagram, counting it as <see cref="DropReason.ReassemblyTimeout"/>.
    /// <paramref name="firstFragment"/> is its first fragment's header and 8 data bytes when it
    /// arrived (for ICMP Time Exceeded, code 1), else empty. Valid until the next call.
    /// </summary>
    public bool TryExpire(Instant now, out Ipv4Address source, out ReadOnlySpan<byte> firstFragment)
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            var s = _slots[i];
            if (s.InUse && now >= s.Deadline)
            {
                source = s.Source;
                firstFragment = s.FirstHeader.AsSpan(0, s.FirstHeaderLength);
                Abandon(i, DropReason.ReassemblyTimeout);
                return true;
            }
        }
        source = default;
        firstFragment = default;
        return false;
    }

    /// <summary>The earliest deadline of a datagram in progress, or <see cref="Instant.Never"/>.</summary>
    public Instant NextDeadline()
    {
        Instant next = Instant.Never;
        foreach (var s in _slots)
        {
            if (s.InUse && s.Deadline < next)
            {
                next = s.Deadline;
            }
        }
        _earliest = next;
        return next;
    }

    /// <summary>No later than the earliest timeout (exact after <see cref="NextDeadline"/>): until then there is nothing to expire.</summary>
    public Instant EarliestDeadline => _earliest;

    private int Find(Ipv4Address src, Ipv4Address dst, IpProtocol protocol, ushort id)
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            var s = _slots[i];
            if (s.InUse && s.Identification == id && s.Source == src && s.Destination == dst && s.Protocol == protocol)
            {
                return i;
            }
        }
        return -1;
    }

    private int Open(in Ipv4Packet fragment, Instant now)
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            var s = _slots[i];
            if (s.InUse)
            {
                continue;
            }
            s.InUse = true;
            s.Source = fragment.Source;
            s.Destination = fragment.Destination;
            s.Protocol = fragment.Protocol;
            s.Identification = fragment.Identification;
            s.Ttl = fragment.Ttl;
            s.Deadline = now + _timeout;
            _earliest = Instant.Min(_earliest, s.Deadline);
            s.Bytes = 0;
            s.TotalLength = -1;
            s.MaxEnd = 0;
            s.FirstHeaderLength = 0;
            s.HoleCount = 1;
            s.HoleFirst[0] = 0;
            s.HoleLast[0] = Infinity; // RFC 815 §3: "fragment.first = 0, fragment.last = infinity"
            _inUse++;
            return i;
        }
        throw new InvalidOperationException("No free reassembly slot (checked by the caller).");
    }

    private void Abandon(int index, DropReason reason)
    {
        var s = _slots[index];
        if (s.Bytes > 0)
        {
            _counters.CountDrop(reason, DropStage.Buffered);
        }
        Release(index);
    }

    private static void RemoveHole(Slot s, int h)
    {
        int lastIndex = s.HoleCount - 1;
        s.HoleFirst[h] = s.HoleFirst[lastIndex];
        s.HoleLast[h] = s.HoleLast[lastIndex];
        s.HoleCount--;
    }

    private static void AddHole(Slot s, int first, int last)
    {
        s.HoleFirst[s.HoleCount] = first;
        s.HoleLast[s.HoleCount] = last;
        s.HoleCount++;
    }
}
