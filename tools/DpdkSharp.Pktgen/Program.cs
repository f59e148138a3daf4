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
    private const string DefaultSourceIp = "198.18.0.1";
    private const string DefaultDestinationIp = "198.18.0.2"; // 198.18.0.0/15 is for benchmarks, RFC 2544

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
        var destinationMac = new Option<string?>("--dst-mac") { Description = "Destination MAC (default: resolved by ARP when --dst-ip is given, else broadcast)" };
        var sourceIp = new Option<string?>("--src-ip") { Description = $"Source IPv4 address; reflect answers ARP for it (default {DefaultSourceIp}; reflect: {DefaultDestinationIp})" };
        var destinationIp = new Option<string?>("--dst-ip") { Description = $"Destination IPv4 address (default {DefaultDestinationIp}); given without --dst-mac, its MAC is resolved by ARP" };
        var arpAttempts = new Option<int>("--arp-attempts") { Description = "ARP requests sent for --dst-ip before giving up", DefaultValueFactory = _ => 5 };
        var arpWait = new Option<double>("--arp-wait-ms") { Description = "How long to wait for the answer to each ARP request", DefaultValueFactory = _ => 200 };
        var burst = new Option<int>("--burst") { Description = "Burst size", DefaultValueFactory = _ => 32 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the payload fill (both ends must agree)", DefaultValueFactory = _ => 1 };
        var duration = new Option<double>("--duration") { Description = "Seconds to run; 0: until Ctrl+C", DefaultValueFactory = _ => 0 };
        var interval = new Option<double>("--interval") { Description = "Seconds between stats lines", DefaultValueFactory = _ => 1 };
        var format = new Option<OutputFormat?>("--format") { Description = "text, json (JSON lines), csv (header once, a row per interval) or live (a table redrawn in place; the default on a terminal)" };
        var json = new Option<bool>("--json") { Description = "Same as --format json" };
        var plot = new Option<string?>("--plot") { Description = "Write rate, loss and latency over time to this SVG file at the end" };
        var prometheus = new Option<string?>("--prometheus") { Description = "Serve the metrics for Prometheus at this host and port, e.g. http://127.0.0.1:9464/ (scrape /metrics, or the path given)" };
        var maxLag = new Option<double>("--max-lag-ms") { Description = "How far behind its rate schedule the sender may fall and still catch up", DefaultValueFactory = _ => 100 };
        var latencyWarmup = new Option<double>("--latency-warmup-s")
        {
            Description = "Seconds from the start whose frames are left out of the run's overall latency (intervals still show them): the start-up's own latency (first-call compilation) is not the link's",
            DefaultValueFactory = _ => 0,
        };
        var capture = new Option<string?>("--capture") { Description = "Capture every frame sent and received to this pcapng file (DPDK's rte_pcapng)" };
        var drain = new Option<double>("--drain-ms") { Description = "How long to keep receiving after the last transmit (frames in flight)", DefaultValueFactory = _ => 200 };
        var mbufs = new Option<int>("--mbufs") { Description = "Mbufs in the pool", DefaultValueFactory = _ => 16383 };
        var multiProcess = new Option<bool>("--multi-process")
        {
            Description = "Run as a DPDK multi-process primary (needs hugepages): dpdk-dumpcap, dpdk-proc-info and dpdk-telemetry.py attach with its --file-prefix",
        };

        var root = new RootCommand("DPDK UDP packet generator, reflector and receiver. Usage: dpdksharp-pktgen [EAL arguments] -- MODE [options]")
        {
            mode, port, queues, rate, sizes, sourcePorts, destinationPort, sourceMac, destinationMac, sourceIp, destinationIp, burst, seed,
            duration, interval, json, mbufs, maxLag, capture, drain, multiProcess, format, plot, prometheus, arpAttempts, arpWait, latencyWarmup,
        };
        root.SetAction(parse =>
        {
            try
            {
                var (firstPort, flows) = ParseRange(parse.GetValue(sourcePorts)!);
                var runMode = Enum.Parse<PktgenMode>(parse.GetValue(mode)!, ignoreCase: true);
                var givenDestinationIp = parse.GetValue(destinationIp);
                var givenDestinationMac = parse.GetValue(destinationMac);
                var settings = new PktgenSettings
                {
                    Mode = runMode,
                    Queues = parse.GetValue(queues),
                    RatePps = parse.GetValue(rate),
                    Sizes = FrameTemplates.ParseSizes(parse.GetValue(sizes)!),
                    Flows = flows,
                    SourcePortBase = firstPort,
                    DestinationPort = checked((ushort)parse.GetValue(destinationPort)),
                    SourceMac = parse.GetValue(sourceMac) is { } mac ? MacAddress.Parse(mac) : null,
                    DestinationMac = givenDestinationMac is null ? MacAddress.Broadcast : MacAddress.Parse(givenDestinationMac),
                    SourceIp = Ipv4Address.Parse(parse.GetValue(sourceIp) ?? (runMode == PktgenMode.Reflect ? DefaultDestinationIp : DefaultSourceIp)),
                    DestinationIp = Ipv4Address.Parse(givenDestinationIp ?? DefaultDestinationIp),
                    Burst = parse.GetValue(burst),
                    Seed = parse.GetValue(seed),
                    MaxLag = TimeSpan.FromMilliseconds(parse.GetValue(maxLag)),
                    LatencyWarmup = TimeSpan.FromSeconds(parse.GetValue(latencyWarmup)),
                };
                settings.Validate();
                var plotPath = parse.GetValue(plot);
                if (plotPath is not null)
                {
                    SvgPlot.CheckPath(plotPath);
                }

                var run = new ToolRun(parse.GetValue(port)!, parse.GetValue(duration), parse.GetValue(interval), parse.GetValue(mbufs),
                    parse.GetValue(capture), RunOutputs.Choose(parse.GetValue(json) ? OutputFormat.Json : parse.GetValue(format), stdout), plotPath,
                    parse.GetValue(prometheus) is { } url ? PrometheusEndpoint.CheckUrl(url) : null,
                    // ARP only when the user named a destination and not its MAC, for the modes that generate frames.
                    ResolveDestination: givenDestinationIp is not null && givenDestinationMac is null && runMode is PktgenMode.SendRecv or PktgenMode.Tx,
                    parse.GetValue(arpAttempts), TimeSpan.FromMilliseconds(parse.GetValue(arpWait)), parse.GetValue(multiProcess),
                    TimeSpan.FromMilliseconds(parse.GetValue(drain)));
                return RunTool(ealArguments, settings, run, stdout, stderr);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or OverflowException or DpdkException or InvalidOperationException)
            {
                stderr.WriteLine("dpdksharp-pktgen: " + e.Message);
                return 1;
            }
        });
        return root.Parse(toolArguments).Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }

    private static int RunTool(string[] ealArguments, PktgenSettings settings, ToolRun run, TextWriter stdout, TextWriter stderr)
    {
        // Typed defaults only where the user said nothing: the EAL arguments given win.
        using var eal = Eal.Initialize(new EalOptions { ProgramName = "dpdksharp-pktgen", MultiProcess = run.MultiProcess, ExtraArguments = ealArguments, LoggerFactory = new StderrLog(stderr) });
        var port = ushort.TryParse(run.Port, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? new Port(id) : Port.FindByName(run.Port);
        if (!port.IsValid)
        {
            throw new ArgumentException($"No port {run.Port}; ports: {string.Join(", ", Port.All.Select(p => $"{p.Id} {p.Name}"))}.");
        }

        var pool = Mempool.CreatePacketPool("pktgen_pool", run.Mbufs);
        try
        {
            port.Configure(new PortConfig { RxQueues = settings.Queues, TxQueues = settings.Queues, RxPool = pool, Rss = RssFor(port, settings) });
            port.Start();
            TryPromiscuous(port);
            WaitForLink(port);
            using var metrics = new PktgenMetrics();
            using var prometheus = run.Prometheus is null ? null : PrometheusEndpoint.Start(run.Prometheus);
            using var output = RunOutputs.Create(run.Format, stdout, stderr);
            var plot = run.Plot is null ? null : new SvgPlot();
            using var stop = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                stop.Cancel();
            };
            output.Started($"{port} {port.Name} {port.MacAddress}: {settings.Mode.ToString().ToLowerInvariant()}, {settings.Queues} queue(s), " +
                $"rate {(settings.RatePps > 0 ? settings.RatePps.ToString(CultureInfo.InvariantCulture) + " pps" : "unlimited")}, " +
                $"sizes {string.Join(',', settings.Sizes.Distinct())}, {settings.Flows} flow(s), TSC {Tsc.Hz} Hz");

            if (run.ResolveDestination)
            {
                var arp = ArpResolver.Resolve(port, settings.Queues, pool, settings.SourceMac ?? port.MacAddress, settings.SourceIp,
                    settings.DestinationIp, run.ArpAttempts, run.ArpWait);
                settings = settings with { DestinationMac = arp.Mac };
                output.Note("arp", string.Create(CultureInfo.InvariantCulture,
                        $"ARP: {settings.DestinationIp} is at {arp.Mac} ({arp.Requests} request(s), {arp.Elapsed.TotalMilliseconds:F1} ms)"),
                    ("ip", settings.DestinationIp.ToString()), ("mac", arp.Mac.ToString()), ("requests", arp.Requests.ToString(CultureInfo.InvariantCulture)));
            }

            // After the port exists: the file describes the ports there are when it is created.
            using var capture = run.Capture is null ? null : PcapngWriter.Create(run.Capture, comment: $"dpdksharp-pktgen {settings.Mode}");
            using var session = new PktgenSession(settings, port, pool, capture);
            session.Start();
            if (run.Duration > 0)
            {
                stop.CancelAfter(TimeSpan.FromSeconds(run.Duration)); // from the start of the workers: EAL start and TSC calibration are not counted
            }

            while (!stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(run.Interval)) && !session.Failed)
            {
                var report = session.Collect();
                metrics.Update(report);
                plot?.Add(report);
                output.Interval(report);
            }

            var final = session.Stop(run.Drain);
            metrics.Update(final);
            plot?.Add(final);
            if (capture is not null)
            {
                output.Note("capture", $"captured {capture.PacketsWritten} frames to {capture.Path} ({capture.PacketsDropped} not captured: copy pool empty)",
                    ("path", capture.Path), ("frames", capture.PacketsWritten.ToString(CultureInfo.InvariantCulture)),
                    ("not_captured", capture.PacketsDropped.ToString(CultureInfo.InvariantCulture)));
            }

            if (plot is not null)
            {
                plot.Write(run.Plot!, $"dpdksharp-pktgen {settings.Mode.ToString().ToLowerInvariant()} on {port.Name}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
                output.Note("plot", $"plotted {plot.Count} intervals to {run.Plot}", ("path", run.Plot!));
            }

            output.Finished(final);
            return 0;
        }
        finally
        {
            if (port.IsValid)
            {
                port.Stop(); // on every path: DPDK refuses to close a started port (and the error would hide the first)
                port.Close();
            }

            if (!pool.TryDispose(out var inUse))
            {
                Console.Error.WriteLine($"dpdksharp-pktgen: {inUse} mbufs still in use at exit");
            }
        }
    }

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

/// <summary>How one run of the tool goes, besides the packets: the port, timing (and the drain after the last transmit), outputs, ARP and whether DPDK's own tools may attach.</summary>
internal sealed record ToolRun(string Port, double Duration, double Interval, int Mbufs, string? Capture, OutputFormat Format, string? Plot,
    Uri? Prometheus, bool ResolveDestination, int ArpAttempts, TimeSpan ArpWait, bool MultiProcess, TimeSpan Drain);
