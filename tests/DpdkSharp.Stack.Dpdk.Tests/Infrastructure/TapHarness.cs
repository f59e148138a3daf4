using DpdkSharp.Runtime;
using DpdkSharp.Runtime.Polling;

namespace DpdkSharp.Stack.Dpdk.Tests.Infrastructure;

/// <summary>
/// The stack on a net_tap port whose kernel side lives in a network namespace made for the run:
/// kernel 10.77.0.1/24, stack 10.77.0.2/24. Runs in a scenario process (one EAL per process).
/// Teardown stops the reactor, stops and closes the port (the kernel then removes the TAP
/// interface), deletes the namespace and checks that both pools are back to zero mbufs in use.
/// With <c>checksumOffloads</c> the port computes IPv4 and UDP checksums on transmit and judges
/// them on receive (the tap PMD does both in its own code), and the stack leaves them to it;
/// <c>tcpChecksumOffload</c> adds TCP's (and IPv4's) to them.
/// </summary>
public sealed class TapHarness : IDisposable
{
    public const string KernelAddress = "10.77.0.1";
    public const string StackAddress = "10.77.0.2";
    public const string StackMac = "02:77:00:00:00:02";

    private readonly Eal _eal;
    private readonly Mempool _rxPool;
    private readonly Mempool _txPool;
    private readonly Port _port;
    private bool _namespaceMade;

    /// <param name="decorateDevice">When given, the reactor runs on what it makes of the port queue's device (an <c>ImpairedDevice</c>, say).</param>
    /// <param name="tcpChecksumOffload">The port also computes and judges TCP checksums (with IPv4's).</param>
    /// <param name="changeOptions">Changes the stack's interface options (multicast groups, say) before it starts.</param>
    public TapHarness(string iface, string netns, bool checksumOffloads = false, RxWaitOptions? rxWait = null,
        Func<PortQueueDevice, IReactorDevice>? decorateDevice = null, bool tcpChecksumOffload = false,
        Func<InterfaceOptions, InterfaceOptions>? changeOptions = null)
    {
        Interface = iface;
        Namespace = netns;
        _eal = Eal.Initialize(new EalOptions
        {
            Lcores = "0",
            UseHugepages = false,
            InMemory = true,
            NoTelemetry = true,
            LogLevel = DpdkLogLevel.Error,
            VirtualDevices = [$"net_tap0,iface={iface}"],
        });
        // Separate pools: the tap PMD keeps a receive buffer per descriptor until the port closes,
        // the transmit pool is the stack's alone.
        _rxPool = Mempool.CreatePacketPool("tap_rx", 2047, 0);
        _txPool = Mempool.CreatePacketPool("tap_tx", 2047, 0);
        _port = Port.FindByName("net_tap0");
        var rxOffloads = checksumOffloads ? RxOffloads.Ipv4Checksum | RxOffloads.UdpChecksum : RxOffloads.None;
        var txOffloads = checksumOffloads ? TxOffloads.Ipv4Checksum | TxOffloads.UdpChecksum : TxOffloads.None;
        if (tcpChecksumOffload)
        {
            rxOffloads |= RxOffloads.Ipv4Checksum | RxOffloads.TcpChecksum;
            txOffloads |= TxOffloads.Ipv4Checksum | TxOffloads.TcpChecksum;
        }
        _port.Configure(new PortConfig
        {
            RxPool = _rxPool,
            RxDescriptors = 512,
            TxDescriptors = 512,
            RxOffloads = rxOffloads,
            TxOffloads = txOffloads,
            RxInterrupts = rxWait is { Mode: not RxMode.Poll },
        });
        _port.Start();

        Shell.Check("ip", "netns", "add", netns);
        _namespaceMade = true;
        Shell.Check("ip", "link", "set", iface, "netns", netns);
        Shell.Check("ip", "-n", netns, "addr", "add", $"{KernelAddress}/24", "dev", iface);
        Shell.Check("ip", "-n", netns, "link", "set", iface, "up");
        Shell.Check("ip", "-n", netns, "link", "set", "lo", "up");

        // net_tap gives the kernel interface the port's own MAC, so the stack takes another one:
        // with the same address on both ends, each side would drop the other's frames as its own.
        Console.WriteLine($"port MAC {_port.MacAddress}; kernel side: {Shell.Check("ip", "-n", netns, "-br", "link", "show", iface).Trim()}");
        var options = new InterfaceOptions
        {
            Name = "tap",
            Mac = MacAddress.Parse(StackMac),
            Address = Ipv4Address.Parse(StackAddress),
            PrefixLength = 24,
            Mtu = 1500,
        };
        options = changeOptions?.Invoke(options) ?? options;
        Stack = decorateDevice is null
            ? new DpdkInterface(_port, _txPool, options, rxWait: rxWait)
            : new DpdkInterface(_port, _txPool, options, decorateDevice);
        Stack.Start();
    }

    public string Interface { get; }
    public string Namespace { get; }
    public DpdkInterface Stack { get; }

    /// <summary>Runs a command inside the namespace.</summary>
    public Shell.Result InNamespace(params string[] command) =>
        Shell.Run("ip", ["netns", "exec", Namespace, .. command], TimeSpan.FromSeconds(60));

    /// <summary>Runs a shell command line (redirections, pipes) inside the namespace, killed after <paramref name="timeout"/>.</summary>
    public Shell.Result ShInNamespace(string script, TimeSpan timeout) =>
        Shell.Run("ip", ["netns", "exec", Namespace, "sh", "-c", script], timeout);

    /// <summary>Starts a command inside the namespace; the caller owns (and kills) the process.</summary>
    public System.Diagnostics.Process StartInNamespace(params string[] command) =>
        Shell.Start("ip", ["netns", "exec", Namespace, .. command]);

    /// <summary>Waits until something in the namespace listens on <paramref name="port"/> (TCP, or UDP when <paramref name="udp"/>).</summary>
    public void WaitForListener(int port, bool udp = false)
    {
        var deadline = Environment.TickCount64 + 10_000;
        while (Environment.TickCount64 < deadline)
        {
            if (InNamespace("ss", udp ? "-Huln" : "-Htln").Output.Contains($":{port} "))
            {
                return;
            }

            Thread.Sleep(20);
        }
        throw new TimeoutException($"nothing listens on {(udp ? "UDP" : "TCP")} port {port} in {Namespace}");
    }

    /// <summary>A kernel counter of the namespace: <paramref name="section"/> "Tcp:" in /proc/net/snmp, "TcpExt:" in /proc/net/netstat.</summary>
    public long KernelCounter(string section, string name) =>
        KernelCounter(InNamespace("cat", section == "TcpExt:" ? "/proc/net/netstat" : "/proc/net/snmp").Output, section, name);

    /// <summary>A counter from /proc/net/snmp or /proc/net/netstat, whose sections are a header line and a value line with the same prefix.</summary>
    public static long KernelCounter(string table, string section, string name)
    {
        var lines = table.Split('\n').Where(l => l.StartsWith(section, StringComparison.Ordinal)).ToArray();
        if (lines.Length < 2)
        {
            throw new InvalidOperationException($"no '{section}' section in the kernel's counters");
        }

        var names = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var values = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int i = Array.IndexOf(names, name);
        if (i < 0)
        {
            throw new InvalidOperationException($"no {section} {name} in the kernel's counters");
        }

        return long.Parse(values[i]);
    }

    /// <summary>Tears down; prints the pool counts and returns whether every mbuf came back.</summary>
    public bool TearDown()
    {
        Stack.Dispose();
        if (Stack.Reactor.Fault is { } fault)
        {
            Console.WriteLine($"REACTOR FAULT {fault}");
        }

        Console.WriteLine($"counters: rx frames {Stack.Core.Counters.FramesReceived}, dropped {Stack.Core.Counters.FramesDropped}, " +
            $"tx frames {Stack.Device.Transmitter.FramesSent}, flush drops {Stack.Device.Transmitter.FlushDrops}");
        Console.WriteLine(DropSummary(Stack.Core.Counters));
        _port.Stop();
        _port.Close(); // the kernel removes the TAP interface, wherever it is
        if (_namespaceMade)
        {
            Shell.Check("ip", "netns", "del", Namespace);
            _namespaceMade = false;
        }
        int rx = _rxPool.InUseCount, tx = _txPool.InUseCount;
        Console.WriteLine($"POOLS in use: rx {rx}, tx {tx}");
        return rx == 0 && tx == 0 && Stack.Reactor.Fault is null;
    }

    /// <summary>Non-zero drop counters by stage and reason (expected: IPv6 and other kernel chatter as UnsupportedProtocol).</summary>
    public static string DropSummary(NetCounters counters)
    {
        var parts = new List<string>();
        foreach (var stage in Enum.GetValues<DropStage>())
        {
            foreach (var reason in Enum.GetValues<DropReason>())
            {
                if (counters.DropCount(reason, stage) is > 0 and var n)
                {
                    parts.Add($"{stage}/{reason}={n}");
                }
            }
        }

        return "drops: " + (parts.Count == 0 ? "none" : string.Join(", ", parts));
    }

    public void Dispose()
    {
        if (_namespaceMade)
        {
            try
            {
                TearDown();
            }
            catch (Exception e)
            {
                Console.WriteLine($"teardown failed: {e.Message}");
                Shell.Run("ip", "netns", "del", Namespace);
            }
        }
        _rxPool.TryDispose(out _);
        _txPool.TryDispose(out _);
        _eal.Dispose();
    }
}
