using System.Runtime.InteropServices;

namespace DpdkSharp.Runtime.Tests.Infrastructure;

/// <summary>The calling thread's CPU time (<c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>): what it ran, not how long it waited.</summary>
public static class ThreadCpu
{
    public static TimeSpan Now
    {
        get
        {
            if (clock_gettime(3 /* CLOCK_THREAD_CPUTIME_ID */, out var t) != 0)
            {
                throw new InvalidOperationException($"clock_gettime failed: errno {Marshal.GetLastPInvokeError()}");
            }

            return TimeSpan.FromTicks(t.Seconds * TimeSpan.TicksPerSecond + t.Nanoseconds / 100);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int clock_gettime(int clock, out Timespec time);
}
