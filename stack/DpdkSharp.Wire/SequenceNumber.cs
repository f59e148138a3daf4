namespace DpdkSharp.Wire;

/// <summary>
/// A TCP sequence number: 32 bits that wrap, compared with serial-number arithmetic (RFC 9293 §3.4,
/// RFC 1982 §3.2): <c>a &lt; b</c> when <c>b</c> is less than 2^31 ahead of <c>a</c> modulo 2^32.
/// </summary>
public readonly record struct SequenceNumber(uint Value) : IComparable<SequenceNumber>
{
    /// <summary>The number <paramref name="count"/> octets later (wraps).</summary>
    public static SequenceNumber operator +(SequenceNumber s, int count) => new(unchecked(s.Value + (uint)count));

    /// <summary>The number <paramref name="count"/> octets earlier (wraps).</summary>
    public static SequenceNumber operator -(SequenceNumber s, int count) => new(unchecked(s.Value - (uint)count));

    /// <summary>How far <paramref name="a"/> is after <paramref name="b"/>, as a signed distance (negative: before).</summary>
    public static int operator -(SequenceNumber a, SequenceNumber b) => unchecked((int)(a.Value - b.Value));

    /// <summary>Whether <paramref name="a"/> comes before <paramref name="b"/>.</summary>
    public static bool operator <(SequenceNumber a, SequenceNumber b) => a - b < 0;

    /// <summary>Whether <paramref name="a"/> comes after <paramref name="b"/>.</summary>
    public static bool operator >(SequenceNumber a, SequenceNumber b) => a - b > 0;

    /// <summary>Whether <paramref name="a"/> comes before or is <paramref name="b"/>.</summary>
    public static bool operator <=(SequenceNumber a, SequenceNumber b) => a - b <= 0;

    /// <summary>Whether <paramref name="a"/> comes after or is <paramref name="b"/>.</summary>
    public static bool operator >=(SequenceNumber a, SequenceNumber b) => a - b >= 0;

    /// <summary>Whether this lies in [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>) (the acceptability tests of RFC 9293 §3.10.7.4).</summary>
    public bool IsInWindow(SequenceNumber start, uint length) => unchecked(Value - start.Value) < length;

    /// <inheritdoc/>
    public int CompareTo(SequenceNumber other) => Math.Sign(this - other);

    /// <summary>The number in decimal.</summary>
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
