using System.Diagnostics;
using System.Net;
using DpdkSharp.Stack.Dpdk.Tests.Infrastructure;

namespace DpdkSharp.Stack.Dpdk.Tests.Scenarios;

/// <summary>
/// IGMP against the Linux bridge's snooping and querier (RFC 4541): the TAP's kernel end becomes a port of a bridge in
/// the namespace that floods no unregistered multicast to it, so a group reaches the stack only once the bridge has
/// learned from the stack's reports that the port wants it, and forgets it after the stack's Leave: a configured group
/// (learned from the stack's answers to the bridge's queries), and a group a socket joins and drops.
/// </summary>
public static class IgmpScenario
{
    private const string Group = "239.1.2.3";      // configured: InterfaceOptions.MulticastGroups
    private const string SocketGroup = "239.1.2.4"; // joined by a socket while the interface is up
    private const int Port = 5000;

    public static int Run(string iface, string netns)
    {
        using var h = new TapHarness(iface, netns, changeOptions: o => o with { MulticastGroups = [Ipv4Address.Parse(Group)] });
        var failures = 0;
        // Times in centiseconds: a query every 3 s, answers within 1 s, start-up queries 1 s apart, and a member that
        // left is asked twice, 0.5 s apart, before the bridge forgets it.
        Shell.Check("ip", "-n", netns, "link", "add", "br0", "type", "bridge", "mcast_snooping", "1", "mcast_querier", "1",
            "mcast_query_interval", "300", "mcast_query_response_interval", "100", "mcast_startup_query_interval", "100",
            "mcast_last_member_interval", "50");
        Shell.Check("ip", "-n", netns, "addr", "del", $"{TapHarness.KernelAddress}/24", "dev", iface);
        Shell.Check("ip", "-n", netns, "link", "set", iface, "master", "br0");
        Shell.Check("bridge", "-n", netns, "link", "set", "dev", iface, "mcast_flood", "off");
        Shell.Check("ip", "-n", netns, "addr", "add", $"{TapHarness.KernelAddress}/24", "dev", "br0");
        Shell.Check("ip", "-n", netns, "link", "set", "br0", "up");

        // The bridge's start-up queries ask; the stack's reports answer (its own start-up reports went out before the
        // bridge existed).
        var learned = WaitFor(() => Member(h, iface, Group), TimeSpan.FromSeconds(15));
        Console.WriteLine($"SNOOPING learned {Group} on {iface}: {(learned ? "yes" : "no")}");
        failures += learned ? 0 : 1;

        using (var socket = new UdpSocket(h.Stack.Reactor) { ReceiveTimeout = 3000 })
        {
            socket.Bind(new IPEndPoint(IPAddress.Any, Port));
            failures += SendAndReceive(h, socket, Group, "through the snooping bridge");

            socket.JoinMulticastGroup(IPAddress.Parse(SocketGroup));
            var joined = WaitFor(() => Member(h, iface, SocketGroup), TimeSpan.FromSeconds(5));
            Console.WriteLine($"SNOOPING learned the socket's {SocketGroup}: {(joined ? "yes" : "no")}");
            failures += joined ? 0 : 1;
            failures += SendAndReceive(h, socket, SocketGroup, "to the socket's group");
            socket.DropMulticastGroup(IPAddress.Parse(SocketGroup));
            var dropped = WaitFor(() => !Member(h, iface, SocketGroup), TimeSpan.FromSeconds(10));
            Console.WriteLine($"SNOOPING forgot {SocketGroup} after the socket dropped it, kept {Group}: " +
                $"{(dropped && Member(h, iface, Group) ? "yes" : "no")}");
            failures += dropped && Member(h, iface, Group) ? 0 : 1;
        }

        var counters = h.Stack.Core.Counters;
        Console.WriteLine($"IGMP received {counters.ReceivedPackets(NetLayer.Igmp)}, sent {counters.SentPackets(NetLayer.Igmp)}");
        failures += counters.ReceivedPackets(NetLayer.Igmp) > 0 ? 0 : 1;

        // Stopping the stack sends a Leave; the bridge's querier asks for the group and, with nobody answering, forgets it.
        h.Stack.Dispose();
        var forgotten = WaitFor(() => !Member(h, iface, Group), TimeSpan.FromSeconds(10));
        Console.WriteLine($"SNOOPING forgot {Group} after the leave: {(forgotten ? "yes" : "no")}");
        failures += forgotten ? 0 : 1;
        return h.TearDown() && failures == 0 ? 0 : 1;
    }

    /// <summary>Whether the bridge's multicast database holds <paramref name="group"/> on the TAP port.</summary>
    private static bool Member(TapHarness h, string iface, string group) =>
        h.InNamespace("bridge", "mdb", "show", "dev", "br0").Output.Split('\n').Any(l => l.Contains($"port {iface} ") && l.Contains($"grp {group} "));

    /// <summary>A datagram from the namespace to <paramref name="group"/>, which the stack's socket must receive; 1 if it does not.</summary>
    private static int SendAndReceive(TapHarness h, UdpSocket socket, string group, string what)
    {
        var sent = h.ShInNamespace(
            $"echo -n igmp-works | socat -u - UDP4-DATAGRAM:{group}:{Port},ip-multicast-if={TapHarness.KernelAddress},ip-multicast-ttl=1",
            TimeSpan.FromSeconds(10));
        var buffer = new byte[64];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        string received;
        try
        {
            received = System.Text.Encoding.ASCII.GetString(buffer, 0, socket.ReceiveFrom(buffer, ref from));
        }
        catch (System.Net.Sockets.SocketException e)
        {
            received = $"nothing ({e.SocketErrorCode}; socat exit {sent.ExitCode} {sent.All.Trim()})";
        }
        Console.WriteLine($"MULTICAST {what}: {received}");
        return received == "igmp-works" ? 0 : 1;
    }

    private static bool WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (condition())
            {
                return true;
            }
            Thread.Sleep(100);
        }
        return false;
    }
}
