using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using DpdkSharp.Runtime;
using DpdkSharp.Runtime.Polling;
using DpdkSharp.Stack;
using DpdkSharp.Stack.Dpdk;
using DpdkSharp.Stack.Interface;
using DpdkSharp.Stack.Sockets;
using DpdkSharp.Wire;

namespace DpdkSharp.Bench.Latency;

/// <summary>
/// One RX mode's cell: the stack on a net_tap port whose kernel end is moved into a namespace
/// (kernel 10.77.0.1, stack 10.77.0.2), a zero-copy UDP echo on port 7, the client run in the
/// namespace, then the reactor thread's CPU over a quiet interval. Prints the client's RESULT
/// line with the idle CPU added. Poll is busy polling (the reactor never naps).
/// </summary>
internal static unsafe partial class StackSide
{
    public const string StackAddress = "10.77.0.2";
    private const string KernelAddress = "10.77.0.1";
    private const ushort EchoPort = 7;
    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(2);

    public static int Run(RxMode mode, string iface, string netns, ClientPlan plan)
    {
        using var eal = Eal.Initialize(new EalOptions
        {
            Lcores = "0",
            UseHugepages = false,
            InMemory = true,
            NoTelemetry = true,
            LogLevel = DpdkLogLevel.Error,
            VirtualDevices = [$"net_tap0,iface={iface}"],
        });
        // Separate pools: the tap PMD holds a receive buffer per descriptor until the port closes.
        var rxPool = Mempool.CreatePacketPool("lat_rx", 2047, 0);
        var txPool = Mempool.CreatePacketPool("lat_tx", 2047, 0);
        var port = Port.FindByName("net_tap0");
        port.Configure(new PortConfig
        {
            RxPool = rxPool,
            RxDescriptors = 512,
            TxDescriptors = 512,
            RxInterrupts = mode != RxMode.Poll,
        });
        port.Start();
        var namespaceMade = false;
        DpdkInterface? stack = null;
        var exit = 1;
        try
        {
            Sh.AddNamespace(netns);
            namespaceMade = true;
            Sh.Check("ip", "link", "set", iface, "netns", netns);
            Sh.Check("ip", "-n", netns, "addr", "add", $"{KernelAddress}/24", "dev", iface);
            Sh.Check("ip", "-n", netns, "link", "set", iface, "up");

            // The EAL pinned this thread to CPU 0 and the reactor would inherit it: unpinned, it is scheduled
            // like the kernel reference's echo thread (a sleeping reactor pinned to a busy CPU waits for it).
            Unpin();
            stack = new DpdkInterface(port, txPool, new InterfaceOptions
            {
                Name = "tap",
                Mac = MacAddress.Parse("02:77:00:00:00:02"), // net_tap gives the kernel end the port's MAC
                Address = Ipv4Address.Parse(StackAddress),
                PrefixLength = 24,
                Mtu = 1500,
                PublishMetrics = false,
            },
            reactorOptions: new ReactorOptions { ThreadName = "reactor-latency", SpinIterationsBeforeSleep = int.MaxValue },
            rxWait: mode == RxMode.Poll ? null : new RxWaitOptions { Mode = mode });
            stack.Start();
            using var echo = new UdpSocket(stack.Reactor);
            echo.Bind(new IPEndPoint(IPAddress.Any, EchoPort));
            echo.SetHandler(static d => d.Reply(d.Payload));
            var tid = ReactorThreadId();
            Console.Error.WriteLine($"stack {mode}: reactor thread {tid}, {File.ReadLines($"/proc/self/task/{tid}/status").First(l => l.StartsWith("Cpus_allowed_list", StringComparison.Ordinal))}");

            var client = Sh.InNamespace(netns, TimeSpan.FromSeconds(90), ["client", StackAddress, EchoPort.ToString(CultureInfo.InvariantCulture), .. plan.ToArgs()]);
            var result = client.Output.Split('\n').LastOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal))
                ?? throw new InvalidOperationException($"client ({client.ExitCode}) printed no RESULT: {client.Output}");

            // Quiet: the client is gone, the kernel end sends nothing (no IPv6; ARP stays quiet without traffic).
            Thread.Sleep(300);
            var (ticks0, ns0) = CpuTime(tid);
            var wall = Stopwatch.StartNew();
            Thread.Sleep(IdleWindow);
            var (ticks1, ns1) = CpuTime(tid);
            double ms = wall.Elapsed.TotalMilliseconds;
            // utime+stime count USER_HZ (100) ticks of 10 ms; schedstat's nanoseconds resolve far below 1%.
            double percent = 100.0 * (ticks1 - ticks0) * 10 / ms;
            double schedPercent = ns0 < 0 ? double.NaN : 100.0 * (ns1 - ns0) / 1e6 / ms;
            Console.WriteLine($"{result} idle_cpu_percent={Sh.F(percent)} idle_cpu_ticks={ticks1 - ticks0} idle_cpu_window_ms={ms:0} idle_cpu_percent_schedstat={Sh.F(schedPercent)}");
            exit = client.ExitCode;
        }
        finally
        {
            stack?.Dispose();
            if (stack is not null)
            {
                Console.Error.WriteLine($"stack {mode}: rx frames {stack.Core.Counters.FramesReceived}, dropped {stack.Core.Counters.FramesDropped}, tx flush drops {stack.Device.Transmitter.FlushDrops}, handler errors {stack.Reactor.HandlerErrors}, fault {stack.Reactor.Fault?.Message ?? "none"}");
                if (stack.Reactor.Fault is not null)
                {
                    exit = 1;
                }
            }
            port.Stop();
            port.Close(); // the kernel removes the TAP interface, wherever it is
            if (namespaceMade)
            {
                Sh.Run("ip", ["netns", "del", netns], TimeSpan.FromSeconds(30));
            }

            if (rxPool.InUseCount + txPool.InUseCount != 0)
            {
                Console.Error.WriteLine($"stack {mode}: mbufs in use at the end: rx {rxPool.InUseCount}, tx {txPool.InUseCount}");
                exit = 1;
            }
            rxPool.TryDispose(out _);
            txPool.TryDispose(out _);
        }
        return exit;
    }

    /// <summary>The reactor's kernel thread id, by name (comm keeps 15 characters).</summary>
    private static string ReactorThreadId()
    {
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            var comm = File.ReadAllText(Path.Combine(task, "comm")).Trim();
            if (comm.StartsWith("reactor-", StringComparison.Ordinal) || comm.StartsWith(".NET reactor", StringComparison.Ordinal))
            {
                return Path.GetFileName(task);
            }
        }
        throw new InvalidOperationException("no reactor thread in /proc/self/task");
    }

    /// <summary>utime+stime in ticks (proc(5) stat fields 14 and 15) and, when the kernel keeps it, schedstat's time on CPU in ns (-1 if not).</summary>
    private static (long Ticks, long Ns) CpuTime(string tid)
    {
        var stat = File.ReadAllText($"/proc/self/task/{tid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        var schedstat = $"/proc/self/task/{tid}/schedstat";
        long ns = File.Exists(schedstat) ? long.Parse(File.ReadAllText(schedstat).Split(' ')[0], CultureInfo.InvariantCulture) : -1;
        return (ticks, ns);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sched_setaffinity(int pid, nuint size, byte* mask);

    /// <summary>Allows the calling thread (and the threads it creates) every CPU; the kernel keeps those that exist.</summary>
    private static void Unpin()
    {
        const int Bytes = 128;
        byte* mask = stackalloc byte[Bytes];
        new Span<byte>(mask, Bytes).Fill(0xFF);
        if (sched_setaffinity(0, Bytes, mask) != 0)
        {
            throw new InvalidOperationException($"sched_setaffinity failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }
}
