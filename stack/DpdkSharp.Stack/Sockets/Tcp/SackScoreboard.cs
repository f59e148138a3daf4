namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// The sender's record of what the peer holds above SND.UNA, from SACK blocks (RFC 6675 §3,
/// "scoreboard"): sorted, disjoint ranges. It answers the questions RFC 6675's loss recovery asks:
/// how much is SACKed, what is lost (IsLost), where the next hole is (NextSeg).
/// </summary>
internal sealed class SackScoreboard
{
    /// <summary>Most ranges tracked; further blocks are ignored (the peer resends them while they matter).</summary>
    public const int MaxRanges = 32;

    /// <summary>RFC 6675 §2 DupThresh.</summary>
    public const int DupThresh = 3;

    private readonly SackBlock[] _ranges = new SackBlock[MaxRanges];
    private int _count;

    /// <summary>Bytes SACKed above SND.UNA.</summary>
    public int SackedBytes { get; private set; }

    /// <summary>Whether anything is SACKed.</summary>
    public bool IsEmpty => _count == 0;

    /// <summary>The highest SACKed sequence number (RFC 6675 HighACK's counterpart, "HighSACK"), or <paramref name="una"/> when none.</summary>
    public SequenceNumber HighSacked(SequenceNumber una) => _count == 0 ? una : _ranges[_count - 1].Right;

    /// <summary>
    /// Records a block from the peer. Ignored when it is not within (<paramref name="una"/>,
    /// <paramref name="sndMax"/>] (a D-SACK of old data, RFC 2883, or a bogus block: RFC 2018 §8
    /// lets a sender ignore SACK information it cannot use). Returns whether it added new bytes.
    /// </summary>
    public bool Add(SackBlock block, SequenceNumber una, SequenceNumber sndMax)
    {
        var left = block.Left;
        var right = block.Right;
        if (right <= left || left < una || right > sndMax)
        {
            return false;
        }
        if (SequenceRanges.Insert(_ranges, ref _count, left, right, [], 0, out int mergedBytes) is int index and >= 0)
        {
            int added = (_ranges[index].Right - _ranges[index].Left) - mergedBytes;
            SackedBytes += added;
            return added > 0;
        }
        return false;
    }

    /// <summary>Forgets what lies below the new SND.UNA.</summary>
    public void Acknowledge(SequenceNumber una)
    {
        int k = 0;
        while (k < _count && _ranges[k].Right <= una)
        {
            SackedBytes -= _ranges[k].Right - _ranges[k].Left;
            k++;
        }
        SequenceRanges.RemoveFirst(_ranges, ref _count, k, []);
        if (_count > 0 && _ranges[0].Left < una)
        {
            SackedBytes -= una - _ranges[0].Left;
            _ranges[0] = new SackBlock(una, _ranges[0].Right);
        }
    }

    /// <summary>Forgets everything (RFC 2018 §8: after a retransmission timeout the SACKed bits are turned off).</summary>
    public void Clear()
    {
        _count = 0;
        SackedBytes = 0;
    }

    /// <summary>
    /// The sequence number below which every un-SACKed byte counts as lost (RFC 6675 §4 IsLost):
    /// the point with more than (DupThresh − 1)·MSS bytes SACKed above it, or DupThresh separate
    /// SACKed ranges above it. <paramref name="una"/> when nothing is lost.
    /// </summary>
    public SequenceNumber LostBoundary(SequenceNumber una, int mss)
    {
        int bytes = 0;
        for (int i = _count - 1; i >= 0; i--)
        {
            bytes += _ranges[i].Right - _ranges[i].Left;
            int ranges = _count - i;
            if (bytes > (DupThresh - 1) * mss || ranges >= DupThresh)
            {
                return _ranges[i].Left;
            }
        }
        return una;
    }

    /// <summary>
    /// The first un-SACKed byte at or after <paramref name="from"/> and before <paramref name="limit"/>,
    /// with the length of its hole (bounded by <paramref name="limit"/>); false when there is none.
    /// </summary>
    public bool NextHole(SequenceNumber from, SequenceNumber limit, out SequenceNumber start, out int length)
    {
        start = from;
        for (int i = 0; i < _count; i++)
        {
            if (_ranges[i].Right <= start)
            {
                continue;
            }
            if (_ranges[i].Left <= start)
            {
                start = _ranges[i].Right;
                continue;
            }
            break;
        }
        if (start >= limit)
        {
            length = 0;
            return false;
        }
        var end = limit;
        for (int i = 0; i < _count; i++)
        {
            if (_ranges[i].Left > start)
            {
                if (_ranges[i].Left < end)
                {
                    end = _ranges[i].Left;
                }
                break;
            }
        }
        length = end - start;
        return true;
    }

    /// <summary>Whether <paramref name="seq"/> is SACKed; if so, where its SACKed range ends.</summary>
    public bool TryGetSackedRange(SequenceNumber seq, out SequenceNumber end)
    {
        for (int i = 0; i < _count; i++)
        {
            if (_ranges[i].Left <= seq && seq < _ranges[i].Right)
            {
                end = _ranges[i].Right;
                return true;
            }
        }
        end = seq;
        return false;
    }

    /// <summary>Bytes SACKed within [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public int SackedBetween(SequenceNumber from, SequenceNumber to)
    {
        int bytes = 0;
        for (int i = 0; i < _count; i++)
        {
            var l = _ranges[i].Left > from ? _ranges[i].Left : from;
            var r = _ranges[i].Right < to ? _ranges[i].Right : to;
            if (r > l)
            {
                bytes += r - l;
            }
        }
        return bytes;
    }
}
