using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DpdkSharp.Bench.Latency;

/// <summary>
/// The kernel-side client (run inside a namespace): 32-byte requests carrying a sequence number, each timed
/// from before send to after its reply with <see cref="Stopwatch"/> (100 ms timeout: no reply in time counts
/// as lost). Idle: one in flight, requests spaced far apart (blocking receive). Steady: open loop at the rate
/// (<see cref="SteadyLoad"/>), after an unmeasured second of it.
/// Prints <c>RESULT</c> with percentiles in microseconds.
/// </summary>
internal static class Client
{
    /// <summary>The unmeasured open-loop run before the measured one, in milliseconds.</summary>
    private const int SteadyWarmUpMs = 1000;

    public static int Run(IPAddress target, int port, ClientPlan plan)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 100 };
        socket.Connect(target, port);
        var ex = new Exchanger(socket);

        // Warm-up: ARP on both sides, and both ends' code tiered up (bursts, then pauses for the tiering delay).
        for (int round = 0; round < 4; round++)
        {
            for (int i = 0; i < 500; i++)
            {
                ex.Once();
            }

            Thread.Sleep(150);
        }
        if (ex.Lost == 2000)
        {
            Console.Error.WriteLine($"client: no reply from {target}:{port} during the warm-up");
            return 1;
        }
        Console.Error.WriteLine($"client: warm-up lost {ex.Lost} of 2000");
        ex.Lost = 0;

        var idle = Idle(ex, plan.IdleRequests, Stopwatch.Frequency * plan.IdleIntervalUs / 1_000_000);
        int idleLost = ex.Lost;
        ex.Lost = 0;
        // The open-loop phase runs code the ping-pongs never did (the sender's pacing, a receiver thread) at a rate
        // that keeps every path of both ends hot: tiering it up while measuring put the JIT's background thread on
        // one of the two CPUs during the measurement. So a short unmeasured run first, then the tiering delay's
        // pause; its late replies carry sequence numbers below the measured run's and are ignored there.
        long interval = Stopwatch.Frequency / plan.Rate;
        int warmCount = Math.Max(1, plan.Rate * SteadyWarmUpMs / 1000);
        ulong warmFirst = ex.Seq + 1;
        SteadyLoad.Run(socket, warmFirst, warmCount, interval, out _, out var warmBad, out _);
        Thread.Sleep(300);
        int steadyCount = (int)(plan.Rate * plan.Seconds);
        var steady = SteadyLoad.Run(socket, warmFirst + (ulong)warmCount, steadyCount, interval, out var steadyLost, out var steadyBad, out var rate);
        steadyBad += warmBad;

        if (Environment.GetEnvironmentVariable(Samples.EnvironmentVariable) is { Length: > 0 } path)
        {
            Samples.Write(path, idle, steady, Stopwatch.Frequency);
        }

        var line = new StringBuilder("RESULT");
        Append(line, "idle", idle, idleLost);
        Append(line, "10k", steady, steadyLost);
        line.Append(" 10k_rate=").Append(Sh.F(rate)).Append(" bad=").Append(ex.Bad + steadyBad);
        Console.WriteLine(line);
        return ex.Bad + steadyBad == 0 ? 0 : 1;
    }

    /// <summary><paramref name="count"/> requests, one per <paramref name="interval"/> ticks; the round trips that got a reply.</summary>
    private static long[] Idle(Exchanger ex, int count, long interval)
    {
        var rtts = new List<long>(count);
        long next = Stopwatch.GetTimestamp();
        for (int i = 0; i < count; i++)
        {
            SleepUntil(next);
            long rtt = ex.Once();
            if (rtt >= 0)
            {
                rtts.Add(rtt);
            }

            next += interval;
            long now = Stopwatch.GetTimestamp();
            if (next < now)
            {
                next = now; // behind (a slow reply or a timeout): no catch-up burst
            }
        }
        var sorted = rtts.ToArray();
        Array.Sort(sorted);
        return sorted;
    }

    /// <summary>Sleeps: the gap is what matters (the reactor asleep when the request lands), not its exact length.</summary>
    private static void SleepUntil(long target)
    {
        while (Stopwatch.GetTimestamp() < target)
        {
            Thread.Sleep(Math.Max(1, (int)((target - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency)));
        }
    }

    private static void Append(StringBuilder line, string name, long[] sorted, int lost)
    {
        line.Append($" {name}_n={sorted.Length} {name}_lost={lost}");
        if (sorted.Length == 0)
        {
            return;
        }

        line.Append($" {name}_p50_us={Sh.F(Us(sorted, 0.50))} {name}_p99_us={Sh.F(Us(sorted, 0.99))} {name}_p999_us={Sh.F(Us(sorted, 0.999))} {name}_max_us={Sh.F(Us(sorted, 1.0))}");
    }

    /// <summary>The nearest-rank percentile, in microseconds.</summary>
    private static double Us(long[] sorted, double q)
    {
        int rank = Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1);
        return sorted[rank] * 1e6 / Stopwatch.Frequency;
    }

    /// <summary>A 32-byte request: the sequence number, then bytes derived from it (so a reply is checked whole).</summary>
    public static void FillRequest(Span<byte> request, ulong seq)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(request, seq);
        for (int i = 8; i < request.Length; i++)
        {
            request[i] = (byte)(seq + (ulong)i);
        }
    }

    public static bool IsRequest(ReadOnlySpan<byte> reply, ulong seq)
    {
        Span<byte> expected = stackalloc byte[32];
        FillRequest(expected, seq);
        return reply.SequenceEqual(expected);
    }

    private sealed class Exchanger(Socket socket)
    {
        private readonly byte[] _request = new byte[32];
        private readonly byte[] _reply = new byte[2048];
        private ulong _seq;
        public int Lost;

        public ulong Seq => _seq;
        public int Bad;

        /// <summary>One request and its reply: the round trip in Stopwatch ticks, or -1 when none came in time.</summary>
        public long Once()
        {
            _seq++;
            FillRequest(_request, _seq);
            long t0 = Stopwatch.GetTimestamp();
            socket.Send(_request);
            // A late reply to an earlier (already lost) request is skipped; bounded, each wait has the timeout.
            for (int attempt = 0; attempt < 4; attempt++)
            {
                int n;
                try
                {
                    n = socket.Receive(_reply);
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock or SocketError.ConnectionRefused)
                {
                    break; // refused: an ICMP port unreachable (the echo not bound yet)
                }
                long t1 = Stopwatch.GetTimestamp();
                if (n >= 8 && BinaryPrimitives.ReadUInt64LittleEndian(_reply) == _seq)
                {
                    if (!_reply.AsSpan(0, n).SequenceEqual(_request))
                    {
                        Bad++;
                    }

                    return t1 - t0;
                }
            }
            Lost++;
            return -1;
        }
    }
}
