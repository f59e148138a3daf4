using DpdkSharp.Stack.Dpdk.Tests.Scenarios;

namespace DpdkSharp.Stack.Dpdk.Tests;

/// <summary>
/// Entry point for scenarios that need a process of their own: an EAL with a TAP device (one EAL
/// per process), and the kernel-side client that runs inside a network namespace. The test host
/// loads this assembly without calling Main; <see cref="Infrastructure.Shell.RunScenario"/> runs
/// it with <c>dotnet exec</c>. Each scenario prints what happened and exits 0 when it went as expected.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args is not ["scenario", var name, ..])
        {
            Console.Error.WriteLine("usage: DpdkSharp.Stack.Dpdk.Tests scenario <name> [args]");
            return 2;
        }
        try
        {
            return name switch
            {
                "kernel-ping" => KernelScenarios.Ping(args[2], args[3]),
                "kernel-udp" => KernelScenarios.Udp(args[2], args[3]),
                "kernel-udp-offload" => KernelScenarios.Udp(args[2], args[3], checksumOffloads: true),
                "kernel-client" => KernelClient.Run(args[2]),
                "kernel-interrupt" => IdleScenarios.Interrupt(args[2], args[3]),
                "kernel-fragment-flood" => FragmentFlood.Run(args[2], args[3]),
                "kernel-igmp" => IgmpScenario.Run(args[2], args[3]),
                "fragment-attacker" => FragmentFlood.Attack(args[2], int.Parse(args[3])),
                "kernel-tcp-bulk" => TcpScenarios.Bulk(args[2], args[3]),
                "kernel-tcp-bulk-offload" => TcpScenarios.BulkOffload(args[2], args[3]),
                "kernel-tcp-many" => TcpScenarios.Many(args[2], args[3]),
                "kernel-tcp-close" => TcpScenarios.Close(args[2], args[3]),
                "kernel-tcp-zero-window" => TcpScenarios.ZeroWindow(args[2], args[3]),
                "kernel-tcp-tls" => TcpScenarios.Tls(args[2], args[3]),
                "kernel-tcp-faults-kernel" => TcpScenarios.KernelFaults(args[2], args[3]),
                "kernel-tcp-faults-kernel-1" => TcpScenarios.KernelFaultsLight(args[2], args[3]),
                "kernel-tcp-faults-stack" => TcpScenarios.StackFaults(args[2], args[3]),
                "tcp-many" => TcpKernelPeer.Many(args[2], int.Parse(args[3]), int.Parse(args[4]), int.Parse(args[5])),
                "tcp-slow-reader" => TcpKernelPeer.SlowReader(int.Parse(args[2])),
                _ => Fail($"unknown scenario '{name}'"),
            };
        }
        catch (Exception e)
        {
            Console.WriteLine($"UNEXPECTED {e}");
            return 1;
        }
    }

    private static int Fail(string message)
    {
        Console.WriteLine(message);
        return 1;
    }
}
