using DpdkSharp.Runtime;
using DpdkSharp.Wire;

// Sends every frame back where it came from, source and destination MAC swapped.
// Usage: DpdkSharp.Samples.Reflector [--seconds N] [EAL arguments, e.g. --vdev net_tap0]
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
if (ports.Count == 0)
{
    Console.Error.WriteLine("No port (add e.g. --vdev net_ring0).");
    return 1;
}

var pool = Mempool.CreatePacketPool("reflector_pool", 8191, 250);
foreach (var port in ports)
{
    port.Configure(new PortConfig { RxPool = pool });
    port.Start();
    Console.WriteLine($"{port} {port.Name}: {port.MacAddress}");
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
if (seconds > 0)
{
    stop.CancelAfter(TimeSpan.FromSeconds(seconds));
}

var reflected = Reflect(ports, stop.Token);
Console.WriteLine($"reflected {reflected} packets");
foreach (var port in ports)
{
    port.Stop();
    port.Close();
}
pool.Dispose();
return 0;

static ulong Reflect(IReadOnlyList<Port> ports, CancellationToken stop)
{
    var rx = ports.Select(p => p.GetRxQueue(0)).ToArray();
    var tx = ports.Select(p => p.GetTxQueue(0)).ToArray();
    Span<nint> slots = stackalloc nint[32];
    var burst = new MbufBurst(slots);
    ulong reflected = 0;
    while (!stop.IsCancellationRequested)
    {
        for (var i = 0; i < rx.Length; i++)
        {
            if (rx[i].Receive(ref burst) == 0)
            {
                continue;
            }

            foreach (var m in burst)
            {
                if (m.DataLength >= EthernetFrame.HeaderLength)
                {
                    EthernetFrame.SwapAddresses(m.Data);
                }
            }
            reflected += (ulong)tx[i].Transmit(ref burst);
            burst.FreeAll(); // what the queue refused
        }
    }
    return reflected;
}
