using DpdkSharp.Runtime;

// DPDK's skeleton in C#: ports in pairs (0<->1, 2<->3, ...), whatever arrives on one is sent out of the other.
// Usage: DpdkSharp.Samples.Forwarder [--seconds N] [EAL arguments, e.g. --vdev net_ring0 --vdev net_ring1]
var seconds = 0;
var ealArgs = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--seconds")
    {
        seconds = int.Parse(args[++i]);
    }
    else
    {
        ealArgs.Add(args[i]);
    }
}

using var eal = Eal.Initialize(new EalOptions { Lcores = "0", InMemory = true, ExtraArguments = ealArgs });
var ports = Port.All;
if (ports.Count == 0 || ports.Count % 2 != 0)
{
    Console.Error.WriteLine($"Need an even number of ports, got {ports.Count} (add e.g. --vdev net_ring0 --vdev net_ring1).");
    return 1;
}

var pool = Mempool.CreatePacketPool("forwarder_pool", 8191 * ports.Count, 250);
foreach (var port in ports)
{
    port.Configure(new PortConfig { RxPool = pool });
    port.Start();
    TryPromiscuous(port); // forward every frame, not only those addressed to the port
    Console.WriteLine($"{port} {port.Name}: {port.MacAddress}");
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
if (seconds > 0)
{
    stop.CancelAfter(TimeSpan.FromSeconds(seconds));
}

var started = System.Diagnostics.Stopwatch.StartNew();
var forwarded = Forward(ports, stop.Token);
var elapsed = started.Elapsed.TotalSeconds;
Console.WriteLine($"forwarded {forwarded} packets in {elapsed:F1} s ({forwarded / elapsed / 1e6:F2} Mpps)");
foreach (var port in ports)
{
    var stats = port.Stats;
    Console.WriteLine($"{port} {port.Name}: rx {stats.RxPackets} packets / {stats.RxBytes} bytes, tx {stats.TxPackets} packets / {stats.TxBytes} bytes");
}
Console.WriteLine($"pool: {pool.InUseCount} mbufs in use after the run");
foreach (var port in ports)
{
    port.Stop();
    port.Close();
}
pool.Dispose();
return 0;

// The poll loop: no allocation per packet; what a full transmit queue refuses is dropped (freed).
static ulong Forward(IReadOnlyList<Port> ports, CancellationToken stop)
{
    var rx = ports.Select(p => p.GetRxQueue(0)).ToArray();
    var tx = ports.Select(p => p.GetTxQueue(0)).ToArray();
    Span<nint> slots = stackalloc nint[32];
    var burst = new MbufBurst(slots);
    ulong forwarded = 0;
    while (!stop.IsCancellationRequested)
    {
        for (var i = 0; i < rx.Length; i++)
        {
            if (rx[i].Receive(ref burst) == 0)
            {
                continue;
            }

            forwarded += (ulong)tx[i ^ 1].Transmit(ref burst);
            burst.FreeAll();
        }
    }
    return forwarded;
}

static void TryPromiscuous(Port port)
{
    try
    {
        port.Promiscuous = true;
    }
    catch (DpdkException e) when (e.ErrorCode == 95 /* ENOTSUP: e.g. virtual devices */)
    {
    }
}
