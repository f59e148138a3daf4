using System.Globalization;
using System.Runtime.InteropServices;
using DpdkSharp.Stack;

/// <summary>
/// Instructions per echo, load-independent: one lane of the one-core phase under callgrind, collection toggled on
/// only around the echo's polls (the same calls the one-core phase times), so the count divided by the frames those
/// polls took is the lane's cost per packet in instructions.
/// <code>
/// valgrind --tool=callgrind --collect-atstart=no DpdkSharp.Bench.UdpEcho count cs|c warm-up-seconds count-seconds \
///     libdpdksharp_bench_udp_echo.so libdpdksharp_bench_callgrind.so
/// </code>
/// The second library exports <c>dpdksharp_bench_callgrind_toggle</c> (CALLGRIND_TOGGLE_COLLECT; a no-op outside
/// valgrind): eng/bench.sh udp-echo-count builds both and runs both lanes.
/// </summary>
internal static unsafe class InstructionCount
{
    public static int Run(string[] args)
    {
        var lane = args[1];
        var warmUp = double.Parse(args[2], CultureInfo.InvariantCulture);
        var seconds = double.Parse(args[3], CultureInfo.InvariantCulture);
        var nativeLibrary = args[4];
        var toggleLibrary = NativeLibrary.Load(args[5]);
        var toggle = (delegate* unmanaged[SuppressGCTransition]<void>)NativeLibrary.GetExport(toggleLibrary, "dpdksharp_bench_callgrind_toggle");

        using var eal = BenchSetup.InMemoryEal();
        Affinity.Pin(0);
        var (stackMac, genMac, stackIp, genIp) = (StackInterface.StackMac, StackInterface.GenMac, StackInterface.StackIp, StackInterface.GenIp);
        var oneCore = new OneCoreLane(lane, 256, stackMac, genMac, stackIp, genIp, StackInterface.EchoPort, StackInterface.GenPort, lane == "c"
            ? (port, _) => new NativeEcho(nativeLibrary, port, stackMac, stackIp, StackInterface.PrefixLength, StackInterface.EchoPort)
            : (port, pool) => new StackEcho(port, pool, StackInterface.Options("echo1", stackMac, stackIp, genMac, genIp), StackInterface.EchoPort));
        oneCore.Round(0, warmUp);
        long packets = oneCore.CountInstructions(toggle, seconds);
        var result = oneCore.Finish();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"lane\":\"{lane}\",\"counted_packets\":{packets},\"verified\":{result.Verified},\"bad\":{result.Bad},\"leaked\":{result.Leaked}}}"));
        NativeLibrary.Free(toggleLibrary);
        return result.Bad == 0 && result.Leaked == 0 ? 0 : 1;
    }
}
