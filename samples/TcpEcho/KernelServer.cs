using System.Net;
using System.Net.Sockets;

namespace DpdkSharp.Samples.TcpEcho;

/// <summary>The same echo server on kernel sockets: compare with <see cref="DpdkServer"/>.</summary>
internal static class KernelServer
{
    public static async Task RunAsync(EchoOptions options, EchoStats stats, CancellationToken stop)
    {
        var listener = new TcpListener(IPAddress.Any, options.Port);                           // DPDK: new TcpSocketListener(stack.Reactor, port)
        listener.Start();
        Console.WriteLine($"ready: kernel sockets, TCP echo on port {options.Port}");
        var echoes = new List<Task>();
        try
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync(stop);
                echoes.Add(Echo.ConnectionAsync(client.GetStream(), () => client.Client.Shutdown(SocketShutdown.Send), stats, stop));
            }
        }
        catch (OperationCanceledException)
        {
        }
        listener.Stop();
        await Task.WhenAll(echoes);
        Console.WriteLine($"stopped: {stats.Connections} connections, {stats.Bytes} bytes echoed, {stats.Failed} ended early");
    }
}
