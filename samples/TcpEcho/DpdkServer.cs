using System.Net.Sockets;
using DpdkSharp.Stack.Dpdk;
using DpdkSharp.Stack.Sockets;

namespace DpdkSharp.Samples.TcpEcho;

/// <summary>The echo server on DPDK: compare with <see cref="KernelServer"/>.</summary>
internal static class DpdkServer
{
    /// <summary>Serves until <paramref name="stop"/>; returns the exit code (1 when an mbuf did not come back).</summary>
    public static async Task<int> RunAsync(EchoOptions options, EchoStats stats, CancellationToken stop)
    {
        // One call: EAL, pools, the net_tap port (its kernel end is options.Interface) and the interface.
        // The stack needs a MAC of its own: net_tap gives the kernel end the port's.
        using var stack = DpdkStack.Start(new DpdkStackOptions
        {
            Device = $"net_tap0,iface={options.Interface}",
            Address = $"{options.Address}/{options.PrefixLength}",
            Mac = "02:ec:00:00:00:02",
        });

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
        stack.Interface.Dispose();
        var tcp = stack.Core.TcpCounters;
        var c = stack.Core.Counters;
        Console.WriteLine($"stopped: {stats.Connections} connections, {stats.Bytes} bytes echoed, {stats.Failed} ended early; " +
            $"TCP segments in {tcp.SegmentsReceived}, out {tcp.SegmentsSent}, retransmitted {tcp.RetransmittedSegments}, resets sent {tcp.ResetsSent}; " +
            $"frames received {c.FramesReceived}, dropped {c.FramesDropped}");
        // Port, pools, EAL: in that order, once the interface returned every mbuf it held.
        stack.Dispose();
        Console.WriteLine($"stack stopped: mbufs not returned {stack.MbufsInUseAtStop}");
        return stack.MbufsInUseAtStop == 0 ? 0 : 1;
    }
}
