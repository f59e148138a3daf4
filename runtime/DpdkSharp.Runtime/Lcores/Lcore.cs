using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DpdkSharp.Interop;

namespace DpdkSharp.Runtime;

/// <summary>One logical core of the EAL.</summary>
/// <param name="Id">The lcore id.</param>
/// <param name="SocketId">Its NUMA socket.</param>
/// <param name="IsMain">Whether it is the main lcore (the thread that initialised the EAL).</param>
public readonly record struct LcoreInfo(int Id, int SocketId, bool IsMain);

/// <summary>
/// The EAL's logical cores, and managed code run on worker lcores (<c>rte_eal_remote_launch</c>). The worker
/// runs a static <c>[UnmanagedCallersOnly]</c> entry point that finds the delegate through a GC handle; an
/// exception on the worker is caught there and rethrown by <see cref="LcoreLaunch.Wait"/>.
/// </summary>
public static unsafe class Lcore
{
    /// <summary>The calling thread's lcore id, or -1 for a thread that is not an EAL lcore.</summary>
    public static int CurrentId
    {
        get
        {
            var id = Dpdk.rte_lcore_id();
            return id == Dpdk.LCORE_ID_ANY ? -1 : (int)id;
        }
    }

    /// <summary>The main lcore's id.</summary>
    public static int MainId
    {
        get
        {
            Eal.EnsureInitialized();
            return (int)Dpdk.rte_get_main_lcore();
        }
    }

    /// <summary>Number of enabled lcores.</summary>
    public static int Count
    {
        get
        {
            Eal.EnsureInitialized();
            return (int)Dpdk.rte_lcore_count();
        }
    }

    /// <summary>Every enabled lcore, main included.</summary>
    public static IReadOnlyList<LcoreInfo> All => Enumerate(skipMain: false);

    /// <summary>The worker lcores (all but the main one).</summary>
    public static IReadOnlyList<LcoreInfo> Workers => Enumerate(skipMain: true);

    private static List<LcoreInfo> Enumerate(bool skipMain)
    {
        Eal.EnsureInitialized();
        var main = Dpdk.rte_get_main_lcore();
        var result = new List<LcoreInfo>();
        // rte_get_next_lcore(-1, ...) starts from the first enabled lcore (RTE_LCORE_FOREACH).
        for (var id = Dpdk.rte_get_next_lcore(Dpdk.LCORE_ID_ANY, skipMain ? 1 : 0, 0); id < Dpdk.RTE_MAX_LCORE;
             id = Dpdk.rte_get_next_lcore(id, skipMain ? 1 : 0, 0))
        {
            result.Add(new LcoreInfo((int)id, (int)Dpdk.rte_lcore_to_socket_id(id), id == main));
        }

        return result;
    }

    /// <summary>
    /// Makes the calling thread an lcore (<c>rte_thread_register</c>) until the returned
    /// registration is disposed on the same thread. A thread the application created itself
    /// (a reactor, a worker) needs it for per-lcore state: above all mempool caches, without which
    /// every mbuf alloc and free goes to the pool's shared ring. On a thread that already is an
    /// lcore this does nothing.
    /// </summary>
    /// <exception cref="DpdkException">No lcore id is free (<c>rte_errno</c>).</exception>
    /// <exception cref="InvalidOperationException">
    /// The EAL is a multi-process primary (<see cref="EalOptions.MultiProcess"/>): DPDK's <c>rte_thread_register</c>
    /// turns multi-process off for the life of the process, after which every secondary is refused.
    /// </exception>
    public static LcoreRegistration RegisterCurrentThread()
    {
        Eal.EnsureInitialized();
        if (CurrentId >= 0)
        {
            return new LcoreRegistration(CurrentId, Environment.CurrentManagedThreadId, registered: false);
        }

        if (Eal.Current is { IsMultiProcessPrimary: true })
        {
            // Refused here rather than by the secondaries later: DPDK then only says "Primary process refused secondary attachment".
            throw new InvalidOperationException("A multi-process primary (EalOptions.MultiProcess) cannot make a thread of its own an lcore: " +
                "DPDK's rte_thread_register turns multi-process off for the rest of the process, and secondary processes " +
                "(dpdk-dumpcap, dpdk-proc-info) are refused from then on. Run the work on an EAL worker lcore instead " +
                "(Lcore.Launch; give the EAL enough cores with -l or EalOptions.Lcores).");
        }

        if (Dpdk.rte_thread_register() != 0)
        {
            throw DpdkException.FromErrno("rte_thread_register");
        }

        return new LcoreRegistration(CurrentId, Environment.CurrentManagedThreadId, registered: true);
    }

    /// <summary>Runs <paramref name="work"/> on worker lcore <paramref name="lcoreId"/>; its return value is what <see cref="LcoreLaunch.Wait"/> returns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a worker lcore.</exception>
    /// <exception cref="DpdkException">The lcore is busy (EBUSY).</exception>
    public static LcoreLaunch Launch(int lcoreId, Func<int> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (!Workers.Any(w => w.Id == lcoreId))
        {
            throw new ArgumentOutOfRangeException(nameof(lcoreId), lcoreId, $"Not a worker lcore; workers: {string.Join(", ", Workers.Select(w => w.Id))}.");
        }

        var state = new LaunchState(work);
        var handle = GCHandle.Alloc(state);
        var rc = Dpdk.rte_eal_remote_launch(&Entry, (void*)GCHandle.ToIntPtr(handle), (uint)lcoreId);
        if (rc < 0)
        {
            handle.Free();
            throw new DpdkException("rte_eal_remote_launch", rc, $"lcore {lcoreId}");
        }
        return new LcoreLaunch(lcoreId, handle, state);
    }

    /// <summary>Runs <paramref name="work"/> on worker lcore <paramref name="lcoreId"/>.</summary>
    public static LcoreLaunch Launch(int lcoreId, Action work) => Launch(lcoreId, () =>
    {
        work();
        return 0;
    });

    // Runs on the worker lcore's native thread; the runtime attaches it on entry.
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Entry(void* arg)
    {
        var state = (LaunchState)GCHandle.FromIntPtr((nint)arg).Target!;
        try
        {
            return state.Result = state.Work();
        }
        catch (Exception e)
        {
            state.Error = e;
            return -1;
        }
    }

    internal sealed class LaunchState(Func<int> work)
    {
        public Func<int> Work { get; } = work;
        public int Result { get; set; }
        public Exception? Error { get; set; }
    }
}

/// <summary>Managed code running on a worker lcore; <see cref="Wait"/> for it exactly once.</summary>
public sealed class LcoreLaunch
{
    private readonly GCHandle _handle;
    private readonly Lcore.LaunchState _state;
    private bool _waited;

    internal LcoreLaunch(int lcoreId, GCHandle handle, Lcore.LaunchState state)
    {
        LcoreId = lcoreId;
        _handle = handle;
        _state = state;
    }

    /// <summary>The worker lcore.</summary>
    public int LcoreId { get; }

    /// <summary>Blocks until the work finished (<c>rte_eal_wait_lcore</c>) and returns its result.</summary>
    /// <exception cref="LcoreException">The work threw; the exception is the inner one.</exception>
    public int Wait()
    {
        if (_waited)
        {
            throw new InvalidOperationException($"Already waited for lcore {LcoreId}.");
        }

        _waited = true;
        Dpdk.rte_eal_wait_lcore((uint)LcoreId);
        _handle.Free();
        if (_state.Error is { } error)
        {
            throw new LcoreException(LcoreId, error);
        }

        return _state.Result;
    }
}

/// <summary>Code launched on a worker lcore threw; <see cref="Exception.InnerException"/> is what it threw.</summary>
public sealed class LcoreException(int lcoreId, Exception inner)
    : Exception($"The work launched on lcore {lcoreId} threw {inner.GetType().Name}: {inner.Message}", inner)
{
    /// <summary>The lcore the work ran on.</summary>
    public int LcoreId { get; } = lcoreId;
}

/// <summary>The calling thread's lcore identity from <see cref="Lcore.RegisterCurrentThread"/>; dispose it on the same thread.</summary>
public sealed class LcoreRegistration : IDisposable
{
    private readonly int _threadId;
    private bool _registered;

    internal LcoreRegistration(int lcoreId, int threadId, bool registered)
    {
        LcoreId = lcoreId;
        _threadId = threadId;
        _registered = registered;
    }

    /// <summary>The thread's lcore id.</summary>
    public int LcoreId { get; }

    /// <summary>Releases the lcore id (<c>rte_thread_unregister</c>) if this registration took one.</summary>
    /// <exception cref="InvalidOperationException">Called from another thread (DPDK unregisters the calling thread).</exception>
    public void Dispose()
    {
        if (!_registered)
        {
            return;
        }

        if (Environment.CurrentManagedThreadId != _threadId)
        {
            throw new InvalidOperationException($"Lcore {LcoreId} must be released by the thread that registered it.");
        }

        _registered = false;
        Dpdk.rte_thread_unregister();
    }
}
