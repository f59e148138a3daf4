using System.Net;
using System.Net.Sockets;

namespace DpdkSharp.Stack.Dpdk.Tests.Scenarios;

/// <summary>
/// Runs inside the test's network namespace (<c>ip netns exec</c>): the Linux kernel's own UDP
/// sockets talk to the stack. Echo through the stack's zero-copy handler on port 7, with
/// datagrams up to 20000 bytes (the kernel fragments them, the stack reassembles, replies are
/// fragmented by the stack and reassembled by the kernel); then a closed stack port, which the
/// kernel must report as refused (the stack's ICMP port unreachable, RFC 1122 §4.1.3.1).
/// </summary>
public static class KernelClient
{
    public static readonly int[] EchoSizes = [1, 100, 1472, 1473, 4000, 20000];

    public static int Run(string stackAddress)
    {
        var target = IPAddress.Parse(stackAddress);
        var failures = 0;
        using (var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 3000 })
        {
            s.Connect(target, 7);
            var buffer = new byte[65536];
            foreach (var size in EchoSizes)
            {
                var payload = new byte[size];
                Random.Shared.NextBytes(payload);
                s.Send(payload);
                int n = s.Receive(buffer);
                bool same = buffer.AsSpan(0, n).SequenceEqual(payload);
                Console.WriteLine($"KERNEL->STACK echo {size}: {(same ? "ok" : $"MISMATCH ({n} bytes)")}");
                failures += same ? 0 : 1;
            }
        }
        using (var c = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 3000 })
        {
            c.Connect(target, 9999);
            c.Send("anyone?"u8);
            SocketError error = SocketError.Success;
            try
            {
                c.Receive(new byte[16]);
            }
            catch (SocketException e)
            {
                error = e.SocketErrorCode;
            }
            Console.WriteLine($"KERNEL->STACK closed port: {error}");
            failures += error == SocketError.ConnectionRefused ? 0 : 1;
        }
        return failures == 0 ? 0 : 1;
    }
}
