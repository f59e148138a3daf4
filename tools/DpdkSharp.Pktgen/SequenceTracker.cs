using System.Runtime.CompilerServices;

namespace DpdkSharp.Pktgen;

/// <summary>What a sequence number is, given what its flow had before.</summary>
public enum SequenceVerdict
{
    /// <summary>The next or a later one (a gap is lost or late, not known yet).</summary>
    InOrder,
    /// <summary>An earlier one not seen before, inside the window: reordered.</summary>
    Reordered,
    /// <summary>Seen before, inside the window.</summary>
    Duplicate,
    /// <summary>Older than the window: reordered or duplicated, no longer tellable which.</summary>
    TooOld,
}

/// <summary>
/// Sequence tracking per flow with a bounded window (the last 64 numbers), like IPsec's anti-replay window:
/// the highest number seen and a bitmap of which of the 63 before it arrived. Owned by one worker; no locks.
/// </summary>
public sealed class SequenceTracker
{
    /// <summary>How far back (in sequence numbers) duplicates and reordering are told apart.</summary>
    public const int Window = 64;

    private readonly uint[] _highest;
    private readonly ulong[] _seen; // bit i: highest - i arrived; 0 before the flow's first packet

    /// <summary>A tracker for flows 0..<paramref name="flows"/>-1.</summary>
    public SequenceTracker(int flows)
    {
        _highest = new uint[flows];
        _seen = new ulong[flows];
    }

    /// <summary>The number of flows tracked.</summary>
    public int Flows => _highest.Length;

    /// <summary>Records <paramref name="sequence"/> of <paramref name="flow"/> (in range: the caller checked).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public SequenceVerdict Record(int flow, uint sequence)
    {
        ref var seen = ref _seen[flow];
        ref var highest = ref _highest[flow];
        if (seen == 0)
        {
            highest = sequence;
            seen = 1;
            return SequenceVerdict.InOrder;
        }

        // Serial number arithmetic (RFC 1982): numbers wrap at 2^32.
        var ahead = (int)(sequence - highest);
        if (ahead > 0)
        {
            seen = ahead >= Window ? 1 : (seen << ahead) | 1;
            highest = sequence;
            return SequenceVerdict.InOrder;
        }

        var behind = -(long)ahead;
        if (behind >= Window)
        {
            return SequenceVerdict.TooOld;
        }

        var bit = 1UL << (int)behind;
        if ((seen & bit) != 0)
        {
            return SequenceVerdict.Duplicate;
        }

        seen |= bit;
        return SequenceVerdict.Reordered;
    }
}
