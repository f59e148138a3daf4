using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;

namespace DpdkSharp.Stack;

/// <summary>
/// Drives one <see cref="NetworkInterfaceCore"/> on one device queue from a dedicated thread:
/// receive a burst → <see cref="NetworkInterfaceCore.Receive(ReadOnlySpan{byte}, Instant, RxChecksumStatus)"/> each frame → free the receive
/// buffers → commands from application threads → <see cref="NetworkInterfaceCore.Poll"/> (timers, once
/// <see cref="NetworkInterfaceCore.NextTimerAt"/> is due)
/// → socket readiness → flush the transmit burst. The core is touched only by this thread;
/// application threads reach it through a lock-free command queue (<see cref="Post"/>), and
/// completions go back through <c>ValueTask</c>s whose continuations never run on the reactor.
/// </summary>
/// <remarks>
/// <para>Per packet the loop allocates nothing: bursts are stack slots, the core copies what it
/// keeps into preallocated storage, transmit buffers are rented from the device.</para>
/// <para>Ownership: the reactor owns the core and the device queue from <see cref="Start"/>; its
/// <see cref="Dispose"/> stops the loop, fails pending socket operations with
/// <see cref="SocketError.OperationAborted"/>, closes every endpoint, flushes what the core still
/// sends, and disposes the core (which returns frames waiting for ARP to the pool).</para>
/// </remarks>
public sealed class Reactor : IDisposable
{
    private readonly NetworkInterfaceCore _core;
    private readonly IReactorDevice _device;
    private readonly ReactorOptions _options;
    private readonly TimeSpan _shortSleepWindow;
    private readonly ConcurrentQueue<ReactorWork> _commands = new();
    private readonly ManualResetEventSlim _wake = new(false, 0);
    private InterfaceReceiver _receiver;
    private readonly UdpSocketSet _udpSockets;
    private readonly TcpSocketSet _tcpSockets;
    private bool _shuttingDown;
    private Instant _shutdownDeadline = Instant.Never;
    private readonly ISocketSet[] _socketSets;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _started = new(false);
    private Exception? _startError;
    private volatile bool _stopping;
    private volatile bool _stopped;
    private int _sleeping;
    private volatile IReactorIdle? _idle;
    private int _startCalls;
    private Instant _now;
    private long _iterations;
    private long _handlerErrors;
    private Exception? _fault;

    /// <summary>Binds <paramref name="core"/> to <paramref name="device"/>; call <see cref="Start"/> to run it.</summary>
    /// <remarks>The core must have been built with the device's <see cref="IReactorDevice.Pool"/> and <see cref="IReactorDevice.Sink"/>.</remarks>
    public Reactor(NetworkInterfaceCore core, IReactorDevice device, ReactorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(core);
        ArgumentNullException.ThrowIfNull(device);
        _core = core;
        _device = device;
        _options = options ?? new ReactorOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.ShortSleepWindow, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.ShortSleep, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(_options.ShortSleep, TimeSpan.FromMilliseconds(1), nameof(options));
        _shortSleepWindow = _options.ShortSleepWindow > MaxShortSleepWindow ? MaxShortSleepWindow : _options.ShortSleepWindow;
        _receiver = new InterfaceReceiver(core);
        _udpSockets = new UdpSocketSet(core.Udp);
        _tcpSockets = new TcpSocketSet(core.Tcp);
        _socketSets = [_udpSockets, _tcpSockets];
        _thread = new Thread(Run) { IsBackground = true, Name = _options.ThreadName };
    }

    /// <summary>
    /// The interface core. Only code running on the reactor (handlers, <see cref="InvokeAsync{T}"/>)
    /// may use it; its counters can be read from anywhere (they are plain longs, possibly stale).
    /// </summary>
    public NetworkInterfaceCore Core => _core;

    /// <summary>Loop iterations so far.</summary>
    public long Iterations => Volatile.Read(ref _iterations);

    /// <summary>Exceptions thrown by zero-copy handlers (caught and counted so the reactor keeps running).</summary>
    public long HandlerErrors => Volatile.Read(ref _handlerErrors);

    /// <summary>The exception that stopped the loop, if one did (a bug: the loop itself does not throw).</summary>
    public Exception? Fault => Volatile.Read(ref _fault);

    /// <summary>Whether the calling thread is the reactor's.</summary>
    public bool IsReactorThread => Thread.CurrentThread == _thread;

    /// <summary>The reactor's clock (<see cref="Instant.FromStopwatch"/>) at the current iteration.</summary>
    internal Instant Now => _now;

    /// <summary>
    /// Starts the loop on its thread and returns once the thread is set up (pinned to
    /// <see cref="ReactorOptions.Cpu"/>, attached to the device); the core then announces its
    /// address (gratuitous ARP).
    /// </summary>
    /// <exception cref="InvalidOperationException">Already started, or the thread could not be set up (the inner exception says why; the reactor is stopped).</exception>
    public void Start()
    {
        if (Interlocked.Exchange(ref _startCalls, 1) != 0)
        {
            throw new InvalidOperationException("The reactor is already started.");
        }
        _thread.Start();
        _started.Wait();
        if (_startError is { } error)
        {
            _thread.Join();
            throw new InvalidOperationException($"Reactor '{_options.ThreadName}' could not start: {error.Message}", error);
        }
    }

    /// <summary>Runs <paramref name="action"/> on the reactor thread (control path: it allocates).</summary>
    public Task<T> InvokeAsync<T>(Func<NetworkInterfaceCore, T> action)
    {
        var work = new InvokeWork<T>(action);
        Post(work);
        return work.Task;
    }

    /// <summary>Queues work for the reactor thread and wakes it if it naps.</summary>
    internal void Post(ReactorWork work)
    {
        if (_stopped)
        {
            work.Abort(SocketError.OperationAborted);
            return;
        }
        _commands.Enqueue(work);
        if (Volatile.Read(ref _sleeping) != 0)
        {
            _wake.Set();
            _idle?.Wake();
        }
        if (_stopped)
        {
            // The loop may have drained before our enqueue: abort whatever is left ourselves.
            AbortQueued();
        }
    }

    internal Instant NextNow() => _now = Instant.FromStopwatch();

    private void Run()
    {
        IDisposable? attachment = null;
        try
        {
            try
            {
                if (_options.Cpu is int cpu)
                {
                    ThreadAffinity.PinCurrentThread(cpu);
                }
                attachment = _device.AttachThread();
                _idle = _device.Idle;
            }
            catch (Exception e)
            {
                _startError = e;
                return; // finally: drain, then Start throws
            }
            finally
            {
                _started.Set();
            }
            // One nap now: the event allocates its lock on the first blocking wait, which would
            // otherwise land in the middle of traffic.
            _wake.Wait(1);
            _core.Start(NextNow());
            _device.Flush();
            int idle = 0;
            var shortSleepsUntil = Instant.Zero; // before the first work: no short sleeps
            while (true)
            {
                var now = NextNow();
                if (_stopping && ShutdownComplete(now))
                {
                    break;
                }
                int work = _device.ReceiveBurst(ref _receiver, now);
                work += RunCommands();
                if (now >= _core.NextTimerAt)
                {
                    _core.Poll(now);
                }
                foreach (var sockets in _socketSets)
                {
                    sockets.DispatchReady();
                }
                _device.Flush();
                _iterations++;
                if (_idle is not null)
                {
                    IdleOnDevice(work);
                    continue;
                }
                IdleInPoll(work, ref idle, ref shortSleepsUntil);
            }
        }
        catch (Exception e)
        {
            Volatile.Write(ref _fault, e);
        }
        finally
        {
            Drain();
            attachment?.Dispose();
        }
    }

    /// <summary>
    /// Poll mode's idle steps after an iteration: after work, none (and the short-sleep window restarts); then
    /// <see cref="ReactorOptions.SpinIterationsBeforeSleep"/> empty iterations spin, the following ones sleep
    /// <see cref="ReactorOptions.ShortSleep"/> until <see cref="ReactorOptions.ShortSleepWindow"/> has passed since the
    /// work, and the rest nap (<see cref="ReactorOptions.IdleSleep"/>).
    /// </summary>
    private void IdleInPoll(int work, ref int idle, ref Instant shortSleepsUntil)
    {
        if (work > 0)
        {
            idle = 0;
            shortSleepsUntil = _now + _shortSleepWindow;
            return;
        }
        if (idle < int.MaxValue)
        {
            idle++;
        }
        if (idle <= _options.SpinIterationsBeforeSleep)
        {
            return;
        }
        if (_now < shortSleepsUntil)
        {
            // Traffic was recent: give the CPU to whoever waits for it (the application's thread this loop just
            // woke) and poll again soon. A sleep rather than sched_yield: the kernel's EEVDF scheduler moves a
            // yielder's deadline a time slice later at each yield, so a loop that yields falls behind every other
            // runnable thread on its CPU and, when the next packet comes, waits for them (measured worse:
            // bench/http/README.md); a thread that sleeps keeps its place and, woken, runs ahead of the CPU hogs.
            // A command (Post) waits for the sleep's end: microseconds.
            ShortSleep.For(_options.ShortSleep);
            return;
        }
        Nap(_core.NextTimerAt);
    }

    /// <summary>
    /// Lets the device's idle policy see the iteration and, when nothing happened, sleep until traffic,
    /// a command (<see cref="Post"/> wakes it) or the next timer.
    /// </summary>
    private void IdleOnDevice(int work)
    {
        if (work > 0)
        {
            _idle!.AfterIteration(work, TimeSpan.Zero); // traffic: the policy counts it, nobody sleeps
            return;
        }
        var untilTimer = _core.NextTimerAt - _now;
        var maxSleep = untilTimer < TimeSpan.Zero ? TimeSpan.Zero : untilTimer > MaxDeviceSleep ? MaxDeviceSleep : untilTimer;
        Volatile.Write(ref _sleeping, 1);
        Interlocked.MemoryBarrier(); // pairs with Post: either it sees _sleeping and wakes us, or we see its command
        if (_commands.IsEmpty && (!_stopping || _shuttingDown))
        {
            _idle!.AfterIteration(0, maxSleep);
        }
        Volatile.Write(ref _sleeping, 0);
    }

    /// <summary>Where <see cref="ReactorOptions.ShortSleepWindow"/> is capped (so that the instant it ends is representable).</summary>
    private static readonly TimeSpan MaxShortSleepWindow = TimeSpan.FromDays(1);

    /// <summary>Longest sleep on the device with no timer due (a bound, so a lost wake-up costs at most this).</summary>
    private static readonly TimeSpan MaxDeviceSleep = TimeSpan.FromSeconds(1);

    private void Nap(Instant nextTimer)
    {
        long ms = Math.Clamp((long)(nextTimer - _now).TotalMilliseconds, 0, (long)_options.IdleSleep.TotalMilliseconds);
        Volatile.Write(ref _sleeping, 1);
        Interlocked.MemoryBarrier(); // pairs with Post: either it sees _sleeping, or we see its command
        if (_commands.IsEmpty && (!_stopping || _shuttingDown))
        {
            _wake.Wait((int)Math.Max(ms, 1));
        }
        Volatile.Write(ref _sleeping, 0);
        _wake.Reset();
    }

    /// <summary>
    /// The graceful part of stopping: every open TCP connection is closed with a FIN and the loop
    /// keeps running (receiving the peers' ACKs and FINs) until all are closed or
    /// <see cref="ReactorOptions.TcpShutdownTimeout"/> passes; what is left is reset.
    /// </summary>
    private bool ShutdownComplete(Instant now)
    {
        var tcp = _core.Tcp;
        if (!_shuttingDown)
        {
            _shuttingDown = true;
            _shutdownDeadline = now + _options.TcpShutdownTimeout;
            tcp.ShutdownAll(now);
            _device.Flush();
        }
        if (tcp.OpenCount == 0)
        {
            return true;
        }
        if (now >= _shutdownDeadline)
        {
            tcp.AbortAll(now);
            _device.Flush();
            return true;
        }
        return false;
    }

    private int RunCommands()
    {
        int n = 0;
        // Bounded, so a flood of commands cannot starve receive.
        while (n < 256 && _commands.TryDequeue(out var work))
        {
            work.Execute(this);
            n++;
        }
        return n;
    }

    /// <summary>The UDP sockets this reactor serves.</summary>
    internal UdpSocketSet UdpSockets => _udpSockets;

    internal void CountHandlerError() => Interlocked.Increment(ref _handlerErrors);

    /// <summary>Runs on the reactor thread as the loop ends: nothing stays half done.</summary>
    private void Drain()
    {
        _stopped = true;
        AbortQueued();
        foreach (var sockets in _socketSets)
        {
            sockets.CloseAll(SocketError.OperationAborted);
        }
        try
        {
            _core.Stop(NextNow()); // IGMP leaves
            _device.Flush();
            _core.Dispose(); // frames waiting for ARP go back to the pool
            _device.Flush();
        }
        catch (Exception e) when (_fault is null)
        {
            Volatile.Write(ref _fault, e);
        }
    }

    private void AbortQueued()
    {
        while (_commands.TryDequeue(out var work))
        {
            work.Abort(SocketError.OperationAborted);
        }
    }

    /// <summary>Stops the loop and drains (see the remarks of <see cref="Reactor"/>).</summary>
    /// <exception cref="TimeoutException">The loop did not stop within <see cref="ReactorOptions.StopTimeout"/>.</exception>
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }
        _stopping = true;
        _wake.Set();
        _idle?.Wake();
        if (Volatile.Read(ref _startCalls) == 0)
        {
            _stopped = true;
            _core.Dispose();
            return;
        }
        if (IsReactorThread)
        {
            throw new InvalidOperationException("A reactor cannot be disposed from its own thread.");
        }
        if (!_thread.Join(_options.StopTimeout))
        {
            throw new TimeoutException($"Reactor '{_options.ThreadName}' did not stop within {_options.StopTimeout}.");
        }
    }

    private sealed class InvokeWork<T>(Func<NetworkInterfaceCore, T> action) : ReactorWork
    {
        private readonly TaskCompletionSource<T> _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Task => _tcs.Task;

        internal override void Execute(Reactor reactor)
        {
            try
            {
                _tcs.TrySetResult(action(reactor._core));
            }
            catch (Exception e)
            {
                _tcs.TrySetException(e);
            }
        }

        internal override void Abort(SocketError error) => _tcs.TrySetException(new SocketException((int)error));
    }
}

/// <summary>A unit of work an application thread hands to a reactor.</summary>
internal abstract class ReactorWork
{
    /// <summary>Runs on the reactor thread.</summary>
    internal abstract void Execute(Reactor reactor);

    /// <summary>The reactor stopped before running this: fail it (any thread).</summary>
    internal abstract void Abort(SocketError error);
}
