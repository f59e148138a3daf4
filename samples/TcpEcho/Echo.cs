using System.Net.Sockets;

namespace DpdkSharp.Samples.TcpEcho;

/// <summary>The command line.</summary>
internal sealed record EchoOptions(string Interface, string Address, int PrefixLength, int Port, int Seconds, bool Kernel)
{
    public static EchoOptions? Parse(string[] args)
    {
        string iface = "dtap0", address = "10.77.0.2/24";
        int port = 7, seconds = 0;
        bool kernel = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--iface": iface = args[++i]; break;
                case "--address": address = args[++i]; break;
                case "--port": port = int.Parse(args[++i]); break;
                case "--seconds": seconds = int.Parse(args[++i]); break;
                case "--kernel": kernel = true; break;
                default: Console.Error.WriteLine($"unknown argument {args[i]}"); return null;
            }
        }
        var parts = address.Split('/');
        return new EchoOptions(iface, parts[0], parts.Length > 1 ? int.Parse(parts[1]) : 24, port, seconds, kernel);
    }
}

/// <summary>What the server did, printed at the end.</summary>
internal sealed class EchoStats
{
    public long Connections;
    public long Bytes;
    public long Failed;
}

/// <summary>The echo itself: the same code for a DPDK connection's stream and a kernel socket's.</summary>
internal static class Echo
{
    /// <summary>Echoes until the peer's FIN, then closes our side (after every byte went back).</summary>
    public static async Task ConnectionAsync(Stream stream, Action shutdownSend, EchoStats stats, CancellationToken stop)
    {
        Interlocked.Increment(ref stats.Connections);
        var buffer = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, stop)) > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, n), stop);
                Interlocked.Add(ref stats.Bytes, n);
            }
            shutdownSend();
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            // A reset peer, or we are stopping: the connection ends here either way.
            Interlocked.Increment(ref stats.Failed);
        }
        finally
        {
            await stream.DisposeAsync();
        }
    }
}
