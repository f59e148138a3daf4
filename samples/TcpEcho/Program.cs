using System.Runtime.InteropServices;
using DpdkSharp.Samples.TcpEcho;

// A TCP echo server on DPDK's userspace stack: every byte of each connection comes back, and the
// server closes its side once the client closed its own and everything is echoed (half-close).
// SIGTERM/SIGINT (or --seconds) stops it gracefully: open connections get their FIN, then it prints
// its counters and exits 0 (1 if an mbuf did not come back to its pool). `--kernel` runs the same server on
// kernel sockets, for comparison: see DpdkServer.cs and KernelServer.cs side by side — only the lines that construct things differ.
// Usage: DpdkSharp.Samples.TcpEcho [--iface dtap0] [--address 10.77.0.2/24] [--port 7] [--seconds N] [--kernel]
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
var stats = new EchoStats();
if (options.Kernel)
{
    await KernelServer.RunAsync(options, stats, stop.Token);
    return 0;
}
return await DpdkServer.RunAsync(options, stats, stop.Token);
