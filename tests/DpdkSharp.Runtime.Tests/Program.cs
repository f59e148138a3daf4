using DpdkSharp.Runtime.Tests.Scenarios;

namespace DpdkSharp.Runtime.Tests;

/// <summary>
/// Entry point for scenarios that need a process of their own (DPDK's EAL lives once per process). The test
/// host loads this assembly without calling Main; <see cref="Infrastructure.ChildProcess"/> runs it with
/// <c>dotnet exec</c>. Each scenario prints what happened and exits 0 when it behaved as expected.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args is not ["scenario", var name, ..])
        {
            Console.Error.WriteLine("usage: DpdkSharp.Runtime.Tests scenario <name> [args]");
            return 2;
        }
        try
        {
            return name switch
            {
                "second-init" => EalScenarios.SecondInit(),
                "init-after-cleanup" => EalScenarios.InitAfterCleanup(),
                "unknown-vdev" => EalScenarios.UnknownVdev(),
                "bad-argument" => ErrorScenarios.BadArgument(args[2..]),
                "failed-probe" => ErrorScenarios.FailedProbe(args[2..]),
                "teardown-under-exception" => ErrorScenarios.TeardownUnderException(),
                "tap-arp" => TapScenario.ArpThroughKernel(args[2..]),
                "rx-interrupts" => RxInterruptScenario.Run(args[2..]),
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
