using System.Net.Sockets;

namespace DpdkSharp.Samples.UdpClientPort;

/// <summary>
/// The UDP echo written for <see cref="UdpClient"/> on kernel sockets. <see cref="DpdkEcho"/> is the same program
/// ported to DPDK: only the lines marked <c>// port:</c> differ (a test compares the two files).
/// </summary>
internal static class KernelEcho
{
    public static async Task RunAsync(EchoOptions options, CancellationToken stop)
    {
        using var client = new UdpClient(options.Port);                                          // port: DPDK: new ReactorUdpClient(stack.Reactor, port)
        Console.WriteLine($"ready: kernel sockets, UDP echo on port {options.Port}");             // port: what it runs on
        long datagrams = 0, bytes = 0;
        try
        {
            while (true)
            {
                var received = await client.ReceiveAsync(stop);
                await client.SendAsync(received.Buffer, received.RemoteEndPoint, stop);
                datagrams++;
                bytes += received.Buffer.Length;
            }
        }
        catch (OperationCanceledException)
        {
        }
        Console.WriteLine($"stopped: {datagrams} datagrams, {bytes} bytes echoed");
    }
}
