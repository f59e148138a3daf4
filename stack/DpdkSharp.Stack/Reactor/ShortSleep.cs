using System.Runtime.InteropServices;

namespace DpdkSharp.Stack;

/// <summary>
/// Sleeps for microseconds (Linux <c>nanosleep</c>): .NET's own sleeps and waits count whole milliseconds, too coarse
/// for a reactor that gives its CPU away between polls. The kernel rounds up by the thread's timer slack (50 µs by
/// default). A signal ends the sleep early, which is harmless here.
/// </summary>
internal static unsafe partial class ShortSleep
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc")] // its result is ignored (a signal ending the sleep early is harmless): no errno to keep
    private static partial int nanosleep(Timespec* request, Timespec* remaining);

    /// <summary>Sleeps at least <paramref name="duration"/> (capped just below a second), unless a signal ends it first.</summary>
    public static void For(TimeSpan duration)
    {
        var request = new Timespec { Seconds = 0, Nanoseconds = Math.Clamp(duration.Ticks * TimeSpan.NanosecondsPerTick, 0, 999_999_999) };
        _ = nanosleep(&request, null);
    }
}
