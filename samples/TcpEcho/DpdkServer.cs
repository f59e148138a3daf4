using System.Net.Sockets;
using DpdkSharp.Runtime;
using DpdkSharp.Stack.Dpdk;
using DpdkSharp.Stack.Interface;
using DpdkSharp.Stack.Sockets;
using DpdkSharp.Wire;

namespace DpdkSharp.Samples.TcpEcho;

/// <summary>The echo server on DPDK: compare with <see cref="KernelServer"/>.</summary>
internal static class DpdkServer
{
    public static async Task RunAsync(EchoOptions options, EchoStats stats, CancellationToken stop)
    {
        // net_tap creates a kernel interface named options.Interface: the kernel is the other end of the cable.
        using var eal = Eal.Initialize(new EalOptions
        {
            Lcores = "0",
            InMemory = true,
            NoTelemetry = true,
            LogLevel = DpdkLogLevel.Error,
            VirtualDevices = [$"net_tap0,iface={options.Interface}"],
        });
        using var rxPool = Mempool.CreatePacketPool("echo_rx", 4095, 0);
        using var txPool = Mempool.CreatePacketPool("echo_tx", 4095, 0);
        var port = Port.FindByName("net_tap0");
        port.Configure(new PortConfig { RxPool = rxPool });
        port.Start();
        // The stack needs a MAC of its own (net_tap gives the kernel end the port's).
        var stack = new DpdkInterface(port, txPool, new InterfaceOptions
        {
            Name = options.Interface,
            Mac = MacAddress.Parse("02:ec:00:00:00:02"),
            Address = Ipv4Address.Parse(options.Address),
            PrefixLength = options.PrefixLength,
        });
        stack.Start();

        var listener = new TcpSocketListener(stack.Reactor, options.Port);                  // kernel: new TcpListener(IPAddress.Any, port)
        listener.Start();
        Console.WriteLine($"ready: {options.Address}/{options.PrefixLength} on {options.Interface} (MAC {stack.Core.Mac}), TCP echo on port {options.Port}");
        var echoes = new List<Task>();
        try
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync(stop);
                echoes.Add(Echo.ConnectionAsync(client.GetStream(), () => client.Shutdown(SocketShutdown.Send), stats, stop));
            }
        }
        catch (OperationCanceledException)
        {
        }
        listener.Stop();
        await Task.WhenAll(echoes);
        // Stopping the interface closes what is still open with FINs (bounded by the reactor's TCP shutdown timeout).
        stack.Dispose();
        var tcp = stack.Core.TcpCounters;
        var c = stack.Core.Counters;
        Console.WriteLine($"stopped: {stats.Connections} connections, {stats.Bytes} bytes echoed, {stats.Failed} ended early; " +
            $"TCP segments in {tcp.SegmentsReceived}, out {tcp.SegmentsSent}, retransmitted {tcp.RetransmittedSegments}, resets sent {tcp.ResetsSent}; " +
            $"frames received {c.FramesReceived}, dropped {c.FramesDropped}");
        port.Stop();
        port.Close();
    }
}
