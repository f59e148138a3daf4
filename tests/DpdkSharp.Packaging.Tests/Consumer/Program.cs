// The consumer app the packaging test builds OUTSIDE the repository from the packed feed (its project is
// written by the test, referencing DpdkSharp.Stack.Dpdk by version): nothing here comes from the repo's build.
// It shows the version guard's refusal of another DPDK, then runs a UDP echo and a TCP echo (same port number)
// on net_tap until its standard input closes (or --seconds pass), and prints its counters.
// Usage: Consumer --iface NAME --address A.B.C.D/N --port P --seconds S
using System.Net;
using System.Net.Sockets;
using DpdkSharp.Interop;
using DpdkSharp.Runtime;
using DpdkSharp.Stack.Dpdk;
using DpdkSharp.Stack.Interface;
using DpdkSharp.Stack.Sockets;
using DpdkSharp.Wire;

string iface = "", address = "";
int udpPort = 7, seconds = 60;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--iface": iface = args[++i]; break;
        case "--address": address = args[++i]; break;
        case "--port": udpPort = int.Parse(args[++i]); break;
        case "--seconds": seconds = int.Parse(args[++i]); break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}

// What a user running another DPDK would see at start.
try
{
    BindingsVersion.EnsureMatches("DPDK 21.11.0");
    Console.WriteLine("guard: accepted DPDK 21.11.0");
}
catch (BindingsVersionMismatchException e)
{
    Console.WriteLine($"guard: {e.Message}");
}
Console.WriteLine($"bindings: generated {BindingsVersion.Generated}, loaded {BindingsVersion.Loaded}");

// --no-huge --no-pci --no-shconf --vdev=net_tap0,iface=<iface>
using var eal = Eal.Initialize(new EalOptions
{
    Lcores = "0",
    UseHugepages = false,
    InMemory = true,
    NoTelemetry = true,
    LogLevel = DpdkLogLevel.Error,
    VirtualDevices = [$"net_tap0,iface={iface}"],
});
using var rxPool = Mempool.CreatePacketPool("consumer_rx", 2047, 0);
using var txPool = Mempool.CreatePacketPool("consumer_tx", 2047, 0);
var port = Port.FindByName("net_tap0");
port.Configure(new PortConfig { RxPool = rxPool });
port.Start();

var (ip, prefix) = (address.Split('/')[0], int.Parse(address.Split('/')[1]));
var stack = new DpdkInterface(port, txPool, new InterfaceOptions
{
    Name = iface,
    Mac = MacAddress.Parse("02:ec:00:00:00:02"),   // net_tap gives the kernel end the port's own MAC
    Address = Ipv4Address.Parse(ip),
    PrefixLength = prefix,
});
stack.Start();

var echo = new UdpSocket(stack.Reactor);
echo.Bind(new IPEndPoint(IPAddress.Any, udpPort));
long echoed = 0;
echo.SetHandler(datagram =>
{
    datagram.Reply(datagram.Payload);
    Interlocked.Increment(ref echoed);
});
// TCP, written as for TcpListener: every byte back, then our FIN after the peer's (half-close).
var listener = new TcpSocketListener(stack.Reactor, udpPort);
listener.Start();
long tcpEchoed = 0;
var accepting = Task.Run(async () =>
{
    try
    {
        while (true)
        {
            var client = await listener.AcceptTcpClientAsync();
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    var stream = client.GetStream();
                    var buffer = new byte[16 * 1024];
                    int n;
                    while ((n = await stream.ReadAsync(buffer)) > 0)
                    {
                        await stream.WriteAsync(buffer.AsMemory(0, n));
                        Interlocked.Add(ref tcpEchoed, n);
                    }
                    client.Shutdown(SocketShutdown.Send);
                }
            });
        }
    }
    catch (SocketException e) when (e.SocketErrorCode == SocketError.OperationAborted)
    {
        // The listener stopped.
    }
});
Console.WriteLine($"ready: {ip}/{prefix} on {iface}, UDP and TCP echo on port {udpPort}");

// Until the test closes standard input, or the safety limit.
var stdinClosed = Task.Run(() => { while (Console.In.ReadLine() is not null) { } });
var inTime = stdinClosed.Wait(TimeSpan.FromSeconds(seconds));

echo.Dispose();
listener.Stop();
await accepting;
stack.Dispose();
Console.WriteLine($"stopped: {Interlocked.Read(ref echoed)} datagrams echoed, {Interlocked.Read(ref tcpEchoed)} TCP bytes echoed{(inTime ? "" : " (time limit)")}");
port.Stop();
port.Close();
Console.WriteLine($"pools in use: rx {rxPool.InUseCount}, tx {txPool.InUseCount}");
return inTime ? 0 : 3;
