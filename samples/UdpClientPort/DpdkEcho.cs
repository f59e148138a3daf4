using DpdkSharp.Stack.Dpdk;
using DpdkSharp.Stack.Sockets;

namespace DpdkSharp.Samples.UdpClientPort;

/// <summary>
/// <see cref="KernelEcho"/> ported to DPDK: the <see cref="System.Net.Sockets.UdpClient"/> becomes a
/// <see cref="ReactorUdpClient"/> on the stack that Program.cs brings up in one call (<see cref="DpdkStack.Start"/>);
/// only the lines marked <c>// port:</c> differ.
/// </summary>
internal static class DpdkEcho
{
    public static async Task RunAsync(DpdkStack stack, EchoOptions options, CancellationToken stop)
    {
        using var client = new ReactorUdpClient(stack.Reactor, options.Port);                     // port: kernel: new UdpClient(port)
        Console.WriteLine($"ready: DPDK on {options.Interface} ({options.Address}, MAC {stack.Core.Mac}), UDP echo on port {options.Port}"); // port: what it runs on
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
