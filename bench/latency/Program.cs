using System.Globalization;
using System.Net;
using DpdkSharp.Bench.Latency;
using DpdkSharp.Runtime.Polling;

// UDP request/response latency (#11). One binary, four verbs, because each part runs in a process of its own:
//   run <prefix> [idle-requests] [seconds-at-10k] [rounds]   the benchmark: kernel reference and each RX mode, interleaved in rounds; one JSON line
//   stack <poll|interrupt|adaptive> <iface> <netns> <plan...>   the stack on net_tap in one RX mode (one EAL per process)
//   client <ip> <port> <plan...>                     inside a namespace: timed requests, one RESULT line
//   echo <ip> <port> <max-seconds>                   the kernel reference's UDP echo, inside its namespace
//   probe [reads round-trips]                        the host's CPU 0-1 cache-line round trip in ns, as the run reads it around each cell
// Namespaces, veth and TAP interfaces made by a run are named after <prefix> and deleted at its end.
try
{
    return args switch
    {
        // Rounds: 8 by default, so that a burst of load or a move of the host's vCPUs is spread over every cell.
        ["run", var prefix, .. var rest] => Runner.Run(prefix, ClientPlan.Parse(rest, defaults: true),
            rest.Length > 2 ? int.Parse(rest[2], CultureInfo.InvariantCulture) : 8),
        ["stack", var mode, var iface, var netns, .. var rest] => StackSide.Run(ParseMode(mode), iface, netns, ClientPlan.Parse(rest, defaults: false)),
        ["client", var ip, var port, .. var rest] => Client.Run(IPAddress.Parse(ip), int.Parse(port, CultureInfo.InvariantCulture), ClientPlan.Parse(rest, defaults: false)),
        ["echo", var ip, var port, var seconds] => KernelEcho.Run(IPAddress.Parse(ip), int.Parse(port, CultureInfo.InvariantCulture), double.Parse(seconds, CultureInfo.InvariantCulture)),
        ["probe", .. var rest] => Probe(rest),
        _ => Usage(),
    };
}
catch (Exception e)
{
    Console.Error.WriteLine($"latency {string.Join(' ', args)}: {e}");
    return 1;
}

static int Probe(string[] args)
{
    var probe = args is [var reads, var roundTrips]
        ? CellRun.Probe(int.Parse(reads, CultureInfo.InvariantCulture), int.Parse(roundTrips, CultureInfo.InvariantCulture))
        : CellRun.Probe();
    Console.WriteLine(probe.ToString("0", CultureInfo.InvariantCulture));
    return 0;
}

static RxMode ParseMode(string mode) => Enum.Parse<RxMode>(mode, ignoreCase: true);

static int Usage()
{
    Console.Error.WriteLine("usage: DpdkSharp.Bench.Latency run <prefix> [idle-requests] [seconds-at-10k] [rounds] | stack <mode> <iface> <netns> <plan> | client <ip> <port> <plan> | echo <ip> <port> <max-seconds> | probe [reads round-trips]");
    return 2;
}
