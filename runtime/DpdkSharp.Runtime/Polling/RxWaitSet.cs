using System.Runtime.InteropServices;
using DpdkSharp.Interop;
using Microsoft.Win32.SafeHandles;
using static DpdkSharp.Runtime.Polling.LinuxEvents;

namespace DpdkSharp.Runtime.Polling;

/// <summary>
/// Lets a receive loop sleep while its queues are empty and wake when a packet arrives or another thread calls
/// <see cref="Wake"/>: an epoll set (owned) holding each queue's RX interrupt event fd (owned by DPDK) and an
/// eventfd (owned) for wake-ups. The loop reports every poll to <see cref="Idle"/>, which polls on, or sleeps, as
/// the <see cref="RxMode"/> says.
/// </summary>
/// <remarks>
/// <para>Threads: <see cref="Idle"/>, <see cref="Wait"/> and <see cref="Dispose"/> belong to the thread that polls
/// the queues; <see cref="Wake"/> may be called from any thread, at any time, also before or during a sleep (a
/// wake-up before the sleep ends the next sleep at once) and after disposal (then it does nothing).</para>
/// <para>Ports: <see cref="RxMode.Interrupt"/> and <see cref="RxMode.Adaptive"/> need ports configured with
/// <see cref="PortConfig.RxInterrupts"/> and started; <see cref="RxMode.Poll"/> works on any port. After a port is
/// stopped, reconfigured or started again (through <see cref="Port"/>'s methods), the set registers its queues'
/// event fds again before the next sleep; while the port is stopped, sleeps end only by <see cref="Wake"/> or timeout.</para>
/// <para>How a queue's interrupt is used: DPDK gives its event fd (<c>rte_eth_dev_rx_intr_ctl_q_get_fd</c>); nothing
/// is ever read from it (reading a net_tap queue fd would take a packet). A driver that arms its interrupt
/// (<c>rte_eth_dev_rx_intr_enable</c>: NICs) signals an eventfd, watched edge-triggered as DPDK's own
/// <c>rte_intr_rx_ctl</c> does: each signal is one edge whether or not the counter is read, and one left by a
/// packet that came while the loop was busy ends the next sleep at once (an extra poll, never a missed packet).
/// A driver without arming (net_tap: the fd is the queue's packet fd) is watched level-triggered: a sleep ends
/// whenever packets wait. net_tap needs that: its burst returns nothing until its SIGIO handler has run, which
/// can be just after epoll reports the packet; edge-triggered, the loop would poll too early, find nothing and
/// sleep past the packet. Level-triggered, it keeps waking until the packet is taken.</para>
/// <para>net_tap learns of packets from a signal (its fds are <c>O_ASYNC</c>): the set routes each such queue's signal
/// to the thread that calls <see cref="Idle"/> or <see cref="Wait"/> (<c>fcntl F_SETOWN_EX</c> to that thread), so that the
/// packet's wake-up and the signal's are one and the same thread's, and gives it back to the process on
/// <see cref="Dispose"/>. Without that the main thread took every signal, and the loop, woken by the packet, polled
/// in vain until the main thread had run.</para>
/// </remarks>
public sealed unsafe class RxWaitSet : IDisposable
{
    private const ulong WakeToken = ulong.MaxValue;
    private const int MaxEvents = 64;

    private readonly RxQueue[] _queues;
    private readonly int[] _fds;
    private readonly bool[] _armable;
    private readonly uint[] _epochs;
    private readonly RxQueueSignalRoute?[] _routes;
    private int _routedThread; // managed id of the thread the signals go to; 0: not routed (yet, or again after a change)
    private readonly SafeFileHandle _epoll;
    private readonly SafeFileHandle _wake;
    private RxIdlePolicy _policy;
    private bool _armed;
    private bool _disposed;

    /// <summary>A wait set for one queue.</summary>
    /// <exception cref="NotSupportedException">The mode needs RX interrupts and the queue's driver has none.</exception>
    /// <exception cref="InvalidOperationException">The mode needs RX interrupts and the port was not configured for them.</exception>
    public RxWaitSet(RxQueue queue, RxWaitOptions? options = null)
        : this([queue], options)
    {
    }

    /// <summary>A wait set for the queues one loop polls (with <see cref="RxMode.Poll"/>, possibly none: then it only waits for <see cref="Wake"/>).</summary>
    /// <exception cref="NotSupportedException">The mode needs RX interrupts and a queue's driver has none.</exception>
    /// <exception cref="InvalidOperationException">The mode needs RX interrupts and a port was not configured for them.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public RxWaitSet(IEnumerable<RxQueue> queues, RxWaitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(queues);
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            throw new PlatformNotSupportedException("RxWaitSet passes struct epoll_event with x86-64's packed layout; other architectures are not done yet.");
        }

        Options = options ?? new RxWaitOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.EmptyPollsBeforeSleep, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.BurstToResumePolling, 1, nameof(options));
        _queues = queues.ToArray();
        _fds = new int[_queues.Length];
        _armable = new bool[_queues.Length];
        _epochs = new uint[_queues.Length];
        _routes = new RxQueueSignalRoute?[_queues.Length];
        _policy = new RxIdlePolicy(Options.Mode, Options.EmptyPollsBeforeSleep, Options.BurstToResumePolling);

        var epfd = EpollCreate(EPOLL_CLOEXEC);
        if (epfd < 0)
        {
            throw Error("epoll_create1", "RxWaitSet");
        }

        _epoll = new SafeFileHandle(epfd, ownsHandle: true);
        try
        {
            var wakefd = EventFd(0, EFD_NONBLOCK | EFD_CLOEXEC);
            if (wakefd < 0)
            {
                throw Error("eventfd", "RxWaitSet");
            }

            _wake = new SafeFileHandle(wakefd, ownsHandle: true);
            Add(wakefd, EPOLLIN, WakeToken); // level-triggered: a wake-up stays pending until a sleep reads it
            if (Options.Mode != RxMode.Poll)
            {
                for (var i = 0; i < _queues.Length; i++)
                {
                    Register(i, initial: true);
                }
            }
        }
        catch
        {
            _wake?.Dispose();
            _epoll.Dispose();
            throw;
        }
    }

    /// <summary>The settings this set was made with.</summary>
    public RxWaitOptions Options { get; }

    /// <summary>The mode (<see cref="RxWaitOptions.Mode"/>).</summary>
    public RxMode Mode => Options.Mode;

    /// <summary>
    /// Reports one poll of the queues (<paramref name="received"/>: packets it returned, summed over the queues) and
    /// sleeps if the mode says so: in <see cref="RxMode.Interrupt"/> at every empty poll, in <see cref="RxMode.Adaptive"/>
    /// after <see cref="RxWaitOptions.EmptyPollsBeforeSleep"/> of them, never in <see cref="RxMode.Poll"/>. Before
    /// sleeping it arms the queues' interrupts and returns once without sleeping, so that the loop polls again
    /// (packets that came just before the arm); it sleeps on the next empty report. A sleep lasts until a packet,
    /// <see cref="Wake"/> or <paramref name="maxSleep"/> (the loop's next timer; <see cref="Timeout.InfiniteTimeSpan"/>
    /// for none). Allocation-free.
    /// </summary>
    /// <returns>What ended the sleep; <see cref="RxWakeReasons.None"/> when it did not sleep.</returns>
    public RxWakeReasons Idle(int received, TimeSpan maxSleep)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        EnsureSignalsRouted();
        switch (_policy.Next(received))
        {
            case RxIdlePolicy.Step.Arm:
                Arm();
                return RxWakeReasons.None;
            case RxIdlePolicy.Step.Disarm:
                Disarm();
                return RxWakeReasons.None;
            case RxIdlePolicy.Step.Sleep:
                try
                {
                    return Sleep(maxSleep);
                }
                finally
                {
                    Disarm();
                }
            default:
                return RxWakeReasons.None;
        }
    }

    /// <summary>
    /// Sleeps now, whatever the mode's policy, until a packet (not in <see cref="RxMode.Poll"/>, whose queues are not
    /// watched), <see cref="Wake"/> or <paramref name="timeout"/>: arms the queues, waits, disarms. For loops with
    /// their own policy; they should poll once after it returns, since a packet that arrived just before the arm
    /// may raise no interrupt on some drivers. Allocation-free.
    /// </summary>
    /// <returns>What ended the sleep.</returns>
    public RxWakeReasons Wait(TimeSpan timeout)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        EnsureSignalsRouted();
        if (Mode != RxMode.Poll)
        {
            Arm();
        }

        try
        {
            return Sleep(timeout);
        }
        finally
        {
            Disarm();
        }
    }

    /// <summary>
    /// Ends the current sleep, or the next one if none is under way, from any thread (an eventfd write: thread-safe,
    /// allocation-free, does not block). Several calls before a sleep end it once. Does nothing after disposal.
    /// </summary>
    public void Wake()
    {
        var added = false;
        try
        {
            _wake.DangerousAddRef(ref added); // keeps the fd open (and its number ours) during the write
            ulong one = 1;
            if (Write((int)_wake.DangerousGetHandle(), &one, sizeof(ulong)) < 0 && Marshal.GetLastPInvokeError() != EAGAIN)
            {
                throw Error("write", "RxWaitSet.Wake eventfd"); // EAGAIN: the counter is full, so a wake-up is pending anyway
            }
        }
        catch (ObjectDisposedException)
        {
            // Disposed: no loop to wake.
        }
        finally
        {
            if (added)
            {
                _wake.DangerousRelease();
            }
        }
    }

    /// <summary>Disarms the queues and closes the epoll set and the eventfd (the queues' fds are DPDK's and stay open). Call it on the polling thread.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            Disarm();
        }
        catch (DpdkException)
        {
            // The port may be stopped or closed already; nothing is armed then.
        }
        foreach (var route in _routes)
        {
            route?.Dispose(); // the signal back to the process: the polling thread may end, and a signal aimed at it would be lost
        }

        _epoll.Dispose();
        _wake.Dispose(); // a Wake racing with this holds a reference: the fd closes after its write
    }

    private RxWakeReasons Sleep(TimeSpan timeout)
    {
        var ms = timeout == Timeout.InfiniteTimeSpan ? -1
            : timeout < TimeSpan.Zero ? throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "A timeout is positive or Timeout.InfiniteTimeSpan.")
            : (int)Math.Min(int.MaxValue, Math.Ceiling(timeout.TotalMilliseconds));
        var events = stackalloc EpollEvent[MaxEvents];
        var n = EpollWait((int)_epoll.DangerousGetHandle(), events, MaxEvents, ms);
        if (n < 0 && Marshal.GetLastPInvokeError() == EINTR)
        {
            // net_tap's packet signal, routed to this thread, can end the wait before the packet's own wake-up is
            // counted: look again without waiting, so that the reasons say what is ready.
            n = EpollWait((int)_epoll.DangerousGetHandle(), events, MaxEvents, 0);
            if (n < 0 && Marshal.GetLastPInvokeError() == EINTR)
            {
                return RxWakeReasons.Timeout;
            }
        }
        if (n < 0)
        {
            throw Error("epoll_wait", "RxWaitSet");
        }
        if (n == 0)
        {
            return RxWakeReasons.Timeout;
        }

        var reasons = RxWakeReasons.None;
        for (var i = 0; i < n; i++)
        {
            if (events[i].Data != WakeToken)
            {
                reasons |= RxWakeReasons.Packets;
                continue;
            }
            reasons |= RxWakeReasons.Woken;
            ulong count;
            Read((int)_wake.DangerousGetHandle(), &count, sizeof(ulong)); // resets the counter; EAGAIN if already read
        }
        return reasons;
    }

    private void Arm()
    {
        if (Mode == RxMode.Poll || _armed)
        {
            return;
        }

        for (var i = 0; i < _queues.Length; i++)
        {
            var q = _queues[i];
            if (PortEpochs.Current(q.Port.Id) != _epochs[i])
            {
                Register(i, initial: false); // the port was stopped, restarted or reconfigured: its fd may have changed
            }

            if (_armable[i])
            {
                DpdkException.Check(Dpdk.rte_eth_dev_rx_intr_enable(q.Port.Id, (ushort)q.Index), "rte_eth_dev_rx_intr_enable", q.ToString());
            }
        }
        _armed = true;
        EnsureSignalsRouted(); // a registration above (the port restarted) may have brought a new fd
    }

    private void Disarm()
    {
        if (!_armed)
        {
            return;
        }

        _armed = false;
        for (var i = 0; i < _queues.Length; i++)
        {
            var q = _queues[i];
            if (_armable[i])
            {
                DpdkException.Check(Dpdk.rte_eth_dev_rx_intr_disable(q.Port.Id, (ushort)q.Index), "rte_eth_dev_rx_intr_disable", q.ToString());
            }
        }
    }

    /// <summary>
    /// Finds queue <paramref name="i"/>'s event fd, whether it can be armed, and watches it. Made with the set
    /// (<paramref name="initial"/>), a missing interrupt is an error; after a lifecycle change of the port it means
    /// the port is stopped (DPDK makes the vectors at start): the queue is left unwatched, sleeps end by
    /// <see cref="Wake"/> or timeout, and the next change (the start) registers it again.
    /// </summary>
    private void Register(int i, bool initial)
    {
        var q = _queues[i];
        var port = q.Port;
        _epochs[i] = PortEpochs.Current(port.Id);
        if (_fds[i] > 0)
        {
            EpollCtl((int)_epoll.DangerousGetHandle(), EPOLL_CTL_DEL, _fds[i], null); // the old registration, if its file is still open
        }

        _fds[i] = 0;
        _armable[i] = false;
        _routes[i]?.Dispose();
        _routes[i] = null;
        _routedThread = 0;
        if (!port.RxInterrupts)
        {
            if (initial)
            {
                throw new InvalidOperationException($"{Mode} mode needs RX interrupts: configure {port} with PortConfig.RxInterrupts = true, or use RxMode.Poll.");
            }

            return;
        }
        var fd = Dpdk.rte_eth_dev_rx_intr_ctl_q_get_fd(port.Id, (ushort)q.Index);
        if (fd < 0)
        {
            if (initial)
            {
                throw Port.NoRxInterrupt(port, q.Index);
            }

            return;
        }
        _fds[i] = fd;

        // Arming: ENOTSUP means the driver has no arming (net_tap: the fd is the queue's, ready while packets wait).
        var rc = Dpdk.rte_eth_dev_rx_intr_enable(port.Id, (ushort)q.Index);
        _armable[i] = rc != -95 /* ENOTSUP */;
        if (_armable[i])
        {
            DpdkException.Check(rc, "rte_eth_dev_rx_intr_enable", q.ToString());
            DpdkException.Check(Dpdk.rte_eth_dev_rx_intr_disable(port.Id, (ushort)q.Index), "rte_eth_dev_rx_intr_disable", q.ToString());
        }
        Add(fd, _armable[i] ? EPOLLIN | EPOLLET : EPOLLIN, (ulong)i); // see the remarks: edge for eventfds, level for packet fds
    }

    /// <summary>
    /// Routes the signal of each watched queue that signals (net_tap) to the calling thread, once per thread: the
    /// first call of a loop, and again after a queue's registration changed or another thread took over the loop.
    /// </summary>
    private void EnsureSignalsRouted()
    {
        var thread = Environment.CurrentManagedThreadId;
        if (_routedThread == thread || Mode == RxMode.Poll)
        {
            return;
        }

        for (var i = 0; i < _queues.Length; i++)
        {
            _routes[i]?.Dispose();
            _routes[i] = _fds[i] > 0 && !_armable[i] ? RxQueueSignalRoute.ForFd(_fds[i]) : null;
        }
        _routedThread = thread;
    }

    /// <summary>The kernel thread id queue <paramref name="i"/>'s signal is routed to, or 0 (for tests).</summary>
    internal int SignalThreadOf(int i) => _routes[i]?.ThreadId ?? 0;

    private void Add(int fd, uint events, ulong data)
    {
        var ev = new EpollEvent { Events = events, Data = data };
        if (EpollCtl((int)_epoll.DangerousGetHandle(), EPOLL_CTL_ADD, fd, &ev) < 0)
        {
            throw Error("epoll_ctl(EPOLL_CTL_ADD)", $"fd {fd}");
        }
    }
}
