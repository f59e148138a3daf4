using System.Diagnostics;
using System.Globalization;
using System.Net;
using DpdkSharp.Bench.Http;
using DpdkSharp.Stack.Dpdk;
using HdrHistogram;

// An HTTP/1.1 load generator for eng/http-bench.sh: opens N keep-alive connections to the server, then runs what
// stdin asks, one command a line, answering each on stdout:
//   run <pipeline> <seconds>  -> "result <requests/s> <p50 us> <p99 us> <2xx responses> <other responses> <errors>"
//   quit                      -> closes the connections (and the stack) and exits (1 if an mbuf did not come back)
// Each connection is a closed loop: a batch of <pipeline> GETs in one write, the next batch once every response came.
// A run counts and times the responses that complete within it; after its end the batches in flight drain (at most
// 5 s; a connection still waiting then is an error). Runs reuse the connections, so the caller can warm the server up.
// Usage: DpdkSharp.Bench.Http kernel <server-ip:port> <connections>
//        DpdkSharp.Bench.Http stack <server-ip:port> <connections> <vdev> <address/prefix> <mac> <lcores>
if (args.Length < 3 || (args[0] == "stack" && args.Length < 7) || !IPEndPoint.TryParse(args[1], out var server))
{
    Console.Error.WriteLine("usage: DpdkSharp.Bench.Http kernel|stack <server-ip:port> <connections> [<vdev> <address/prefix> <mac> <lcores>]");
    return 2;
}
int connections = int.Parse(args[2], CultureInfo.InvariantCulture);
ILoadTransport transport = args[0] switch
{
    // The load generator's reactor busy-polls its own CPU: net_memif in DPDK 22.11 has no RX interrupts, so polling is
    // how this client learns of a response, as the kernel client's epoll wake-up is how it does; a client that
    // sleeps between polls would add its own wake-up delay to the DPDK server's latency (bench/http/README.md).
    "stack" => new StackTransport(new DpdkStackOptions
    {
        Device = args[3], Address = args[4], Mac = args[5], Lcores = args[6],
        SpinIterationsBeforeSleep = Environment.GetEnvironmentVariable("HTTP_BENCH_CLIENT_SPIN") is { } spin
            ? int.Parse(spin, CultureInfo.InvariantCulture) : int.MaxValue,
    }),
    "kernel" => new KernelTransport(),
    _ => throw new ArgumentException($"unknown transport {args[0]}"),
};
var clock = new RunClock();
var loops = Enumerable.Range(0, connections).Select(_ => new HttpConnectionLoop(clock)).ToArray();
await transport.ConnectAsync(server, loops);
Console.WriteLine($"ready: {connections} connections to {server} over {args[0]}");
string host = server.ToString();
var all = new LongHistogram(1, 60_000_000, 3);
while (Console.ReadLine() is string line)
{
    var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    if (words is ["quit"])
    {
        break;
    }
    if (words is not ["run", var pipelineText, var secondsText])
    {
        Console.Error.WriteLine($"unknown command '{line}'");
        Console.WriteLine("error");
        continue;
    }
    int pipeline = int.Parse(pipelineText, CultureInfo.InvariantCulture);
    double seconds = double.Parse(secondsText, CultureInfo.InvariantCulture);
    foreach (var loop in loops)
    {
        loop.Reset(host, pipeline);
    }
    clock.Start(TimeSpan.FromSeconds(seconds));
    transport.Kick();
    await Task.Delay(TimeSpan.FromSeconds(seconds));
    // The batches in flight at the end drain (their responses past the end are not counted).
    var drain = Stopwatch.StartNew();
    while (!loops.All(l => l.Idle) && drain.Elapsed < TimeSpan.FromSeconds(5))
    {
        await Task.Delay(10);
    }
    clock.Stop();
    all.Reset();
    long ok = 0, notOk = 0, errors = 0;
    foreach (var loop in loops)
    {
        all.Add(loop.Latency);
        ok += loop.Ok;
        notOk += loop.NotOk;
        if (loop.Failure is not null || !loop.Idle)
        {
            errors++;
            Console.Error.WriteLine($"connection failed: {loop.Failure ?? "no response within 5 s of the run's end"}");
        }
    }
    // The figures wrk prints: responses per second of the run, and latency percentiles.
    double rps = (ok + notOk) / seconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"result {rps:F0} {Percentile(all, 50)} {Percentile(all, 99)} {ok} {notOk} {errors}"));
}
await transport.DisposeAsync();
Console.Error.WriteLine(transport.Describe());
return transport.Clean ? 0 : 1;

static long Percentile(LongHistogram histogram, double percentile) => histogram.TotalCount == 0 ? 0 : histogram.GetValueAtPercentile(percentile);
