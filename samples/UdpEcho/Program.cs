using System.Net;
using System.Runtime.InteropServices;
using DpdkSharp.Runtime;
using DpdkSharp.Stack;
using DpdkSharp.Stack.Dpdk;
using DpdkSharp.Stack.Interface;
using DpdkSharp.Stack.Sockets;
using DpdkSharp.Wire;

// A UDP echo server on DPDK: answers ping (ICMP echo) and echoes every UDP datagram sent to
// its port, from a handler that runs on the reactor thread with the payload still in the mbuf.
// Usage: DpdkSharp.Samples.UdpEcho [--iface dtap0] [--address 10.77.0.2/24] [--port 7] [--seconds N]
var iface = "dtap0";
var address = "10.77.0.2/24";
var udpPort = 7;
var seconds = 0;
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
var (ip, prefix) = (address.Split('/')[0], address.Contains('/') ? int.Parse(address.Split('/')[1]) : 24);

// net_tap creates a kernel interface named `iface`: the kernel is the other end of the cable.
using var eal = Eal.Initialize(new EalOptions
{
    Lcores = "0",
    UseHugepages = false, // a demo on a TAP port: ordinary memory, whatever hugetlbfs the machine has mounted
    InMemory = true,
    NoTelemetry = true,
    LogLevel = DpdkLogLevel.Error,
    VirtualDevices = [$"net_tap0,iface={iface}"],
});
using var rxPool = Mempool.CreatePacketPool("echo_rx", 2047, 0);
using var txPool = Mempool.CreatePacketPool("echo_tx", 2047, 0);
var port = Port.FindByName("net_tap0");
port.Configure(new PortConfig { RxPool = rxPool });
port.Start();

// net_tap gives the kernel interface the port's MAC; the stack needs one of its own, or each
// end would drop the other's frames as its own. A locally administered address will do.
var stack = new DpdkInterface(port, txPool, new InterfaceOptions
{
    Name = iface,
    Mac = MacAddress.Parse("02:ec:00:00:00:01"),
    Address = Ipv4Address.Parse(ip),
    PrefixLength = prefix,
});
stack.Start();

var echo = new UdpSocket(stack.Reactor);
echo.Bind(new IPEndPoint(IPAddress.Any, udpPort));
long echoed = 0;
echo.SetHandler(datagram =>
{
    // Runs on the reactor: the reply is built straight from the received payload.
    datagram.Reply(datagram.Payload);
    echoed++;
});
Console.WriteLine($"ready: {ip}/{prefix} on {iface} (MAC {stack.Core.Mac}), UDP echo on port {udpPort}");

// Run until Ctrl+C / SIGTERM (or --seconds), then tear down in order: the reactor returns every
// mbuf it holds, then the port closes (removing the kernel interface), then the pools go.
using var stop = new CancellationTokenSource();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
if (seconds > 0)
{
    stop.CancelAfter(TimeSpan.FromSeconds(seconds));
}

stop.Token.WaitHandle.WaitOne();

echo.Dispose();
stack.Dispose();
var c = stack.Core.Counters;
Console.WriteLine($"stopped: {Volatile.Read(ref echoed)} datagrams echoed; frames received {c.FramesReceived}, " +
    $"dropped {c.FramesDropped}; ICMP packets received {c.ReceivedPackets(NetLayer.Icmp)}, sent {c.SentPackets(NetLayer.Icmp)}");
port.Stop();
port.Close();
return 0;
