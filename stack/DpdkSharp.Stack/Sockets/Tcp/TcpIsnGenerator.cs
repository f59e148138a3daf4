namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// Initial sequence numbers as RFC 6528 §3 has them: ISN = M + F(localip, localport, remoteip,
/// remoteport, secretkey), M a timer that ticks every 4 µs (RFC 9293 §3.4.1), F a keyed hash.
/// </summary>
/// <remarks>
/// Within one connection's 4-tuple the ISNs of successive incarnations increase with the clock,
/// so old duplicates of a previous incarnation fall outside the new one's window (RFC 9293
/// §3.4.1); across tuples they are unrelated, so an off-path attacker cannot guess one from
/// another connection (RFC 6528 §1).
/// </remarks>
internal sealed class TcpIsnGenerator
{
    private const byte Domain = 1;
    private const long NanosecondsPerTick = 4_000; // RFC 9293 §3.4.1, RFC 6528 §3: a 4-µs timer

    private readonly byte[] _key;

    /// <summary>A generator with a random secret key (RFC 6528 §3: chosen at boot).</summary>
    public TcpIsnGenerator()
        : this(null)
    {
    }

    /// <summary>A generator with this key (at least 16 bytes), or a random one when null; a fixed key makes tests deterministic.</summary>
    public TcpIsnGenerator(byte[]? key) => _key = TcpTupleHash.KeyOrRandom(key);

    /// <summary>The ISN for a new connection of this 4-tuple at <paramref name="now"/>.</summary>
    public SequenceNumber Next(in TcpTuple tuple, Instant now)
    {
        uint m = unchecked((uint)(now.Nanoseconds / NanosecondsPerTick));
        uint f = unchecked((uint)TcpTupleHash.Compute(_key, Domain, in tuple, 0));
        return new SequenceNumber(unchecked(m + f));
    }
}
