using System.ComponentModel;
using System.Runtime.InteropServices;

namespace DpdkSharp.Runtime.Polling;

/// <summary>
/// The Linux calls <see cref="RxWaitSet"/> is made of: epoll and eventfd (libc). None of them suppresses the GC
/// transition: <c>epoll_wait</c> blocks, and the others are system calls, which can take microseconds.
/// </summary>
internal static unsafe partial class LinuxEvents
{
    public const int EPOLL_CLOEXEC = 0x80000;
    public const int EPOLL_CTL_ADD = 1;
    public const int EPOLL_CTL_DEL = 2;
    public const uint EPOLLIN = 0x001;
    public const uint EPOLLET = 1u << 31;
    public const int EFD_CLOEXEC = 0x80000;
    public const int EFD_NONBLOCK = 0x800;
    public const int EINTR = 4;
    public const int EAGAIN = 11;

    /// <summary>
    /// <c>struct epoll_event</c> as x86-64 lays it out: packed, 12 bytes (other architectures align <c>data</c> to 8;
    /// <see cref="RxWaitSet"/> refuses them rather than pass a wrong layout to the kernel).
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    public struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    public static partial int EpollCtl(int epfd, int op, int fd, EpollEvent* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int EpollWait(int epfd, EpollEvent* events, int maxEvents, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initial, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, void* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, void* buffer, nuint count);

    /// <summary>The exception for a failed call, with the OS's errno and message.</summary>
    public static Win32Exception Error(string function, string context)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new Win32Exception(errno, $"{function} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}); {context}");
    }
}
