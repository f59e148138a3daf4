using System.Globalization;

namespace DpdkSharp.Bench.Latency;

/// <summary>What a client measures: idle requests spaced <see cref="IdleIntervalUs"/> apart, then <see cref="Seconds"/> at <see cref="Rate"/> requests/s.</summary>
internal sealed record ClientPlan(int IdleRequests, int IdleIntervalUs, int Rate, double Seconds)
{
    /// <summary>Idle spacing: long enough that Adaptive (1024 empty polls) and Interrupt are asleep when each request lands.</summary>
    public const int DefaultIdleIntervalUs = 2500;
    public const int DefaultRate = 10_000;

    /// <summary>The run verb takes [idle-requests] [seconds]; the stack and client verbs get all four from their parent.</summary>
    public static ClientPlan Parse(string[] args, bool defaults)
    {
        static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);
        if (defaults)
        {
            return new ClientPlan(args.Length > 0 ? Int(args[0]) : 8000, DefaultIdleIntervalUs, DefaultRate,
                args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 3.0);
        }
        if (args.Length != 4)
        {
            throw new ArgumentException($"expected <idle-requests> <idle-interval-us> <rate> <seconds>, got '{string.Join(' ', args)}'");
        }

        return new ClientPlan(Int(args[0]), Int(args[1]), Int(args[2]), double.Parse(args[3], CultureInfo.InvariantCulture));
    }

    public string[] ToArgs() =>
        [IdleRequests.ToString(CultureInfo.InvariantCulture), IdleIntervalUs.ToString(CultureInfo.InvariantCulture),
         Rate.ToString(CultureInfo.InvariantCulture), Seconds.ToString(CultureInfo.InvariantCulture)];
}
