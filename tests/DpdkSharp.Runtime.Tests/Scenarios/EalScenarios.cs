using DpdkSharp.Runtime.Tests.Infrastructure;

namespace DpdkSharp.Runtime.Tests.Scenarios;

/// <summary>EAL lifecycle scenarios, each in a fresh process.</summary>
public static class EalScenarios
{
    internal static EalOptions Minimal => new()
    {
        InMemory = true,
        UseHugepages = false,
        NoTelemetry = true,
        Lcores = "0",
        LogLevel = DpdkLogLevel.Error,
    };

    public static int SecondInit()
    {
        using var eal = Eal.Initialize(Minimal);
        return ExpectInvalidOperation(() => Eal.Initialize(Minimal));
    }

    public static int InitAfterCleanup()
    {
        Eal.Initialize(Minimal).Dispose();
        return ExpectInvalidOperation(() => Eal.Initialize(Minimal));
    }

    public static int UnknownVdev()
    {
        try
        {
            using var eal = Eal.Initialize(Minimal with { VirtualDevices = ["net_doesnotexist0"] });
            Console.WriteLine("NO EXCEPTION");
            return 1;
        }
        catch (DpdkException e)
        {
            Console.WriteLine($"DpdkException function={e.Function} errno={e.ErrorCode} message={e.Message}");
            return 0;
        }
    }

    private static int ExpectInvalidOperation(Action action)
    {
        try
        {
            action();
            Console.WriteLine("NO EXCEPTION");
            return 1;
        }
        catch (InvalidOperationException e)
        {
            Console.WriteLine($"InvalidOperationException {e.Message}");
            return 0;
        }
    }
}
