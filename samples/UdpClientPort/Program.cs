using System.Runtime.InteropServices;
using DpdkSharp.Samples.UdpClientPort;
using DpdkSharp.Stack.Dpdk;

// A UdpClient program and its port to DPDK, side by side: KernelEcho.cs echoes UDP with System.Net.Sockets.UdpClient,
// DpdkEcho.cs is the same code on DPDK's userspace stack with ReactorUdpClient, and the two files differ only in the
// lines that construct things (marked "// port:"). SIGTERM/SIGINT (or --seconds) stops it; it prints what it echoed.
// Usage: DpdkSharp.Samples.UdpClientPort [--iface dtap0] [--address 10.77.0.2/24] [--port 7] [--seconds N] [--kernel]
var options = EchoOptions.Parse(args);
if (options is null)
{
    return 2;
}
using var stop = new CancellationTokenSource();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
if (options.Seconds > 0)
{
    stop.CancelAfter(TimeSpan.FromSeconds(options.Seconds));
}
if (options.Kernel)
{
    await KernelEcho.RunAsync(options, stop.Token);
    return 0;
}
// One call: EAL, pools, the net_tap port (its kernel end is the interface named options.Interface) and the stack's
// interface; on net_tap the stack takes a MAC of its own (the kernel end has the port's).
using var stack = DpdkStack.Start(new DpdkStackOptions { Device = $"net_tap0,iface={options.Interface}", Address = options.Address });
await DpdkEcho.RunAsync(stack, options, stop.Token);
// Interface (its reactor returns every mbuf it holds), port, pools, EAL: in that order.
stack.Dispose();
Console.WriteLine($"stack stopped: mbufs not returned {stack.MbufsInUseAtStop}");
return stack.MbufsInUseAtStop == 0 ? 0 : 1;
