namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// SYN cookies (RFC 4987 §3.6), encoded as Linux does (net/ipv4/syncookies.c): a listener under
/// a SYN flood answers with a SYN-ACK whose sequence number carries all it needs to know, and
/// keeps no state until the final ACK of the handshake brings the cookie back.
/// </summary>
/// <remarks>
/// <para>The cookie (Linux's <c>secure_tcp_syn_cookie</c>) is
/// H1(tuple) + peer ISN + (count &lt;&lt; 24) + ((H2(tuple, count) + MSS index) mod 2²⁴): the
/// top 8 bits say when it was made, the low 24 bits carry the MSS index under a keyed hash, and
/// the whole is hidden by H1 and the peer's ISN. H1 and H2 are one keyed hash with two domains
/// (<see cref="TcpTupleHash"/>), where Linux uses SipHash with two keys.</para>
/// <para>The count advances every 64 s; a cookie is accepted during the count it was made in
/// and the next one (Linux's MAX_SYNCOOKIE_AGE of 2), so it lives between 64 and 128 s.
/// Linux's period is 60 s.</para>
/// <para>The MSS is one of four values (Linux's msstab): the largest not above the peer's,
/// and 536 when the peer's is lower still (the RFC 9293 §3.7.1 default every host takes).
/// Options the cookie cannot hold travel in the low 6 bits of our timestamp, which the peer
/// echoes (Linux's <c>cookie_init_timestamp</c>), when the peer sent timestamps.</para>
/// </remarks>
internal sealed class SynCookies
{
    /// <summary>How long one count lasts.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(64);

    /// <summary>How many counts a cookie is valid for: the one it was made in and the next.</summary>
    public const int MaxAge = 2;

    private const int CountBits = 24;                      // Linux COOKIEBITS
    private const uint CookieMask = (1u << CountBits) - 1; // Linux COOKIEMASK
    private const byte TupleDomain = 4;
    private const byte CountDomain = 5;
    private const int TimestampBits = 6;                   // Linux TSBITS
    private const uint TimestampMask = (1u << TimestampBits) - 1;
    private const uint WindowScaleMask = 0xF;              // Linux TS_OPT_WSCALE_MASK: 0xF is "no window scaling"
    private const uint SackBit = 1u << 4;                  // Linux TS_OPT_SACK

    // A static array, not a collection expression behind the span: that one allocates on every read for ushort.
    private static readonly ushort[] s_mssTable = [536, 1300, 1440, 1460];

    private readonly byte[] _key;

    /// <summary>Cookies with this key (at least 16 bytes), or a random one when null.</summary>
    public SynCookies(byte[]? key = null) => _key = TcpTupleHash.KeyOrRandom(key);

    /// <summary>The MSS values a cookie can carry (Linux's msstab; 1440 covers PPPoE's 1452).</summary>
    public static ReadOnlySpan<ushort> MssTable => s_mssTable;

    /// <summary>
    /// The sequence number of the SYN-ACK answering a SYN with sequence number
    /// <paramref name="peerIsn"/> and MSS option <paramref name="peerMss"/>;
    /// <paramref name="encodedMss"/> is the MSS the connection will use.
    /// </summary>
    public SequenceNumber Create(in TcpTuple tuple, SequenceNumber peerIsn, ushort peerMss, Instant now, out ushort encodedMss)
    {
        ReadOnlySpan<ushort> table = MssTable;
        int index = table.Length - 1;
        while (index > 0 && peerMss < table[index])
        {
            index--;
        }
        encodedMss = table[index];

        uint count = Count(now);
        uint h1 = Hash(TupleDomain, in tuple, 0);
        uint h2 = Hash(CountDomain, in tuple, count);
        return new SequenceNumber(unchecked(h1 + peerIsn.Value + (count << CountBits) + ((h2 + (uint)index) & CookieMask)));
    }

    /// <summary>
    /// Checks the cookie a final ACK brings back (<paramref name="cookie"/> = its acknowledgment
    /// number − 1, <paramref name="peerIsn"/> = its sequence number − 1, Linux's
    /// <c>check_tcp_syn_cookie</c>): true, with the MSS it carries, when this listener made it
    /// for this tuple no more than <see cref="MaxAge"/> counts ago.
    /// </summary>
    public bool TryValidate(in TcpTuple tuple, SequenceNumber peerIsn, SequenceNumber cookie, Instant now, out ushort mss)
    {
        mss = 0;
        uint h1 = Hash(TupleDomain, in tuple, 0);
        uint rest = unchecked(cookie.Value - (h1 + peerIsn.Value)); // (count << 24) + ((H2 + index) mod 2^24)
        uint count = Count(now);
        uint age = unchecked(count - (rest >> CountBits)) & (uint.MaxValue >> CountBits);
        if (age >= MaxAge)
        {
            return false; // too old, or from the future
        }
        uint h2 = Hash(CountDomain, in tuple, unchecked(count - age));
        uint index = unchecked(rest - h2) & CookieMask;
        ReadOnlySpan<ushort> table = MssTable;
        if (index >= (uint)table.Length)
        {
            return false; // forged or for another tuple: all but 4 in 2^24 values fail here
        }
        mss = table[(int)index];
        return true;
    }

    /// <summary>
    /// Our TSval for the SYN-ACK with the peer's SYN options in its low 6 bits (Linux's
    /// <c>cookie_init_timestamp</c>): window scale in 4 bits (0xF: none; RFC 7323 §2.3 caps a
    /// shift at 14), SACK-permitted in 1; Linux's ECN bit (bit 5) stays clear, as this stack does not
    /// negotiate ECN. The result is never later than <paramref name="tsval"/>
    /// (64 earlier when the bits would raise it), so our timestamps stay monotonic for the
    /// peer's PAWS check (RFC 7323 §5).
    /// </summary>
    public static uint EncodeTimestamp(uint tsval, byte? windowScale, bool sackPermitted)
    {
        uint options = windowScale is byte shift ? Math.Min(shift, (uint)TcpOptions.MaxWindowScale) : WindowScaleMask;
        if (sackPermitted)
        {
            options |= SackBit;
        }
        uint encoded = (tsval & ~TimestampMask) | options;
        return encoded > tsval ? unchecked(encoded - (1u << TimestampBits)) : encoded;
    }

    /// <summary>The options <see cref="EncodeTimestamp"/> put in a TSval the final ACK echoes (its TSecr).</summary>
    public static void DecodeTimestamp(uint echoedTsval, out byte? windowScale, out bool sackPermitted)
    {
        uint shift = echoedTsval & WindowScaleMask;
        windowScale = shift == WindowScaleMask ? null : (byte)Math.Min(shift, (uint)TcpOptions.MaxWindowScale);
        sackPermitted = (echoedTsval & SackBit) != 0;
    }

    private static uint Count(Instant now) => unchecked((uint)(now.Nanoseconds / (Period.Ticks * TimeSpan.NanosecondsPerTick)));

    private uint Hash(byte domain, in TcpTuple tuple, uint count) => unchecked((uint)TcpTupleHash.Compute(_key, domain, in tuple, count));
}
