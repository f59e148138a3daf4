using System.Runtime.CompilerServices;

namespace DpdkSharp.Stack.Interface;

/// <summary>How a route was made: connected subnets come from interface addresses, the rest from configuration.</summary>
public enum RouteKind
{
    /// <summary>The subnet of an interface address.</summary>
    Connected,
    /// <summary>Configured.</summary>
    Static,
    /// <summary>The default gateway.</summary>
    Default,
}

/// <summary>
/// One IPv4 route (RFC 1812 §5.2.4.3 "Next Hop Address": longest prefix match). A gateway of
/// <see cref="Ipv4Address.Any"/> means the destination is on-link.
/// </summary>
public readonly record struct Ipv4Route(Ipv4Address Prefix, int PrefixLength, Ipv4Address Gateway, RouteKind Kind, int InterfaceIndex = 0)
{
    /// <summary>Whether the destination is on the link (no gateway).</summary>
    public bool IsOnLink => Gateway.IsAny;

    /// <summary>The address to resolve with ARP for a destination using this route.</summary>
    public Ipv4Address NextHop(Ipv4Address destination) => IsOnLink ? destination : Gateway;

    /// <summary>"prefix/length on-link" or "prefix/length via gateway".</summary>
    public override string ToString() => IsOnLink ? $"{Prefix}/{PrefixLength} on-link" : $"{Prefix}/{PrefixLength} via {Gateway}";
}

/// <summary>
/// IPv4 routing table with longest prefix match (RFC 1812 §5.2.4.3; RFC 1122 §3.3.1 for a host:
/// connected subnets, then static routes, then the default gateway). Routes are kept sorted by
/// prefix length, longest first, so the first match is the longest: a linear scan is the fastest
/// structure for the handful of routes a host has; a large table would swap in a DIR-24-8 (DPDK's
/// rte_lpm) behind the same <see cref="TryLookup(Ipv4Address, out Ipv4Route)"/>. Lookup never allocates; changes do.
/// </summary>
public sealed class RoutingTable
{
    private Ipv4Route[] _routes = [];

    /// <summary>The routes, longest prefix first.</summary>
    public IReadOnlyList<Ipv4Route> Routes => _routes;

    /// <summary>Adds (or replaces, for the same prefix and kind) a route.</summary>
    public void Add(Ipv4Route route)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(route.PrefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(route.PrefixLength, 32);
        var normalized = route with { Prefix = new Ipv4Address(route.Prefix.Value & Ipv4Address.Mask(route.PrefixLength)) };
        var list = new List<Ipv4Route>(_routes.Length + 1);
        foreach (var r in _routes)
        {
            if (!(r.Prefix == normalized.Prefix && r.PrefixLength == normalized.PrefixLength && r.Kind == normalized.Kind))
            {
                list.Add(r);
            }
        }
        list.Add(normalized);
        // Stable: longer prefixes first; for equal prefixes connected beats static beats default.
        _routes = [.. list.Select((r, i) => (r, i)).OrderByDescending(x => x.r.PrefixLength).ThenBy(x => x.r.Kind).ThenBy(x => x.i).Select(x => x.r)];
    }

    /// <summary>Adds the on-link route of an interface address's subnet.</summary>
    public void AddConnected(Ipv4Address address, int prefixLength, int interfaceIndex = 0) =>
        Add(new Ipv4Route(address, prefixLength, Ipv4Address.Any, RouteKind.Connected, interfaceIndex));

    /// <summary>Adds a route to <paramref name="prefix"/>/<paramref name="prefixLength"/> via <paramref name="gateway"/>.</summary>
    public void AddStatic(Ipv4Address prefix, int prefixLength, Ipv4Address gateway, int interfaceIndex = 0) =>
        Add(new Ipv4Route(prefix, prefixLength, gateway, RouteKind.Static, interfaceIndex));

    /// <summary>Sets the route of last resort, 0.0.0.0/0 via <paramref name="gateway"/>.</summary>
    public void SetDefaultGateway(Ipv4Address gateway, int interfaceIndex = 0) =>
        Add(new Ipv4Route(Ipv4Address.Any, 0, gateway, RouteKind.Default, interfaceIndex));

    /// <summary>Removes the route with this prefix and kind; false when there was none.</summary>
    public bool Remove(Ipv4Address prefix, int prefixLength, RouteKind kind)
    {
        uint p = prefix.Value & Ipv4Address.Mask(prefixLength);
        int before = _routes.Length;
        _routes = [.. _routes.Where(r => !(r.Prefix.Value == p && r.PrefixLength == prefixLength && r.Kind == kind))];
        return _routes.Length != before;
    }

    /// <summary>The longest-prefix route for <paramref name="destination"/>; false when none matches.</summary>
    public bool TryLookup(Ipv4Address destination, out Ipv4Route route) => TryLookup(_routes, destination, out route);

    /// <summary>
    /// <see cref="TryLookup(Ipv4Address, out Ipv4Route)"/> through the caller's <paramref name="lastHit"/>: a host sends
    /// most of its datagrams to the peer it just sent to (an echo, a request/response exchange). The hit is the
    /// caller's, not the table's, so that lookups from several threads never see another's half-written hit; it holds
    /// while the table it came from is the current one (every change makes a new array).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryLookup(ref RouteHit lastHit, Ipv4Address destination, out Ipv4Route route)
    {
        if (Holds(in lastHit, destination))
        {
            route = lastHit.Route;
            return true;
        }
        return LookupAndRemember(ref lastHit, destination, out route);
    }

    /// <summary>
    /// The next hop of <paramref name="lastHit"/> when it is for <paramref name="destination"/> and the table it came from is
    /// the current one (see <see cref="TryLookup(ref RouteHit, Ipv4Address, out Ipv4Route)"/>): two compares and a load, the
    /// route itself not copied out.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryLastHit(in RouteHit lastHit, Ipv4Address destination, out Ipv4Address nextHop)
    {
        if (Holds(in lastHit, destination))
        {
            nextHop = lastHit.NextHop;
            return true;
        }
        nextHop = default;
        return false;
    }

    /// <summary>Whether <paramref name="lastHit"/> answers for <paramref name="destination"/>: its destination, from the current table.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Holds(in RouteHit lastHit, Ipv4Address destination) =>
        destination == lastHit.Destination && ReferenceEquals(lastHit.Table, _routes);

    /// <summary>The lookup past the last hit; out of line so that callers inline only the hit test.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool LookupAndRemember(ref RouteHit lastHit, Ipv4Address destination, out Ipv4Route route)
    {
        var routes = _routes;
        if (!TryLookup(routes, destination, out route))
        {
            return false;
        }
        lastHit = new RouteHit(routes, destination, route);
        return true;
    }

    private static bool TryLookup(Ipv4Route[] routes, Ipv4Address destination, out Ipv4Route route)
    {
        foreach (ref readonly var r in routes.AsSpan())
        {
            if (((destination.Value ^ r.Prefix.Value) & Ipv4Address.Mask(r.PrefixLength)) == 0)
            {
                route = r;
                return true;
            }
        }
        route = default;
        return false;
    }
}

/// <summary>A caller's last route lookup that matched, and the table (array) it matched in (null: none yet).</summary>
internal readonly record struct RouteHit(Ipv4Route[]? Table, Ipv4Address Destination, Ipv4Route Route)
{
    /// <summary>The route's next hop for <see cref="Destination"/>, worked out once when the hit is remembered.</summary>
    public Ipv4Address NextHop { get; } = Route.NextHop(Destination);
}

