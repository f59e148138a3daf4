using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace DpdkSharp.Stack.Dpdk.Tests.Scenarios;

/// <summary>
/// The Linux kernel's TCP sockets inside the test's namespace (run with <c>ip netns exec</c>), for
/// what socat cannot do: a thousand connections open at once, and a reader that is slow on purpose.
/// </summary>
public static class TcpKernelPeer
{
    /// <summary>
    /// Opens <paramref name="count"/> connections to the stack's echo server, waits until every one
    /// is open (or has failed), then each sends <paramref name="size"/> bytes of its own, half-closes,
    /// reads the echo to the end and closes. Prints "MANY n concurrent: echoed intact n, failed n".
    /// </summary>
    public static int Many(string address, int port, int count, int size)
    {
        var target = new IPEndPoint(IPAddress.Parse(address), port);
        var clock = Stopwatch.StartNew();
        int settled = 0;
        var allOpen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Settle()
        {
            if (Interlocked.Increment(ref settled) == count)
            {
                allOpen.TrySetResult();
            }
        }

        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        var tasks = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                try
                {
                    await s.ConnectAsync(target, deadline.Token);
                }
                finally
                {
                    Settle();
                }
                await allOpen.Task.WaitAsync(deadline.Token);
                var payload = new byte[size];
                new Random(i).NextBytes(payload);
                await s.SendAsync(payload, SocketFlags.None, deadline.Token);
                s.Shutdown(SocketShutdown.Send);
                var echo = new byte[size + 1];
                int total = 0, n;
                while (total < echo.Length && (n = await s.ReceiveAsync(echo.AsMemory(total), SocketFlags.None, deadline.Token)) > 0)
                {
                    total += n;
                }
                return total == size && echo.AsSpan(0, size).SequenceEqual(payload);
            }
            catch (Exception e)
            {
                errors.Enqueue($"#{i}: {e.GetType().Name} {e.Message}");
                return false;
            }
        })).ToArray();
        Task.WhenAll(tasks).Wait(TimeSpan.FromSeconds(50));
        int ok = tasks.Count(t => t.IsCompletedSuccessfully && t.Result);
        Console.WriteLine($"MANY {count} concurrent: echoed intact {ok}, failed {count - ok} ({size} bytes each way per connection, {clock.ElapsedMilliseconds} ms)");
        foreach (var e in errors.Take(5))
        {
            Console.WriteLine($"  {e}");
        }
        return ok == count ? 0 : 1;
    }

    /// <summary>
    /// Listens on <paramref name="port"/> with a small receive buffer, accepts one connection and
    /// reads it slowly (<see cref="SlowReadAsync"/>) to the end, then closes. Prints "SLOW received n bytes sha256 h".
    /// </summary>
    public static int SlowReader(int port)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.ReceiveBufferSize = 8192; // inherited by the accepted socket: its window closes soon
        listener.Bind(new IPEndPoint(IPAddress.Any, port));
        listener.Listen(1);
        using var accepted = listener.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(20)).GetAwaiter().GetResult();
        using var stream = new NetworkStream(accepted, ownsSocket: false);
        var (bytes, hash) = SlowReadAsync(stream, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(40)).GetAwaiter().GetResult();
        Console.WriteLine($"SLOW received {bytes} bytes sha256 {Convert.ToHexString(hash)}");
        return 0;
    }

    /// <summary>
    /// Reads <paramref name="stream"/> to its end the way a slow application does: 4 KB at a time with
    /// 2 ms naps, and three 400 ms stops (longer than the sender's minimum RTO, so its persist timer
    /// probes the closed window). Returns the byte count and the SHA-256 of what was read.
    /// </summary>
    public static async Task<(long Bytes, byte[] Hash)> SlowReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[4096];
        long total = 0;
        int n, reads = 0;
        while ((n = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            total += n;
            reads++;
            await Task.Delay(reads is 20 or 120 or 220 ? 400 : reads % 4 == 0 ? 2 : 0, cancellationToken);
        }
        return (total, hash.GetHashAndReset());
    }
}
