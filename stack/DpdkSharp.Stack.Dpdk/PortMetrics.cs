using System.Diagnostics.Metrics;
using DpdkSharp.Runtime;

namespace DpdkSharp.Stack.Dpdk;

/// <summary>
/// A port's own counters under the <see cref="NetMetrics.MeterName"/> meter, beside the interface
/// core's: what the device lost before the stack ever saw it. <c>dpdksharp.net.port.rx.missed</c>
/// is <c>imissed</c> (the receive ring was full: the reactor fell behind) and
/// <c>dpdksharp.net.port.rx.no_mbuf</c> is <c>rx_nombuf</c> (the receive pool was empty), both from
/// <c>rte_eth_stats_get</c> when a listener collects (not on the packet path), tagged with the
/// interface name and the port id.
/// </summary>
public sealed class PortMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly Port _port;
    private readonly KeyValuePair<string, object?>[] _tags;
    private volatile bool _disposed;

    /// <summary>Publishes <paramref name="port"/>'s counters for interface <paramref name="interfaceName"/>; dispose before closing the port.</summary>
    public PortMetrics(Port port, string interfaceName, IMeterFactory? meterFactory = null)
    {
        _port = port;
        _tags = [new("interface", interfaceName), new("port", (int)port.Id)];
        _meter = meterFactory?.Create(new MeterOptions(NetMetrics.MeterName)) ?? new Meter(NetMetrics.MeterName);
        _meter.CreateObservableCounter("dpdksharp.net.port.rx.missed", () => Measure(s => s.RxMissed), "{packet}",
            "Packets the port dropped because its receive ring was full (imissed)");
        _meter.CreateObservableCounter("dpdksharp.net.port.rx.no_mbuf", () => Measure(s => s.RxNoMbuf), "{packet}",
            "Packets the port dropped because its receive pool had no mbuf (rx_nombuf)");
        _meter.CreateObservableCounter("dpdksharp.net.port.rx.errors", () => Measure(s => s.RxErrors), "{packet}",
            "Erroneous packets the port received (ierrors)");
        _meter.CreateObservableCounter("dpdksharp.net.port.tx.errors", () => Measure(s => s.TxErrors), "{packet}",
            "Packets the port failed to send (oerrors)");
    }

    // After Dispose nothing is reported: a meter from an IMeterFactory is shared and outlives this
    // object (its Dispose does nothing), and the port may be closed or its id reused by then.
    private IEnumerable<Measurement<long>> Measure(Func<PortStats, ulong> select) =>
        _disposed ? [] : [new((long)select(_port.Stats), _tags)];

    /// <summary>Stops publishing (call before closing the port).</summary>
    public void Dispose()
    {
        _disposed = true;
        _meter.Dispose();
    }
}
