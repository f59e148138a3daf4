using System.CommandLine;
using System.Globalization;
using DpdkSharp.Runtime;
using DpdkSharp.Wire;

namespace DpdkSharp.Pktgen;

/// <summary>
/// dpdksharp-pktgen [EAL arguments] -- MODE [options]: DPDK's convention, as testpmd has it. Everything before
/// <c>--</c> goes to the EAL (its own <c>--help</c> included); everything after is the tool's.
/// </summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        var split = Array.IndexOf(args, "--");
        var (eal, tool) = split < 0 ? (Array.Empty<string>(), args) : (args[..split], args[(split + 1)..]);
        return Run(eal, tool, Console.Out, Console.Error);
    }

    /// <summary>Parses the tool's arguments and runs; EAL arguments are passed to <c>rte_eal_init</c> as given.</summary>
    public static int Run(string[] ealArguments, string[] toolArguments, TextWriter stdout, TextWriter stderr)
    {
        var mode = new Argument<string>("mode") { Description = "sendrecv (generate, receive, verify), reflect (send back swapped), tx, rx" };
        mode.AcceptOnlyFromAmong("sendrecv", "reflect", "tx", "rx");
        var port = new Option<string>("--port") { Description = "Port id or name", DefaultValueFactory = _ => "0" };
        var queues = new Option<int>("--queues") { Description = "Queue pairs, one worker each (on EAL worker lcores when there are enough)", DefaultValueFactory = _ => 1 };
        var rate = new Option<double>("--rate-pps") { Description = "Packets per second over all queues, TSC-paced; 0: unlimited", DefaultValueFactory = _ => 0 };
        var sizes = new Option<string>("--sizes") { Description = "Frame sizes with FCS: 64, a list 64,594,1518 or imix", DefaultValueFactory = _ => "64" };
        var sourcePorts = new Option<string>("--src-ports") { Description = "UDP source port range (a flow each): 1024 or 1024-1087", DefaultValueFactory = _ => "1024" };
        var destinationPort = new Option<int>("--dst-port") { Description = "UDP destination port", DefaultValueFactory = _ => 9000 };
        var sourceMac = new Option<string?>("--src-mac") { Description = "Source MAC (default: the port's)" };
        var destinationMac = new Option<string>("--dst-mac") { Description = "Destination MAC", DefaultValueFactory = _ => "ff:ff:ff:ff:ff:ff" };
        var sourceIp = new Option<string>("--src-ip") { Description = "Source IPv4 address", DefaultValueFactory = _ => "198.18.0.1" };
        var destinationIp = new Option<string>("--dst-ip") { Description = "Destination IPv4 address", DefaultValueFactory = _ => "198.18.0.2" };
        var burst = new Option<int>("--burst") { Description = "Burst size", DefaultValueFactory = _ => 32 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the payload fill (both ends must agree)", DefaultValueFactory = _ => 1 };
        var duration = new Option<double>("--duration") { Description = "Seconds to run; 0: until Ctrl+C", DefaultValueFactory = _ => 0 };
        var interval = new Option<double>("--interval") { Description = "Seconds between stats lines", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "JSON lines instead of console lines" };
        var maxLag = new Option<double>("--max-lag-ms") { Description = "How far behind its rate schedule the sender may fall and still catch up", DefaultValueFactory = _ => 100 };
        var capture = new Option<string?>("--capture") { Description = "Capture every frame sent and received to this pcapng file (DPDK's rte_pcapng)" };
        var drain = new Option<double>("--drain-ms") { Description = "How long to keep receiving after the last transmit (frames in flight)", DefaultValueFactory = _ => 200 };
        var mbufs = new Option<int>("--mbufs") { Description = "Mbufs in the pool", DefaultValueFactory = _ => 16383 };

        var root = new RootCommand("DPDK UDP packet generator, reflector and receiver. Usage: dpdksharp-pktgen [EAL arguments] -- MODE [options]")
        {
            mode, port, queues, rate, sizes, sourcePorts, destinationPort, sourceMac, destinationMac, sourceIp, destinationIp, burst, seed,
            duration, interval, json, mbufs, maxLag, capture, drain,
        };
        root.SetAction(parse =>
        {
            try
            {
                var (firstPort, flows) = ParseRange(parse.GetValue(sourcePorts)!);
                var settings = new PktgenSettings
                {
                    Mode = Enum.Parse<PktgenMode>(parse.GetValue(mode)!, ignoreCase: true),
                    Queues = parse.GetValue(queues),
                    RatePps = parse.GetValue(rate),
                    Sizes = FrameTemplates.ParseSizes(parse.GetValue(sizes)!),
                    Flows = flows,
                    SourcePortBase = firstPort,
                    DestinationPort = checked((ushort)parse.GetValue(destinationPort)),
                    SourceMac = parse.GetValue(sourceMac) is { } mac ? MacAddress.Parse(mac) : null,
                    DestinationMac = MacAddress.Parse(parse.GetValue(destinationMac)!),
                    SourceIp = Ipv4Address.Parse(parse.GetValue(sourceIp)!),
                    DestinationIp = Ipv4Address.Parse(parse.GetValue(destinationIp)!),
                    Burst = parse.GetValue(burst),
                    Seed = parse.GetValue(seed),
                    MaxLag = TimeSpan.FromMilliseconds(parse.GetValue(maxLag)),
                };
                settings.Validate();
                return RunTool(ealArguments, settings, parse.GetValue(port)!, parse.GetValue(duration), parse.GetValue(interval),
                    parse.GetValue(json), parse.GetValue(mbufs), parse.GetValue(capture), TimeSpan.FromMilliseconds(parse.GetValue(drain)), stdout);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or OverflowException or DpdkException or InvalidOperationException)
            {
                stderr.WriteLine("dpdksharp-pktgen: " + e.Message);
                return 1;
            }
        });
        return root.Parse(toolArguments).Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }

    private static int RunTool(string[] ealArguments, PktgenSettings settings, string portText, double duration, double interval,
        bool json, int mbufs, string? capturePath, TimeSpan drain, TextWriter stdout)
    {
        // Typed defaults only where the user said nothing: the EAL arguments given win.
        using var eal = Eal.Initialize(new EalOptions { ProgramName = "dpdksharp-pktgen", ExtraArguments = ealArguments });
        var port = ushort.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? new Port(id) : Port.FindByName(portText);
        if (!port.IsValid)
        {
            throw new ArgumentException($"No port {portText}; ports: {string.Join(", ", Port.All.Select(p => $"{p.Id} {p.Name}"))}.");
        }

        var pool = Mempool.CreatePacketPool("pktgen_pool", mbufs);
        try
        {
            port.Configure(new PortConfig { RxQueues = settings.Queues, TxQueues = settings.Queues, RxPool = pool, Rss = RssFor(port, settings) });
            port.Start();
            TryPromiscuous(port);
            WaitForLink(port);
            using var metrics = new PktgenMetrics();
            using var stop = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                stop.Cancel();
            };
            if (!json)
            {
                stdout.WriteLine($"{port} {port.Name} {port.MacAddress}: {settings.Mode.ToString().ToLowerInvariant()}, {settings.Queues} queue(s), " +
                    $"rate {(settings.RatePps > 0 ? settings.RatePps.ToString(CultureInfo.InvariantCulture) + " pps" : "unlimited")}, " +
                    $"sizes {string.Join(',', settings.Sizes.Distinct())}, {settings.Flows} flow(s), TSC {Tsc.Hz} Hz");
            }

            // After the port exists: the file describes the ports there are when it is created.
            using var capture = capturePath is null ? null : PcapngWriter.Create(capturePath, comment: $"dpdksharp-pktgen {settings.Mode}");
            using var session = new PktgenSession(settings, port, pool, capture);
            session.Start();
            if (duration > 0)
            {
                stop.CancelAfter(TimeSpan.FromSeconds(duration)); // from the start of the workers: EAL start and TSC calibration are not counted
            }

            while (!stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(interval)) && !session.Failed)
            {
                Print(session.Collect());
            }

            var final = session.Stop(drain);
            Print(final);
            stdout.WriteLine(json ? final.ToJson("summary") : Summary(final));
            if (capture is not null && !json)
            {
                stdout.WriteLine($"captured {capture.PacketsWritten} frames to {capture.Path} ({capture.PacketsDropped} not captured: copy pool empty)");
            }
            port.Stop();
            return 0;

            void Print(IntervalReport report)
            {
                metrics.Update(report);
                stdout.WriteLine(json ? report.ToJson() : report.ToConsoleLine());
            }
        }
        finally
        {
            if (port.IsValid)
            {
                port.Close();
            }

            if (!pool.TryDispose(out var inUse))
            {
                Console.Error.WriteLine($"dpdksharp-pktgen: {inUse} mbufs still in use at exit");
            }
        }
    }

    private static string Summary(IntervalReport r) =>
        string.Create(CultureInfo.InvariantCulture,
            $"total: tx {r.Totals.TxPackets} rx {r.Totals.RxPackets} lost {(r.Mode == PktgenMode.SendRecv ? r.Totals.Lost : 0)} " +
            $"dup {r.Totals.Duplicates} reord {r.Totals.Reordered} bad {r.Totals.Bad} skipped {r.Totals.TxSkipped} " +
            $"allocated {r.Totals.AllocatedBytes} B; latency ns p50 {r.OverallLatency.P50} p90 {r.OverallLatency.P90} " +
            $"p99 {r.OverallLatency.P99} p99.9 {r.OverallLatency.P999} max {r.OverallLatency.Max} ({r.OverallLatency.Count} samples)");

    // RSS spreads flows over the queues when there are several and the device hashes UDP; otherwise none.
    private static RssHash RssFor(Port port, PktgenSettings settings) =>
        settings.Queues > 1 && (port.Info.RssCapabilities & (RssHash.Ipv4 | RssHash.Ipv4Udp)) != 0
            ? port.Info.RssCapabilities & (RssHash.Ipv4 | RssHash.Ipv4Udp)
            : RssHash.None;

    // A memif client's link comes up after its handshake with the server, a memif server's when a client connects:
    // starting before that would count the first packets as skipped. Bounded, as testpmd's own link check is; a
    // link still down then is said and the run starts anyway (a server may be waiting for a client that comes later).
    private static void WaitForLink(Port port)
    {
        if (!port.WaitForLinkUp(LinkWait))
        {
            Console.Error.WriteLine($"dpdksharp-pktgen: {port} link still down after {LinkWait.TotalSeconds} s; starting anyway");
        }
    }

    private static readonly TimeSpan LinkWait = TimeSpan.FromSeconds(10);

    private static void TryPromiscuous(Port port)
    {
        try
        {
            port.Promiscuous = true; // a generator's peer may send to any MAC
        }
        catch (DpdkException)
        {
            // Virtual devices without promiscuous mode receive everything anyway.
        }
    }

    private static (ushort First, int Count) ParseRange(string text)
    {
        var parts = text.Split('-', StringSplitOptions.TrimEntries);
        var first = ushort.Parse(parts[0], CultureInfo.InvariantCulture);
        var last = parts.Length > 1 ? ushort.Parse(parts[1], CultureInfo.InvariantCulture) : first;
        if (parts.Length > 2 || last < first)
        {
            throw new FormatException($"'{text}' is not a port range (e.g. 1024-1087).");
        }

        return (first, last - first + 1);
    }
}
