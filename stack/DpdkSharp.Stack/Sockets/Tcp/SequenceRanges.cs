namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// Sorted, disjoint ranges of sequence space in a fixed array: what the receive queue holds out of
/// order (our SACK blocks) and what the peer SACKed (the sender's scoreboard) are both kept this way.
/// </summary>
internal static class SequenceRanges
{
    /// <summary>
    /// Inserts [<paramref name="left"/>, <paramref name="right"/>) into <paramref name="ranges"/>[0..<paramref name="count"/>),
    /// merging every range it touches; <paramref name="stamps"/> (empty, or parallel to the ranges) moves
    /// with them and the merged range gets <paramref name="stamp"/>. Returns the merged range's index, or −1
    /// (nothing changed) when it would need a new slot and all are used. <paramref name="mergedBytes"/> is
    /// the length the merged-away ranges had.
    /// </summary>
    public static int Insert(Span<SackBlock> ranges, ref int count, SequenceNumber left, SequenceNumber right, Span<long> stamps, long stamp, out int mergedBytes)
    {
        mergedBytes = 0;
        int i = 0;
        while (i < count && ranges[i].Right < left)
        {
            i++;
        }
        int j = i;
        while (j < count && ranges[j].Left <= right)
        {
            if (ranges[j].Left < left)
            {
                left = ranges[j].Left;
            }
            if (ranges[j].Right > right)
            {
                right = ranges[j].Right;
            }
            mergedBytes += ranges[j].Right - ranges[j].Left;
            j++;
        }
        int removed = j - i;
        if (removed == 0)
        {
            if (count == ranges.Length)
            {
                return -1;
            }
            ranges[i..count].CopyTo(ranges[(i + 1)..]);
            if (!stamps.IsEmpty)
            {
                stamps[i..count].CopyTo(stamps[(i + 1)..]);
            }
            count++;
        }
        else if (removed > 1)
        {
            ranges[j..count].CopyTo(ranges[(i + 1)..]);
            if (!stamps.IsEmpty)
            {
                stamps[j..count].CopyTo(stamps[(i + 1)..]);
            }
            count -= removed - 1;
        }
        ranges[i] = new SackBlock(left, right);
        if (!stamps.IsEmpty)
        {
            stamps[i] = stamp;
        }
        return i;
    }

    /// <summary>Drops the first <paramref name="k"/> ranges (and their stamps).</summary>
    public static void RemoveFirst(Span<SackBlock> ranges, ref int count, int k, Span<long> stamps)
    {
        if (k <= 0)
        {
            return;
        }
        ranges[k..count].CopyTo(ranges);
        if (!stamps.IsEmpty)
        {
            stamps[k..count].CopyTo(stamps);
        }
        count -= k;
    }
}
