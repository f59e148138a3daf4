using DpdkSharp.Interop;

namespace DpdkSharp.Runtime.Polling;

/// <summary>
/// Sends a receive queue's I/O signal to the thread that polls the queue instead of to the whole process.
/// </summary>
/// <remarks>
/// <para>Why: some drivers learn of packets from a signal. net_tap sets its queue fds <c>O_ASYNC</c> with the
/// process as owner, and its burst returns nothing until its signal handler has counted a signal. The kernel gives a
/// process-directed signal to the main thread whenever that thread has none pending, so every packet woke the
/// (sleeping) main thread, often on another CPU, before the polling thread could see the packet: measured on a 2-vCPU
/// VM, the signal reached its handler 5 to 10 ms after the packet under load, and the idle round trip was 4x the
/// kernel's even with a busy-polling loop. Owned by the polling thread (<c>F_SETOWN_EX</c>, <c>F_OWNER_TID</c>),
/// the signal lands where the packet is read: on a thread that is running it costs an interrupt of that CPU; on a
/// thread asleep on the queue's fd it is the same wake-up the packet causes anyway.</para>
/// <para>Threads: make it on the polling thread; <see cref="Dispose"/> may run on any thread and gives the signal back
/// to the process (so that another thread can poll the queue later), unless the fd has changed hands since.</para>
/// <para>DPDK hands out a queue's fd only for ports configured with <see cref="PortConfig.RxInterrupts"/>; drivers that
/// do not signal (no <c>O_ASYNC</c> on the fd) need nothing. <see cref="RxWaitSet"/> routes for the loops that sleep.
/// A busy-polling loop is better off without: net_tap's signal is a queued real-time one, one per packet, and aimed at
/// a thread that never sleeps it interrupts it for every packet (measured at 10k requests/s, load average 17 to 27: p50 13 to 23 ms routed
/// against 0.2 to 0.7 ms not, 3 of 3 interleaved pairs, idle p50 no better).</para>
/// </remarks>
internal sealed class RxQueueSignalRoute : IDisposable
{
    private readonly int _fd;
    private readonly int _tid;
    private bool _disposed;

    private RxQueueSignalRoute(int fd, int tid)
    {
        _fd = fd;
        _tid = tid;
    }

    /// <summary>
    /// Routes <paramref name="queue"/>'s I/O signal to the calling thread, if its driver signals and DPDK gives the
    /// queue's fd (the port is configured with <see cref="PortConfig.RxInterrupts"/> and started).
    /// </summary>
    /// <returns>The route (dispose it to give the signal back to the process), or null when there is nothing to route.</returns>
    internal static RxQueueSignalRoute? ToCurrentThread(RxQueue queue)
    {
        if (!queue.Port.RxInterrupts)
        {
            return null;
        }

        var fd = Dpdk.rte_eth_dev_rx_intr_ctl_q_get_fd(queue.Port.Id, (ushort)queue.Index);
        if (fd < 0)
        {
            return null;
        }

        return ForFd(fd);
    }

    /// <summary>Routes <paramref name="fd"/>'s signal to the calling thread; null when the fd does not signal.</summary>
    internal static RxQueueSignalRoute? ForFd(int fd)
    {
        var tid = QueueSignals.CurrentThreadId();
        return QueueSignals.TryRoute(fd, tid) ? new RxQueueSignalRoute(fd, tid) : null;
    }

    /// <summary>The thread (kernel id) the signal was routed to.</summary>
    internal int ThreadId => _tid;

    /// <summary>Gives the signal back to the process, if the fd is still routed to the thread this route was made on.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        QueueSignals.Restore(_fd, _tid);
    }
}
