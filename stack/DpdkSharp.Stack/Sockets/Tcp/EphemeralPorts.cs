namespace DpdkSharp.Stack.Sockets;

/// <summary>Whether a candidate local port can be used (a struct, so the port search allocates nothing).</summary>
/// <remarks>
/// For TCP the question is about the whole 4-tuple: a local port already connected to another
/// remote endpoint can be used again (RFC 6056 §2.2). The implementation knows the remote end.
/// </remarks>
internal interface IPortInUse
{
    /// <summary>True when <paramref name="port"/> cannot be used for the connection being made.</summary>
    bool IsInUse(ushort port);
}

/// <summary>
/// Ephemeral port selection by RFC 6056 §3.3.4, Algorithm 4 ("double-hash port selection"):
/// the search starts at an offset that a keyed hash of (local address, remote address, remote
/// port) gives, plus a perturbation counter, one of 256, picked by a second hash and bumped
/// at every try.
/// </summary>
/// <remarks>
/// <para>Off-path attackers cannot guess the port of a connection from another one's (the
/// offset is keyed), while successive connections to the same remote end take successive
/// ports, so a port is not reused for the same tuple soon after (the counter), and connections
/// to other remote ends mostly use other counters (RFC 6056 §3.3.4).</para>
/// <para>Both hashes come from one keyed hash (<see cref="TcpTupleHash"/>): the offset from its
/// first 32 bits, the counter index from the next 8, independent as two keys would make them.
/// The counters start at values derived from the key (the RFC's random values at boot), so a
/// given key gives the same ports every time.</para>
/// <para>The counters change at every allocation: one instance per interface core, used by
/// its thread only.</para>
/// </remarks>
internal sealed class EphemeralPorts
{
    private const int TableLength = 256;
    private const byte OffsetDomain = 2;
    private const byte TableDomain = 3;

    private readonly ushort _first;
    private readonly int _count;
    private readonly byte[] _key;
    private readonly int[] _table = new int[TableLength]; // kept modulo the range size

    /// <param name="first">The lowest port of the range (Linux's ip_local_port_range default: 32768).</param>
    /// <param name="last">The highest port of the range (Linux: 60999).</param>
    /// <param name="key">The secret key (at least 16 bytes); random when null.</param>
    public EphemeralPorts(ushort first = 32768, ushort last = 60999, byte[]? key = null)
    {
        ArgumentOutOfRangeException.ThrowIfZero(first);
        ArgumentOutOfRangeException.ThrowIfLessThan(last, first);
        _first = first;
        _count = last - first + 1;
        _key = TcpTupleHash.KeyOrRandom(key);
        for (int i = 0; i < TableLength; i++)
        {
            _table[i] = (int)(TcpTupleHash.Compute(_key, TableDomain, [], 0, [], 0, (uint)i) % (uint)_count);
        }
    }

    /// <summary>The lowest port handed out.</summary>
    public ushort First => _first;

    /// <summary>The highest port handed out.</summary>
    public ushort Last => (ushort)(_first + _count - 1);

    /// <summary>
    /// Picks a local port for a connection from <paramref name="localAddress"/> to
    /// <paramref name="remoteAddress"/>:<paramref name="remotePort"/> that
    /// <paramref name="inUse"/> accepts; false when every port of the range is taken.
    /// </summary>
    public bool TryAllocate<TInUse>(IpAddress localAddress, IpAddress remoteAddress, ushort remotePort, ref TInUse inUse, out ushort port)
        where TInUse : struct, IPortInUse
    {
        // The local port is what is being chosen: the tuple goes in with port 0.
        ulong hash = TcpTupleHash.Compute(_key, OffsetDomain, new TcpTuple(localAddress, 0, remoteAddress, remotePort), 0);
        int offset = (int)((uint)hash % (uint)_count);      // F(local_IP, remote_IP, remote_port, secret_key1)
        int index = (int)(hash >> 32) & (TableLength - 1); // G(local_IP, remote_IP, remote_port, secret_key2)
        for (int tries = 0; tries < _count; tries++)
        {
            // port = min_ephemeral + (offset + table[index]) % num_ephemeral; table[index]++.
            // Both terms are kept below num_ephemeral, so the sum never wraps and the tries
            // visit every port of the range exactly once.
            int candidate = offset + _table[index];
            candidate -= candidate >= _count ? _count : 0;
            _table[index] = _table[index] + 1 == _count ? 0 : _table[index] + 1;
            port = (ushort)(_first + candidate);
            if (!inUse.IsInUse(port))
            {
                return true;
            }
        }
        port = 0;
        return false;
    }
}
