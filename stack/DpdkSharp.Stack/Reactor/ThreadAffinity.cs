using System.Runtime.InteropServices;

namespace DpdkSharp.Stack;

/// <summary>Pins the calling thread to one CPU (Linux <c>sched_setaffinity</c> on the thread itself).</summary>
internal static unsafe partial class ThreadAffinity
{
    private const int MaskBytes = 128; // 1024 CPUs, glibc's cpu_set_t

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sched_setaffinity(int pid, nuint cpusetsize, byte* mask);

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cpu"/> is negative or beyond the mask.</exception>
    /// <exception cref="PlatformNotSupportedException">Not Linux.</exception>
    /// <exception cref="InvalidOperationException">The kernel refused (no such CPU, or outside the process's cpuset); the message carries errno.</exception>
    public static void PinCurrentThread(int cpu)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cpu);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(cpu, MaskBytes * 8);
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Pinning a reactor to a CPU is implemented for Linux only.");
        }
        byte* mask = stackalloc byte[MaskBytes];
        new Span<byte>(mask, MaskBytes).Clear();
        mask[cpu / 8] = (byte)(1 << (cpu % 8));
        if (sched_setaffinity(0, MaskBytes, mask) != 0) // pid 0: the calling thread
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new InvalidOperationException($"sched_setaffinity(CPU {cpu}) failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");
        }
    }
}
