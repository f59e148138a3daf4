namespace DpdkSharp.Stack.Sockets;

/// <summary>TCP settings of one interface (all its connections and listeners): bounds and defenses.</summary>
public sealed record TcpStackOptions
{
    /// <summary>Most connections (every state but LISTEN); SYNs beyond it get SYN cookies, connects fail with TooManyEndpoints.</summary>
    public int MaxConnections { get; init; } = 65536;

    /// <summary>
    /// Bytes all send and receive queues together may grow to: the bound is on growth. At it, receive-window
    /// autotuning and send-queue growth stop (counted in <see cref="TcpCounters.MemoryPressure"/>); a
    /// connection's initial queues (<see cref="TcpSocketOptions.SendBufferSize"/> and
    /// <see cref="TcpSocketOptions.ReceiveBufferSize"/>) are always granted, even past it, since a connection
    /// cannot exist without them, so the total can exceed the bound by those. <see cref="MaxConnections"/>
    /// bounds that part.
    /// </summary>
    public long MemoryLimit { get; init; } = 1L << 30;

    /// <summary>Answer SYNs with SYN cookies when a listener's SYN queue is full (RFC 4987 §3.6), as Linux does.</summary>
    public bool SynCookies { get; init; } = true;

    /// <summary>Challenge ACKs per second, for the whole interface (RFC 5961 §7).</summary>
    public int ChallengeAcksPerSecond { get; init; } = 1000;

    /// <summary>The lowest ephemeral port (RFC 6056 §2.1; Linux's default range is 32768–60999).</summary>
    public ushort EphemeralPortFirst { get; init; } = 32768;

    /// <summary>The highest ephemeral port.</summary>
    public ushort EphemeralPortLast { get; init; } = 60999;

    /// <summary>
    /// The secret key of ISNs, SYN cookies and ephemeral ports (at least 16 bytes); null (the
    /// default) for a random one. Tests fix it so that a seeded simulation replays exactly.
    /// </summary>
    internal byte[]? SecretKey { get; init; }

    /// <summary>Settings for connections that are given none.</summary>
    public TcpSocketOptions DefaultSocketOptions { get; init; } = TcpSocketOptions.Default;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for settings the table cannot use.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConnections, 1, nameof(MaxConnections));
        ArgumentOutOfRangeException.ThrowIfLessThan(MemoryLimit, 0, nameof(MemoryLimit));
        ArgumentOutOfRangeException.ThrowIfLessThan(ChallengeAcksPerSecond, 1, nameof(ChallengeAcksPerSecond));
        ArgumentOutOfRangeException.ThrowIfZero(EphemeralPortFirst, nameof(EphemeralPortFirst));
        ArgumentOutOfRangeException.ThrowIfLessThan(EphemeralPortLast, EphemeralPortFirst, nameof(EphemeralPortLast));
        DefaultSocketOptions.Validate();
    }
}
