using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace DpdkSharp.Bench.Latency;

/// <summary>
/// The steady phase, open loop: requests leave on a fixed schedule whether or not earlier replies are back
/// (one in flight would cap the rate at 1/RTT, below 10k/s as soon as a round trip passes 100 µs), and a
/// receiver thread times each reply against its request's send time. A reply later than the idle phase's
/// timeout (100 ms), or none, counts as lost. A sender that falls behind catches up at most
/// <see cref="MaxBacklog"/> slots.
/// </summary>
internal static unsafe partial class SteadyLoad
{
    private static readonly long Timeout = Stopwatch.Frequency / 10;

    /// <summary>Slots a late sender may still catch up (sent back to back): short preemptions keep the rate, a long stall makes no big burst.</summary>
    private const int MaxBacklog = 10;

    /// <summary>Sorted round trips (ticks) of the replies that came in time; requests carry sequence numbers from <paramref name="firstSeq"/>.</summary>
    public static long[] Run(Socket socket, ulong firstSeq, int count, long interval, out int lost, out int bad, out double rate)
    {
        var sentAt = new long[count];
        var rtt = new long[count];
        var received = 0;
        var badReplies = 0;
        var doneAt = long.MaxValue;
        var deadline = Stopwatch.GetTimestamp() + count * interval * 2 + Stopwatch.Frequency * 2; // bounds the receiver whatever happens
        var receiver = new Thread(() =>
        {
            var reply = new byte[2048];
            while (received < count && Stopwatch.GetTimestamp() < deadline
                && Stopwatch.GetTimestamp() - Volatile.Read(ref doneAt) < Timeout)
            {
                int n;
                try
                {
                    n = socket.Receive(reply); // ReceiveTimeout (100 ms) keeps the conditions checked
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock or SocketError.ConnectionRefused)
                {
                    continue;
                }
                long t1 = Stopwatch.GetTimestamp();
                ulong index = n >= 8 ? BinaryPrimitives.ReadUInt64LittleEndian(reply) - firstSeq : ulong.MaxValue;
                if (index >= (ulong)count || rtt[index] != 0 || Volatile.Read(ref sentAt[index]) == 0)
                {
                    continue; // not one of ours (a late idle-phase reply) or a duplicate
                }
                if (!Client.IsRequest(reply.AsSpan(0, n), firstSeq + index))
                {
                    badReplies++;
                }
                rtt[index] = Math.Max(1, t1 - sentAt[index]);
                received++;
            }
        }) { Name = "steady-receiver", IsBackground = true };
        receiver.Start();

        // Sleeps of tens of microseconds: the default timer slack (50 µs) would stretch each one past its slot.
        _ = prctl(PrSetTimerSlack, 1, 0, 0, 0);
        var request = new byte[32];
        var start = Stopwatch.GetTimestamp();
        long next = start;
        for (int i = 0; i < count; i++)
        {
            SleepUntil(next);
            Client.FillRequest(request, firstSeq + (ulong)i);
            Volatile.Write(ref sentAt[i], Stopwatch.GetTimestamp()); // before the send: the reply can beat the next line
            socket.Send(request);
            next += interval;
            long now = Stopwatch.GetTimestamp();
            if (now - next > MaxBacklog * interval)
            {
                next = now - MaxBacklog * interval;
            }
        }
        rate = count * (double)Stopwatch.Frequency / (Stopwatch.GetTimestamp() - start);
        Volatile.Write(ref doneAt, Stopwatch.GetTimestamp());
        receiver.Join();

        var inTime = rtt.Where(t => t != 0 && t <= Timeout).ToArray();
        Array.Sort(inTime);
        lost = count - inTime.Length;
        bad = badReplies;
        return inTime;
    }

    /// <summary>
    /// Sleeps in the kernel (nanosleep) rather than spinning: on two cores a spinning client would take the CPU
    /// a reactor needs (Poll's busy loop above all) and bias the figures. Late wake-ups are what the backlog is for.
    /// </summary>
    private static void SleepUntil(long target)
    {
        long left = target - Stopwatch.GetTimestamp();
        if (left <= 0)
        {
            return;
        }
        long ns = left * 1_000_000_000 / Stopwatch.Frequency;
        var request = new Timespec { Seconds = ns / 1_000_000_000, Nanoseconds = ns % 1_000_000_000 };
        _ = nanosleep(&request, null);
    }

    private const int PrSetTimerSlack = 29;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc")]
    private static partial int nanosleep(Timespec* request, Timespec* remaining);

    [LibraryImport("libc")]
    private static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
}
