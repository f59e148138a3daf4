using System.Runtime.InteropServices;

namespace DpdkSharp.Runtime.Polling;

/// <summary>
/// The fcntl(2) calls behind <see cref="RxQueueSignalRoute"/>: whether a queue fd signals (<c>O_ASYNC</c>), and which
/// thread receives its signal (<c>F_GETOWN_EX</c>/<c>F_SETOWN_EX</c>). Neither suppresses the GC transition: they
/// are system calls, made when a loop attaches or detaches, never per packet.
/// </summary>
internal static unsafe partial class QueueSignals
{
    private const int F_GETFL = 3;
    private const int F_SETOWN_EX = 15;
    private const int F_GETOWN_EX = 16;
    private const int F_OWNER_TID = 0;
    private const int F_OWNER_PID = 1;
    private const int O_ASYNC = 0x2000;

    /// <summary><c>struct f_owner_ex</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct OwnerEx
    {
        public int Type;
        public int Pid;
    }

    /// <summary>The calling thread's kernel id (gettid).</summary>
    public static int CurrentThreadId() => gettid();

    /// <summary>
    /// Makes thread <paramref name="tid"/> the receiver of <paramref name="fd"/>'s signal when the fd signals at all.
    /// </summary>
    /// <returns>Whether the fd signals and now does so to <paramref name="tid"/>.</returns>
    public static bool TryRoute(int fd, int tid)
    {
        var flags = fcntl(fd, F_GETFL, 0);
        if (flags < 0 || (flags & O_ASYNC) == 0)
        {
            return false; // not signal-driven: nothing to route
        }

        var owner = new OwnerEx { Type = F_OWNER_TID, Pid = tid };
        return fcntl(fd, F_SETOWN_EX, (nint)(&owner)) == 0;
    }

    /// <summary>
    /// Gives <paramref name="fd"/>'s signal back to the process if it still goes to thread <paramref name="tid"/>: a
    /// signal aimed at a thread that has ended is dropped, and net_tap would then never see another packet. The check
    /// also leaves alone an fd number that was closed and reused for something else.
    /// </summary>
    public static void Restore(int fd, int tid)
    {
        OwnerEx owner;
        if (fcntl(fd, F_GETOWN_EX, (nint)(&owner)) != 0 || owner.Type != F_OWNER_TID || owner.Pid != tid)
        {
            return;
        }

        var process = new OwnerEx { Type = F_OWNER_PID, Pid = Environment.ProcessId };
        _ = fcntl(fd, F_SETOWN_EX, (nint)(&process));
    }

    /// <summary>Whether <paramref name="fd"/>'s signal goes to thread <paramref name="tid"/> (for tests).</summary>
    public static bool IsRoutedTo(int fd, int tid)
    {
        OwnerEx owner;
        return fcntl(fd, F_GETOWN_EX, (nint)(&owner)) == 0 && owner.Type == F_OWNER_TID && owner.Pid == tid;
    }

    // fcntl is variadic; on x86-64 (the only architecture RxWaitSet runs on) an integer third argument is passed as in a
    // fixed-argument call.
    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int fcntl(int fd, int cmd, nint arg);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int gettid();
}
