using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DpdkSharp.Stack.Dpdk.Tests.Infrastructure;

namespace DpdkSharp.Stack.Dpdk.Tests.Scenarios;

/// <summary>
/// The reassembly denial of service of #11 against the real stack: from the kernel side, an attacker
/// sends first fragments that are never completed, from thousands of spoofed sources, while a
/// legitimate peer pings with datagrams the kernel fragments. The pings must keep coming back.
/// </summary>
public static class FragmentFlood
{
    public static int Run(string iface, string netns)
    {
        using var h = new TapHarness(iface, netns);
        var failures = 0;
        h.InNamespace("ping", "-c", "1", "-W", "2", TapHarness.StackAddress); // ARP first: raw sends need the neighbour

        using var attacker = Shell.Start("ip", ["netns", "exec", netns, "dotnet", "exec", typeof(FragmentFlood).Assembly.Location,
            "scenario", "fragment-attacker", TapHarness.StackAddress, "20000"]);
        failures += KernelScenarios.PingRun(h, "size 4000 under flood", "-c", "20", "-i", "0.1", "-q", "-W", "2", "-s", "4000");
        attacker.WaitForExit(60_000);
        var attackerOutput = attacker.StandardOutput.ReadToEnd();
        Console.Write(attackerOutput);
        var counters = h.Stack.Core.Counters;
        long evicted = counters.DropCount(DropReason.ReassemblyLimit, DropStage.Buffered);
        Console.WriteLine($"FLOOD fragments buffered {counters.FramesBuffered}, partial datagrams evicted {evicted}, held now {h.Stack.Core.Reassembly.BufferedBytes} bytes");
        failures += attackerOutput.Contains("ATTACK sent 20000") ? 0 : 1;
        return h.TearDown() && failures == 0 ? 0 : 1;
    }

    /// <summary>
    /// Inside the namespace: 20000 first fragments (MF set, 8 bytes of UDP, never completed), each from
    /// another spoofed source in 198.18.0.0/15 (the benchmarking range), through a raw socket.
    /// </summary>
    public static int Attack(string target, int count)
    {
        using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Raw);
        raw.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.HeaderIncluded, true);
        var destination = new IPEndPoint(IPAddress.Parse(target), 0);
        var packet = new byte[28];
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            packet[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), (ushort)i);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), 0x2000); // MF, offset 0
            packet[8] = 64;
            packet[9] = 17;
            BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(12), 0xC612_0000u + (uint)(i % 131_000) + 1);
            IPAddress.Parse(target).TryWriteBytes(packet.AsSpan(16), out _);
            raw.SendTo(packet, destination); // the kernel fills in the header checksum for IP_HDRINCL
            if (i % 1000 == 999)
            {
                Thread.Sleep(50); // about 20k fragments/s: a flood that outlasts the pings
            }
        }
        Console.WriteLine($"ATTACK sent {count} incomplete fragments from {Math.Min(count, 131_000)} sources in {clock.ElapsedMilliseconds} ms");
        return 0;
    }

}
