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
/// rte_lpm) behind the same <see cref="TryLookup"/>. Lookup never allocates; changes do.
/// </summary>
public sealed class RoutingTable
{
    private Ipv4Route[] _routes = [];
    // The last lookup that matched, and the table it matched in (null: none yet).
    private Ipv4Route[]? _hitTable;
    private Ipv4Address _hitDestination;
    private Ipv4Route _hitRoute;

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
    public bool TryLookup(Ipv4Address destination, out Ipv4Route route)
    {
        // The last hit, while the table it came from is the current one (every change makes a new array): a host
        // sends most of its datagrams to the peer it just sent to (an echo, a request/response exchange).
        if (destination == _hitDestination && ReferenceEquals(_hitTable, _routes))
        {
            route = _hitRoute;
            return true;
        }
        return LookupAndRemember(destination, out route);
    }

    /// <summary><see cref="TryLookup"/> past the last hit; out of line so that callers inline only the hit test.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool LookupAndRemember(Ipv4Address destination, out Ipv4Route route)
    {
        var routes = _routes;
        foreach (ref readonly var r in routes.AsSpan())
        {
            if (((destination.Value ^ r.Prefix.Value) & Ipv4Address.Mask(r.PrefixLength)) == 0)
            {
                route = r;
                _hitDestination = destination;
                _hitRoute = r;
                _hitTable = routes;
                return true;
            }
        }
        route = default;
        return false;
    }
}
