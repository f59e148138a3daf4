using System.Diagnostics;
using System.Net;
using DpdkSharp.Wire;

namespace DpdkSharp.Runtime.Tests.Scenarios;

/// <summary>
/// A frame from DPDK reaches the Linux kernel and the kernel's answer comes back: a net_tap port whose kernel
/// side is moved into a network namespace made for the test and given an address; DPDK sends an ARP request for
/// it; the kernel's ARP reply is received. Everything made is removed afterwards.
/// </summary>
public static class TapScenario
{
    private static readonly IPAddress DpdkSide = IPAddress.Parse("10.199.0.1");
    private static readonly IPAddress KernelSide = IPAddress.Parse("10.199.0.2");

    public static int ArpThroughKernel(string[] args)
    {
        var iface = args.Length > 0 ? args[0] : $"dstap{Environment.ProcessId % 100000}";
        var netns = args.Length > 1 ? args[1] : $"dpdksharp-{Environment.ProcessId}";
        using var eal = Eal.Initialize(new EalOptions
        {
            Lcores = "0",
            UseHugepages = false,
            InMemory = true,
            NoTelemetry = true,
            LogLevel = DpdkLogLevel.Error,
            VirtualDevices = [$"net_tap0,iface={iface}"],
        });
        using var pool = Mempool.CreatePacketPool("tap_pool", 2047, 0);
        var port = Port.FindByName("net_tap0");
        var namespaceMade = false;
        try
        {
            port.Configure(new PortConfig { RxPool = pool, RxDescriptors = 512, TxDescriptors = 512 });
            port.Start();
            Ip("netns", "add", netns);
            namespaceMade = true;
            Ip("link", "set", iface, "netns", netns);
            Ip("-n", netns, "addr", "add", $"{KernelSide}/24", "dev", iface);
            Ip("-n", netns, "link", "set", iface, "up");

            var reply = ExchangeArp(port, pool);
            Console.WriteLine(reply is { } mac ? $"ARP reply from {mac} for {KernelSide}" : "NO ARP REPLY");
            return reply is null ? 1 : 0;
        }
        finally
        {
            port.Stop();
            port.Close(); // closes the TAP: the kernel removes the interface, wherever it is
            if (namespaceMade)
            {
                Ip("netns", "del", netns);
            }
        }
    }

    private static MacAddress? ExchangeArp(Port port, Mempool pool)
    {
        var rx = port.GetRxQueue(0);
        var tx = port.GetTxQueue(0);
        var ours = port.MacAddress;
        Span<nint> slots = stackalloc nint[32];
        var burst = new MbufBurst(slots);
        var deadline = Environment.TickCount64 + 10_000;
        var nextSend = 0L;
        try
        {
            while (Environment.TickCount64 < deadline)
            {
                if (Environment.TickCount64 >= nextSend)
                {
                    SendRequest(tx, pool, ours);
                    nextSend = Environment.TickCount64 + 500;
                }
                rx.Receive(ref burst);
                foreach (var m in burst)
                {
                    if (!EthernetFrame.TryParse(m.Data, out var eth) || eth.EtherType != EtherType.Arp
                        || !ArpPacket.TryParse(eth.Payload, out var arp, out _))
                    {
                        continue;
                    }

                    if (arp.Operation == ArpOperation.Reply && arp.SenderIp == Ipv4Address.Parse(KernelSide.ToString()) && arp.TargetMac == ours)
                    {
                        return arp.SenderMac;
                    }
                }
                burst.FreeAll();
                Thread.Sleep(5);
            }
            return null;
        }
        finally
        {
            burst.FreeAll();
        }
    }

    private static void SendRequest(TxQueue tx, Mempool pool, MacAddress ours)
    {
        var m = pool.Alloc();
        m.Append(EthernetFrame.HeaderLength + ArpPacket.Length, out var frame);
        int l2 = EthernetFrame.WriteHeader(frame, MacAddress.Broadcast, ours, EtherType.Arp);
        ArpPacket.Write(frame[l2..], ArpOperation.Request, ours, Ipv4Address.Parse(DpdkSide.ToString()), MacAddress.Zero, Ipv4Address.Parse(KernelSide.ToString()));
        var one = new MbufBurst(stackalloc nint[1]);
        one.TryAdd(m);
        if (tx.Transmit(ref one) == 0)
        {
            one.FreeAll();
        }
    }

    private static void Ip(params string[] args)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var p = Process.Start(start)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', args)} failed: {err}");
        }
    }
}
