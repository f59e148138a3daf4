// The second consumer app the packaging test builds OUTSIDE the repository from the packed feed, with
// <DpdkSharpRegenerateBindings>true</DpdkSharpRegenerateBindings>: its build generated DpdkSharp.Bindings and the native
// shim for the installed DPDK. It says which bindings assembly it loaded, then starts the EAL on a net_ring port
// (which loops what it sends back to its receive queue), sends a burst of frames round it, checks every byte that
// came back, frees them and prints how many mbufs the pool still has out (0 when none leaked).
using System.Reflection;
using DpdkSharp.Interop;
using DpdkSharp.Runtime;

var bindings = typeof(BindingsVersion).Assembly;
Console.WriteLine($"bindings assembly: {bindings.Location}");
Console.WriteLine($"bindings version: {bindings.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion}");

using var eal = Eal.Initialize(new EalOptions
{
    Lcores = "0",
    UseHugepages = false,
    InMemory = true,
    NoTelemetry = true,
    LogLevel = DpdkLogLevel.Error,
    VirtualDevices = ["net_ring0"],
});
Console.WriteLine($"bindings: generated {BindingsVersion.Generated}, loaded {BindingsVersion.Loaded}");

const int count = 32, length = 128;
var received = 0;
var intact = 0;
using var pool = Mempool.CreatePacketPool("regen_pool", 1023, cacheSize: 0);
using (var port = Port.FindByName("net_ring0"))
{
    port.Configure(new PortConfig { RxPool = pool });
    port.Start();
    var rx = port.GetRxQueue(0);
    var tx = port.GetTxQueue(0);

    Span<nint> slots = stackalloc nint[count];
    var burst = new MbufBurst(slots);
    if (!pool.AllocBulk(ref burst, count))
    {
        Console.WriteLine("error: no mbufs");
        return 1;
    }

    var index = 0;
    foreach (var m in burst)
    {
        m.Append(length, out var frame);
        frame.Fill((byte)index++);
    }

    var sent = tx.Transmit(ref burst);
    burst.FreeAll();   // what the ring did not take, if anything
    for (var spins = 0; received < sent && spins < 100_000; spins++)
    {
        received += rx.Receive(ref burst);
    }

    for (var i = 0; i < burst.Count; i++)
    {
        var data = burst[i].Data;
        if (data.Length == length && !data.ContainsAnyExcept((byte)i))
        {
            intact++;
        }
    }

    burst.FreeAll();
    Console.WriteLine($"round trip: {sent} sent, {received} received, {intact} intact");
}

Console.WriteLine($"pool in use: {pool.InUseCount}");
return received == count && intact == count && pool.InUseCount == 0 ? 0 : 1;
