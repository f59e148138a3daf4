using DpdkSharp.Runtime;

namespace DpdkSharp.Stack.Dpdk;

/// <summary>
/// An IPv4 interface on one queue pair of a started DPDK port: the interface core, its device
/// binding and its reactor, created together and torn down together. Sockets are made with
/// <c>new UdpSocket(iface.Reactor)</c>.
/// </summary>
/// <remarks>
/// The port and pools stay the caller's: after <see cref="Dispose"/> every mbuf this interface
/// rented is back in <paramref name="txPool"/> (frames waiting for ARP included), and the caller
/// stops and closes the port.
/// </remarks>
public sealed class DpdkInterface : IDisposable
{
    /// <summary>Builds the core for <paramref name="options"/> on queue <paramref name="queue"/> of <paramref name="port"/>; <see cref="Start"/> runs it.</summary>
    public DpdkInterface(Port port, Mempool txPool, InterfaceOptions options, int queue = 0, ReactorOptions? reactorOptions = null)
    {
        Port = port;
        Device = new PortQueueDevice(port.GetRxQueue(queue), port.GetTxQueue(queue), txPool);
        var core = new NetworkInterfaceCore(options, Device.Pool, Device.Sink);
        Reactor = new Reactor(core, Device, reactorOptions ?? new ReactorOptions { ThreadName = $"reactor-{port.Id}.{queue}" });
    }

    /// <summary>The port.</summary>
    public Port Port { get; }

    /// <summary>The queue binding, with rx/tx counters.</summary>
    public PortQueueDevice Device { get; }

    /// <summary>The reactor that owns the core.</summary>
    public Reactor Reactor { get; }

    /// <summary>The interface core (reactor thread only, except its counters).</summary>
    public NetworkInterfaceCore Core => Reactor.Core;

    /// <summary>The port's MAC address as the stack's type (for <see cref="InterfaceOptions.Mac"/>).</summary>
    public static MacAddress MacAddressOf(Port port)
    {
        Span<byte> bytes = stackalloc byte[6];
        port.MacAddress.WriteTo(bytes);
        return MacAddress.Read(bytes);
    }

    /// <summary>Starts the reactor thread.</summary>
    public void Start() => Reactor.Start();

    /// <summary>Stops the reactor and drains (see <see cref="Reactor"/>).</summary>
    public void Dispose() => Reactor.Dispose();
}
