using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using DpdkSharp.Stack.Dpdk.Tests.Infrastructure;

namespace DpdkSharp.Stack.Dpdk.Tests.Scenarios;

/// <summary>The stack on net_tap against the Linux kernel in a namespace (see <see cref="TapHarness"/>).</summary>
public static partial class KernelScenarios
{
    /// <summary>ARP from the kernel, 1000 pings, and pings of 1472 and 4000 bytes (the latter fragmented by the kernel).</summary>
    public static int Ping(string iface, string netns)
    {
        using var h = new TapHarness(iface, netns);
        var failures = 0;

        var first = h.InNamespace("ping", "-c", "1", "-W", "2", TapHarness.StackAddress);
        var neighbour = h.InNamespace("ip", "neigh", "show", TapHarness.StackAddress).Output.Trim();
        var mac = h.Stack.Core.Mac.ToString();
        bool resolved = neighbour.Contains(mac, StringComparison.OrdinalIgnoreCase);
        Console.WriteLine($"ARP kernel->stack: {(resolved ? "resolved" : "NOT RESOLVED")} ({neighbour}; stack MAC {mac}; first ping exit {first.ExitCode})");
        failures += resolved ? 0 : 1;

        failures += PingRun(h, "1000 pings", "-c", Environment.GetEnvironmentVariable("PINGS") ?? "1000", "-i", "0.002", "-q", "-W", "1");
        failures += PingRun(h, "size 1472", "-c", "20", "-i", "0.01", "-q", "-W", "1", "-s", "1472");
        failures += PingRun(h, "size 4000", "-c", "20", "-i", "0.01", "-q", "-W", "1", "-s", "4000");

        Console.WriteLine($"reassembled datagrams seen by the stack: {h.Stack.Core.Counters.FramesBuffered} fragments buffered");
        return h.TearDown() && failures == 0 ? 0 : 1;
    }

    /// <summary>Pings the stack from the namespace; prints "PING label: sent N, received N, lost N" and returns 1 unless all came back.</summary>
    internal static int PingRun(TapHarness h, string label, params string[] options)
    {
        var r = h.InNamespace(["ping", .. options, TapHarness.StackAddress]);
        var m = PingSummary().Match(r.Output);
        if (!m.Success)
        {
            Console.WriteLine($"PING {label}: no summary ({r.All.Trim()})");
            return 1;
        }
        int sent = int.Parse(m.Groups[1].Value), received = int.Parse(m.Groups[2].Value);
        Console.WriteLine($"PING {label}: sent {sent}, received {received}, lost {sent - received}");
        return sent > 0 && sent == received ? 0 : 1;
    }

    [GeneratedRegex(@"(\d+) packets transmitted, (\d+) received")]
    private static partial Regex PingSummary();

    /// <summary>
    /// UDP both ways: the kernel's sockets against the stack's zero-copy echo handler and a closed
    /// stack port (<see cref="KernelClient"/>, run inside the namespace); the stack's
    /// <see cref="UdpSocket"/> against a socat echo in the namespace, then against a closed kernel
    /// port (ICMP port unreachable → ConnectionRefused on the connected socket's next receive).
    /// </summary>
    public static int Udp(string iface, string netns, bool checksumOffloads = false)
    {
        using var h = new TapHarness(iface, netns, checksumOffloads);
        var failures = 0;
        var reactor = h.Stack.Reactor;

        using (var echo = new UdpSocket(reactor))
        {
            echo.Bind(new IPEndPoint(IPAddress.Any, 7));
            echo.SetHandler(static d => d.Reply(d.Payload));
            var client = Shell.RunScenario("kernel-client", netns, TapHarness.StackAddress);
            Console.Write(client.All);
            failures += client.ExitCode == 0 ? 0 : 1;
        }

        using (var socat = Shell.Start("ip", ["netns", "exec", netns, "socat", "-b", "65536", "-T", "30", "UDP4-LISTEN:9000,reuseaddr", "PIPE"]))
        {
            try
            {
                h.WaitForListener(9000, udp: true);
                using var s = new UdpSocket(reactor) { ReceiveTimeout = 3000 };
                s.Connect(new IPEndPoint(IPAddress.Parse(TapHarness.KernelAddress), 9000));
                var buffer = new byte[65536];
                foreach (var size in new[] { 1, 100, 1472, 1473, 8000, 30000 })
                {
                    var payload = new byte[size];
                    Random.Shared.NextBytes(payload);
                    s.Send(payload);
                    int n = s.Receive(buffer);
                    bool same = buffer.AsSpan(0, n).SequenceEqual(payload);
                    Console.WriteLine($"STACK->KERNEL socat echo {size}: {(same ? "ok" : $"MISMATCH ({n} bytes)")}");
                    failures += same ? 0 : 1;
                }
            }
            finally
            {
                socat.Kill(entireProcessTree: true);
                socat.WaitForExit();
            }
        }

        using (var c = new UdpSocket(reactor) { ReceiveTimeout = 3000 })
        {
            c.Connect(new IPEndPoint(IPAddress.Parse(TapHarness.KernelAddress), 9998));
            c.Send("anyone?"u8);
            var error = SocketError.Success;
            try
            {
                c.Receive(new byte[16]);
            }
            catch (SocketException e)
            {
                error = e.SocketErrorCode;
            }
            Console.WriteLine($"STACK->KERNEL closed port: {error}");
            failures += error == SocketError.ConnectionRefused ? 0 : 1;
        }

        if (checksumOffloads)
        {
            failures += ReportOffloads(h);
        }

        return h.TearDown() && failures == 0 ? 0 : 1;
    }

    /// <summary>
    /// What the offloaded run must show: the stack left transmit checksums to the port, the port
    /// judged received ones, and the kernel counted no checksum errors on what the port sent
    /// (RFC 1122 §3.2.1.2 and §4.1.3.4: a receiver drops what fails, so a wrong checksum would also
    /// have failed the echoes above).
    /// </summary>
    private static int ReportOffloads(TapHarness h)
    {
        // ICMP too: echo replies whose IPv4 checksum the device fills in, whole and fragmented.
        int failures = PingRun(h, "offload 20", "-c", "20", "-i", "0.01", "-q", "-W", "1");
        failures += PingRun(h, "offload size 4000", "-c", "10", "-i", "0.01", "-q", "-W", "1", "-s", "4000");
        var snmp = h.InNamespace("cat", "/proc/net/snmp").Output;
        long udpChecksumErrors = TapHarness.KernelCounter(snmp, "Udp:", "InCsumErrors");
        long ipHeaderErrors = TapHarness.KernelCounter(snmp, "Ip:", "InHdrErrors");
        Console.WriteLine($"OFFLOAD interface: {h.Stack.Core.Options.Offloads}; device verdicts on {h.Stack.Device.DeviceChecksumVerdicts} received frames; " +
            $"kernel Udp InCsumErrors {udpChecksumErrors}, Ip InHdrErrors {ipHeaderErrors}");
        bool ok = h.Stack.Core.Options.Offloads == (ChecksumOffloads.Ipv4Tx | ChecksumOffloads.UdpTx)
            && h.Stack.Device.DeviceChecksumVerdicts > 0 && udpChecksumErrors == 0 && ipHeaderErrors == 0;
        Console.WriteLine($"OFFLOAD checks: {(ok ? "ok" : "FAILED")}");
        return failures + (ok ? 0 : 1);
    }
}
