using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DpdkSharp.Bench.Latency;

/// <summary>
/// The reference: the kernel's UDP echoing through a blocking receive/send loop on one thread (socat forks per
/// datagram, far slower than either side measured). Runs inside its namespace until killed or <c>max-seconds</c>.
/// </summary>
internal static class KernelEcho
{
    public static int Run(IPAddress address, int port, double maxSeconds)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 1000 };
        socket.Bind(new IPEndPoint(address, port));
        var buffer = new byte[2048];
        var from = new SocketAddress(AddressFamily.InterNetwork);
        var end = Stopwatch.GetTimestamp() + (long)(maxSeconds * Stopwatch.Frequency);
        long echoes = 0;
        Console.WriteLine("READY");
        while (Stopwatch.GetTimestamp() < end)
        {
            int n;
            try
            {
                n = socket.ReceiveFrom(buffer, SocketFlags.None, from);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
                continue; // the deadline is checked once a second even without traffic
            }
            socket.SendTo(buffer.AsSpan(0, n), SocketFlags.None, from);
            echoes++;
        }
        Console.Error.WriteLine($"kernel echo: {echoes} echoes, deadline reached");
        return 0;
    }
}
