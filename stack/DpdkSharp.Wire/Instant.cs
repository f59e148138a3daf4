using System.Diagnostics;
using System.Globalization;

namespace DpdkSharp.Wire;

/// <summary>
/// A point in time on a monotonic clock, in nanoseconds: the one time type of the stack's sans-IO
/// cores, which never read a clock themselves. Drivers (a reactor, a test, a simulator) choose the
/// clock and pass the time in: <see cref="FromStopwatch"/> in production, any counter in tests.
/// </summary>
public readonly record struct Instant(long Nanoseconds) : IComparable<Instant>, IComparable
{
    /// <summary>Later than any time a clock reaches: "no deadline".</summary>
    public static Instant Never { get; } = new(long.MaxValue);

    /// <summary>The zero of the clock (tests start here).</summary>
    public static Instant Zero => default;

    private static readonly double s_nanosecondsPerTick = 1e9 / Stopwatch.Frequency;

    /// <summary>The current time on <see cref="Stopwatch"/>'s monotonic clock.</summary>
    public static Instant FromStopwatch() => new((long)(Stopwatch.GetTimestamp() * s_nanosecondsPerTick));

    /// <summary>An instant <paramref name="milliseconds"/> after <see cref="Zero"/> (for tests and simulators).</summary>
    public static Instant FromMilliseconds(long milliseconds) => new(milliseconds * 1_000_000);

    /// <summary>The later of two instants.</summary>
    public static Instant Max(Instant a, Instant b) => a.Nanoseconds >= b.Nanoseconds ? a : b;

    /// <summary>The earlier of two instants.</summary>
    public static Instant Min(Instant a, Instant b) => a.Nanoseconds <= b.Nanoseconds ? a : b;

    /// <summary>The instant <paramref name="span"/> later; saturates at <see cref="Never"/>.</summary>
    public static Instant operator +(Instant at, TimeSpan span)
    {
        long ns = span.Ticks * TimeSpan.NanosecondsPerTick;
        return at.Nanoseconds > long.MaxValue - ns ? Never : new Instant(at.Nanoseconds + ns);
    }

    /// <summary>The time from <paramref name="earlier"/> to <paramref name="later"/> (negative when it is not later), in 100 ns ticks.</summary>
    public static TimeSpan operator -(Instant later, Instant earlier) =>
        TimeSpan.FromTicks((later.Nanoseconds - earlier.Nanoseconds) / TimeSpan.NanosecondsPerTick);

    /// <summary>Whether <paramref name="a"/> is earlier.</summary>
    public static bool operator <(Instant a, Instant b) => a.Nanoseconds < b.Nanoseconds;

    /// <summary>Whether <paramref name="a"/> is later.</summary>
    public static bool operator >(Instant a, Instant b) => a.Nanoseconds > b.Nanoseconds;

    /// <summary>Whether <paramref name="a"/> is earlier or the same.</summary>
    public static bool operator <=(Instant a, Instant b) => a.Nanoseconds <= b.Nanoseconds;

    /// <summary>Whether <paramref name="a"/> is later or the same.</summary>
    public static bool operator >=(Instant a, Instant b) => a.Nanoseconds >= b.Nanoseconds;

    /// <inheritdoc/>
    public int CompareTo(Instant other) => Nanoseconds.CompareTo(other.Nanoseconds);

    /// <inheritdoc/>
    public int CompareTo(object? obj) => obj is Instant other ? CompareTo(other)
        : throw new ArgumentException($"Expected an {nameof(Instant)}.", nameof(obj));

    /// <summary>Seconds with nanosecond digits, or "never".</summary>
    public override string ToString() =>
        this == Never ? "never" : (Nanoseconds / 1e9).ToString("0.000000000", CultureInfo.InvariantCulture) + " s";
}
