using System.Runtime.CompilerServices;
using DpdkSharp.Interop;
using DpdkSharp.Runtime.Native;

namespace DpdkSharp.Runtime;

/// <summary>
/// An IPv4 longest-prefix-match table (<c>rte_lpm</c>): routes of (address, depth) to a 24-bit next hop.
/// Addresses are host-order integers (10.0.0.1 is 0x0A000001), as DPDK takes them. Owned by this object.
/// </summary>
public sealed unsafe class Lpm : IDisposable
{
    /// <summary>Largest next hop (24 bits).</summary>
    public const uint MaxNextHop = (1u << 24) - 1;

    private rte_lpm* _lpm;

    private Lpm(rte_lpm* lpm, string name)
    {
        _lpm = lpm;
        Name = name;
    }

    /// <summary>The table's name.</summary>
    public string Name { get; }

    /// <summary>The raw table.</summary>
    public rte_lpm* Pointer => _lpm != null ? _lpm : throw new ObjectDisposedException(nameof(Lpm), $"LPM '{Name}' was disposed.");

    /// <summary>Creates a table (<c>rte_lpm_create</c>) for <paramref name="maxRules"/> routes and <paramref name="tbl8Groups"/> groups for prefixes longer than 24.</summary>
    public static Lpm Create(string name, int maxRules, int tbl8Groups = 256, int socketId = Dpdk.SOCKET_ID_ANY)
    {
        Eal.EnsureInitialized();
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRules, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(tbl8Groups, 1);
        var config = new rte_lpm_config { max_rules = (uint)maxRules, number_tbl8s = (uint)tbl8Groups };
        rte_lpm* lpm;
        using (var native = new Utf8String(name))
        {
            lpm = Dpdk.rte_lpm_create(native.Pointer, socketId, &config);
        }

        if (lpm == null)
        {
            throw DpdkException.FromErrno("rte_lpm_create", $"LPM '{name}', {maxRules} rules, {tbl8Groups} tbl8 groups");
        }

        return new Lpm(lpm, name);
    }

    /// <summary>Adds or replaces the route <paramref name="address"/>/<paramref name="depth"/> → <paramref name="nextHop"/>.</summary>
    /// <exception cref="DpdkException">The table is full (ENOSPC).</exception>
    public void Add(uint address, int depth, uint nextHop)
    {
        CheckDepth(depth);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nextHop, MaxNextHop);
        DpdkException.Check(Dpdk.rte_lpm_add(Pointer, address, (byte)depth, nextHop), "rte_lpm_add", $"LPM '{Name}', {address:X8}/{depth}");
    }

    /// <summary>Removes the route <paramref name="address"/>/<paramref name="depth"/>; false when there was none.</summary>
    public bool Delete(uint address, int depth)
    {
        CheckDepth(depth);
        return Dpdk.rte_lpm_delete(Pointer, address, (byte)depth) == 0;
    }

    /// <summary>Removes every route.</summary>
    public void Clear() => Dpdk.rte_lpm_delete_all(Pointer);

    /// <summary>The next hop of the longest prefix matching <paramref name="address"/> (<c>rte_lpm_lookup</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryLookup(uint address, out uint nextHop)
    {
        uint hop;
        var rc = Dpdk.rte_lpm_lookup(Pointer, address, &hop);
        nextHop = hop;
        return rc == 0;
    }

    /// <summary>Looks up many addresses (<c>rte_lpm_lookup_bulk</c>): next hops, -1 where no route matches. Returns the number matched.</summary>
    public int LookupBulk(ReadOnlySpan<uint> addresses, Span<int> nextHops)
    {
        if (nextHops.Length < addresses.Length)
        {
            throw new ArgumentException("nextHops must be at least as long as addresses.", nameof(nextHops));
        }

        fixed (uint* ips = addresses)
        fixed (int* hops = nextHops)
        {
            DpdkException.Check(Dpdk.rte_lpm_lookup_bulk_func(Pointer, ips, (uint*)hops, (uint)addresses.Length), "rte_lpm_lookup_bulk_func");
        }

        var found = 0;
        for (var i = 0; i < addresses.Length; i++)
        {
            // Each entry carries RTE_LPM_LOOKUP_SUCCESS above the 24-bit next hop.
            var raw = (uint)nextHops[i];
            if ((raw & Dpdk.RTE_LPM_LOOKUP_SUCCESS) != 0)
            {
                nextHops[i] = (int)(raw & MaxNextHop);
                found++;
            }
            else
            {
                nextHops[i] = -1;
            }
        }
        return found;
    }

    private static void CheckDepth(int depth)
    {
        if (depth is < 1 or > Dpdk.RTE_LPM_MAX_DEPTH)
        {
            throw new ArgumentOutOfRangeException(nameof(depth), depth, $"IPv4 prefix depth must be 1 to {Dpdk.RTE_LPM_MAX_DEPTH}.");
        }
    }

    /// <summary>Frees the table (<c>rte_lpm_free</c>).</summary>
    public void Dispose()
    {
        if (_lpm == null)
        {
            return;
        }

        Dpdk.rte_lpm_free(_lpm);
        _lpm = null;
    }
}

/// <summary>An IPv6 longest-prefix-match table (<c>rte_lpm6</c>); addresses are 16 bytes in network order.</summary>
public sealed unsafe class Lpm6 : IDisposable
{
    private rte_lpm6* _lpm;

    private Lpm6(rte_lpm6* lpm, string name)
    {
        _lpm = lpm;
        Name = name;
    }

    /// <summary>The table's name.</summary>
    public string Name { get; }

    /// <summary>The raw table.</summary>
    public rte_lpm6* Pointer => _lpm != null ? _lpm : throw new ObjectDisposedException(nameof(Lpm6), $"LPM6 '{Name}' was disposed.");

    /// <summary>Creates a table (<c>rte_lpm6_create</c>).</summary>
    public static Lpm6 Create(string name, int maxRules, int tbl8Groups = 1 << 16, int socketId = Dpdk.SOCKET_ID_ANY)
    {
        Eal.EnsureInitialized();
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRules, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(tbl8Groups, 1);
        var config = new rte_lpm6_config { max_rules = (uint)maxRules, number_tbl8s = (uint)tbl8Groups };
        rte_lpm6* lpm;
        using (var native = new Utf8String(name))
        {
            lpm = Dpdk.rte_lpm6_create(native.Pointer, socketId, &config);
        }

        if (lpm == null)
        {
            throw DpdkException.FromErrno("rte_lpm6_create", $"LPM6 '{name}', {maxRules} rules, {tbl8Groups} tbl8 groups");
        }

        return new Lpm6(lpm, name);
    }

    /// <summary>Adds or replaces the route <paramref name="address"/>/<paramref name="depth"/> → <paramref name="nextHop"/>.</summary>
    public void Add(ReadOnlySpan<byte> address, int depth, uint nextHop)
    {
        CheckAddress(address, depth);
        fixed (byte* ip = address)
        {
            DpdkException.Check(Dpdk.lpm6_add(Pointer, ip, (byte)depth, nextHop), "rte_lpm6_add", $"LPM6 '{Name}', depth {depth}");
        }
    }

    /// <summary>Removes a route; false when there was none.</summary>
    public bool Delete(ReadOnlySpan<byte> address, int depth)
    {
        CheckAddress(address, depth);
        fixed (byte* ip = address)
        {
            return Dpdk.lpm6_delete(Pointer, ip, (byte)depth) == 0;
        }
    }

    /// <summary>The next hop of the longest prefix matching <paramref name="address"/>.</summary>
    public bool TryLookup(ReadOnlySpan<byte> address, out uint nextHop)
    {
        CheckAddress(address, 1);
        uint hop;
        int rc;
        fixed (byte* ip = address)
        {
            rc = Dpdk.lpm6_lookup(Pointer, ip, &hop);
        }

        nextHop = hop;
        return rc == 0;
    }

    /// <summary>Looks up many addresses (16 bytes each, back to back): next hops, -1 where none matches. Returns the number matched.</summary>
    public int LookupBulk(ReadOnlySpan<byte> addresses, Span<int> nextHops)
    {
        if (addresses.Length % 16 != 0)
        {
            throw new ArgumentException("Addresses are 16 bytes each.", nameof(addresses));
        }

        var n = addresses.Length / 16;
        if (nextHops.Length < n)
        {
            throw new ArgumentException("nextHops must hold one entry per address.", nameof(nextHops));
        }

        fixed (byte* ips = addresses)
        fixed (int* hops = nextHops)
        {
            // C takes contiguous 16-byte addresses (uint8_t[][16], or struct rte_ipv6_addr from 24.11).
            DpdkException.Check(Dpdk.lpm6_lookup_bulk(Pointer, ips, hops, (uint)n), "rte_lpm6_lookup_bulk_func");
        }

        var found = 0;
        foreach (var hop in nextHops[..n])
        {
            if (hop >= 0)
            {
                found++;
            }
        }

        return found;
    }

    private static void CheckAddress(ReadOnlySpan<byte> address, int depth)
    {
        if (address.Length != 16)
        {
            throw new ArgumentException("An IPv6 address is 16 bytes.", nameof(address));
        }

        if (depth is < 1 or > Dpdk.RTE_LPM6_MAX_DEPTH)
        {
            throw new ArgumentOutOfRangeException(nameof(depth), depth, $"IPv6 prefix depth must be 1 to {Dpdk.RTE_LPM6_MAX_DEPTH}.");
        }
    }

    /// <summary>Frees the table (<c>rte_lpm6_free</c>).</summary>
    public void Dispose()
    {
        if (_lpm == null)
        {
            return;
        }

        Dpdk.rte_lpm6_free(_lpm);
        _lpm = null;
    }
}
