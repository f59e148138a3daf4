using DpdkSharp.Runtime;
using Microsoft.Extensions.Logging;

namespace DpdkSharp.Stack.Dpdk;

/// <summary>
/// The logging side of a <see cref="DpdkInterface"/> (only built with a logger): up and down, and a timer that
/// checks the port's link (<c>rte_eth_link_get_nowait</c>, control path) and the reactor's fault once a period.
/// </summary>
internal sealed partial class InterfaceWatch(DpdkInterface iface, ILogger logger) : IDisposable
{
    /// <summary>How often the link and the reactor are checked.</summary>
    internal static TimeSpan Period { get; set; } = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private Timer? _timer;
    private LinkStatus? _link;
    private bool _faultLogged;

    private string Name => iface.Core.Options.Name;

    public void Started()
    {
        var link = ReadLink();
        InterfaceUp(logger, Name, iface.Core.Options.Address, iface.Core.Options.PrefixLength, iface.Core.Options.Mac, iface.Port, iface.Queue,
            link is { IsUp: true } ? "up" : "down");
        lock (_gate)
        {
            _link = link;
            _timer = new Timer(_ => Check(), null, Period, Period);
        }
    }

    public void Stopped()
    {
        Dispose();
        CheckFault();
        InterfaceDown(logger, Name, iface.Port, iface.Queue);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    private void Check()
    {
        lock (_gate)
        {
            if (_timer is null)
            {
                return;
            }
            var link = ReadLink();
            if (link is { } now && _link is { } before && now.IsUp != before.IsUp)
            {
                if (now.IsUp)
                {
                    LinkUp(logger, Name, iface.Port, now.SpeedMbps);
                }
                else
                {
                    LinkDown(logger, Name, iface.Port);
                }
            }
            _link = link ?? _link;
        }
        CheckFault();
    }

    private void CheckFault()
    {
        if (iface.Reactor.Fault is { } fault && !Interlocked.Exchange(ref _faultLogged, true))
        {
            ReactorFault(logger, fault, Name, iface.Port, iface.Queue);
        }
    }

    private LinkStatus? ReadLink()
    {
        try
        {
            return iface.Port.Link;
        }
        catch (Exception e) when (e is DpdkException or InvalidOperationException)
        {
            return null; // the port was closed under us: nothing to report
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Interface '{Interface}' up: {Address}/{PrefixLength}, MAC {Mac}, on {Port} queue {Queue} (link {Link})")]
    private static partial void InterfaceUp(ILogger logger, string @interface, Wire.Ipv4Address address, int prefixLength, Wire.MacAddress mac, Port port, int queue, string link);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Interface '{Interface}' down: {Port} queue {Queue} released")]
    private static partial void InterfaceDown(ILogger logger, string @interface, Port port, int queue);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Interface '{Interface}': link of {Port} went down")]
    private static partial void LinkDown(ILogger logger, string @interface, Port port);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Interface '{Interface}': link of {Port} is up again ({SpeedMbps} Mbps)")]
    private static partial void LinkUp(ILogger logger, string @interface, Port port, uint speedMbps);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error,
        Message = "Interface '{Interface}': the reactor on {Port} queue {Queue} stopped on an exception; sockets on it no longer make progress")]
    private static partial void ReactorFault(ILogger logger, Exception fault, string @interface, Port port, int queue);
}
