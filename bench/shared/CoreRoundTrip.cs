using System.Diagnostics;
using System.Runtime.InteropServices;

/// <summary>
/// How long one cache line takes to go from one CPU to another and back (a ping-pong of a counter between two threads
/// pinned to the two CPUs). On a virtual machine this is the host's doing, not ours: measured on this project's 2-vCPU
/// machines, the round trip between the two vCPUs sat at 50-150 ns for minutes and then at 400-530 ns for minutes
/// (the host had placed them farther apart), and every two-process benchmark that moves frames between the CPUs through
/// shared memory (net_memif) ran three times slower in the second state, testpmd as much as ours. A benchmark reads
/// the probe before and after a measurement to tell which state the measurement ran in.
/// </summary>
internal static unsafe class CoreRoundTrip
{
    /// <summary>
    /// Whether two probes saw the host in one state: both on the same side of <see cref="FarStateNs"/>. The reads fall in
    /// two bands, 45-136 ns (near) and 360-530 ns (far), over hundreds of reads at loads 0.4 to 26; a ratio rule (once a
    /// factor of 2) split reads of the near band, which itself spans 3 times.
    /// </summary>
    public static bool SameState(double a, double b) => a < FarStateNs == b < FarStateNs;

    /// <summary>The boundary between the two placements' bands of round trips, in the gap between them.</summary>
    public const double FarStateNs = 250;

    /// <summary>
    /// The mean round trip in nanoseconds between <paramref name="cpuA"/> and <paramref name="cpuB"/> over
    /// <paramref name="roundTrips"/> exchanges (after as many unmeasured ones, so both loops are compiled and the line
    /// is warm). Takes tens of milliseconds; both CPUs must be otherwise idle for the number to mean anything.
    /// </summary>
    public static double MeasureNanoseconds(int cpuA, int cpuB, int roundTrips = 100_000)
    {
        // A line of its own (128 bytes: the adjacent-line prefetcher pairs lines) so nothing else shares it.
        var line = (long*)NativeMemory.AlignedAlloc(128, 128);
        try
        {
            *line = 0;
            var answerer = new Thread(() =>
            {
                Affinity.Pin(cpuB);
                Answer(line, 2L * roundTrips);
            }) { IsBackground = true, Name = "core-round-trip" };
            double nanoseconds = 0;
            var asker = new Thread(() =>
            {
                Affinity.Pin(cpuA);
                Ask(line, 0, roundTrips / 2); // warm-up: the answerer's pinning, both loops' compilation
                var clock = Stopwatch.StartNew();
                Ask(line, roundTrips / 2, roundTrips);
                nanoseconds = clock.Elapsed.TotalNanoseconds / (roundTrips - roundTrips / 2);
            }) { Name = "core-round-trip" };
            answerer.Start();
            asker.Start();
            asker.Join();
            answerer.Join();
            return nanoseconds;
        }
        finally
        {
            NativeMemory.AlignedFree(line);
        }
    }

    // Odd values are questions, even ones answers: exchange i writes 2i+1 and waits for 2i+2.
    private static void Ask(long* line, int from, int to)
    {
        for (long i = from; i < to; i++)
        {
            Volatile.Write(ref *line, 2 * i + 1);
            while (Volatile.Read(ref *line) != 2 * i + 2)
            {
            }
        }
    }

    private static void Answer(long* line, long last)
    {
        for (long value = 1; value < last; value += 2)
        {
            while (Volatile.Read(ref *line) != value)
            {
            }

            Volatile.Write(ref *line, value + 1);
        }
    }
}
