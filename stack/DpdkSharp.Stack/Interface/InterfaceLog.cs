using Microsoft.Extensions.Logging;

namespace DpdkSharp.Stack.Interface;

/// <summary>
/// What the interface core logs (only built when <see cref="InterfaceOptions.LoggerFactory"/> is set). Runs on the
/// reactor thread; every event here is rare, and a flood of conflicts is logged at most once per interval.
/// </summary>
internal sealed partial class InterfaceLog(ILogger logger, string interfaceName)
{
    /// <summary>At most one conflict line per this long (a host that keeps claiming our address would flood the log).</summary>
    internal static readonly TimeSpan ConflictInterval = TimeSpan.FromSeconds(10);

    private Instant _lastConflict = Instant.Zero;
    private bool _conflictLogged;

    public void Conflict(Ipv4Address address, MacAddress claimant, long total, Instant now)
    {
        if (_conflictLogged && now - _lastConflict < ConflictInterval)
        {
            return;
        }
        _conflictLogged = true;
        _lastConflict = now;
        AddressConflict(logger, interfaceName, claimant, address, total);
    }

    public void Unresolved(Ipv4Address address, int requests) => ArpFailed(logger, interfaceName, address, requests);

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "Address conflict on interface '{Interface}': {Claimant} claims our address {Address} in ARP ({Total} conflicting frame(s) so far)")]
    private static partial void AddressConflict(ILogger logger, string @interface, MacAddress claimant, Ipv4Address address, long total);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "Interface '{Interface}': no ARP reply from {Address} after {Requests} request(s); the frames waiting for it are dropped")]
    private static partial void ArpFailed(ILogger logger, string @interface, Ipv4Address address, int requests);
}
