using System.Diagnostics;
using System.Globalization;
using DpdkSharp.Runtime;
using DpdkSharp.Stack.Interface;
using DpdkSharp.Stack.Sockets;
using DpdkSharp.Wire;

// TCP benchmark (issue #12). Two stack instances (two interface cores) on the two ports of a net_ring pair, with
// two connections between them at MSS 1460: a bulk one (the sender's application keeps the send queue full, the
// receiver's reads everything) and a request/response one (64-byte request, 64-byte response, TCP_NODELAY-like).
// Both stacks and both applications run interleaved on this one thread (CPU 0), through the sans-IO connection
// table, so no cache line crosses cores and each side's own time can be read off the clock around its steps.
// The kernel reference is the same two connections over loopback TCP (TCP_MAXSEG 1460), driven the same way on
// the same thread. Rounds alternate which implementation goes first, so a neighbour on this shared machine slows
// both of a round rather than one. Prints one JSON line (medians of the rounds; latency percentiles of all rounds'
// round trips together).
// Usage: DpdkSharp.Bench.Tcp [rounds] [bulk-seconds-per-round] [rr-seconds-per-round] [send-buffer-bytes]
var rounds = BenchSetup.Int(args, 0, 5);
var bulkSeconds = BenchSetup.Double(args, 1, 2.0);
var rrSeconds = BenchSetup.Double(args, 2, 1.0);
// Send buffer bound (receive buffer twice that) for both stacks and both kernel sockets. Everything runs on one core,
// so the round trip is a step and the window needs no depth: a bigger queue only spills the copies out of the cache.
var sendBuffer = BenchSetup.Int(args, 3, 256 * 1024);
const int Mss = 1460;

using var eal = BenchSetup.InMemoryEal();
Affinity.Pin(0);
// Rings and pools hold a whole send queue in flight (up to 2 MB: 1449 segments) with room to spare, so a clean
// run drops nothing and retransmits nothing.
var poolA = Mempool.CreatePacketPool("tcp_a", 8191, 256);
var poolB = Mempool.CreatePacketPool("tcp_b", 8191, 256);
var aToB = Ring.Create("tcp_a_to_b", 4096);
var bToA = Ring.Create("tcp_b_to_a", 4096);
var portA = RingPorts.FromRings("tcp_a", bToA, aToB, poolA);
var portB = RingPorts.FromRings("tcp_b", aToB, bToA, poolB);
var macA = MacAddress.Parse("02:00:00:00:00:01");
var macB = MacAddress.Parse("02:00:00:00:00:02");
var ipA = Ipv4Address.Parse("10.99.0.1");
var ipB = Ipv4Address.Parse("10.99.0.2");
var socketOptions = new TcpSocketOptions { MaxSegmentSize = Mss, MaxSendBufferSize = sendBuffer, MaxReceiveBufferSize = 2 * sendBuffer };

var stack = new StackPair(portA, poolA, Options("tcp_a", macA, ipA, macB, ipB), portB, poolB, Options("tcp_b", macB, ipB, macA, ipA));
var kernel = new KernelPair(Mss, sendBuffer);
TcpPair[] pairs = [stack, kernel];

// Warm-up: tiering and OSR settle, queues grow to their working size, congestion windows open. The target is
// steady state, so warm-up passes repeat (up to five) until the stack's pass allocates nothing: on a loaded machine
// receive-window autotuning can still be growing a queue (a one-time allocation) after the first pass.
var warmUpLatencies = new Latencies(1 << 20);
for (int pass = 0; pass < 5; pass++)
{
    long warmAllocated = 0;
    foreach (var pair in pairs)
    {
        long warmAlloc0 = GC.GetAllocatedBytesForCurrentThread();
        pair.Bulk(pass == 0 ? 1.5 : 0.5);
        warmUpLatencies.Clear();
        pair.RoundTrips(pass == 0 ? 0.5 : 0.25, warmUpLatencies);
        warmAllocated += pair == stack ? GC.GetAllocatedBytesForCurrentThread() - warmAlloc0 : 0;
    }
    Console.Error.WriteLine($"warm-up pass {pass}: the stack allocated {warmAllocated} B");
    if (warmAllocated == 0)
    {
        break;
    }
}

var bulkGbit = new Dictionary<TcpPair, List<double>> { [stack] = [], [kernel] = [] };
var rtt = new Dictionary<TcpPair, Latencies> { [stack] = new(1 << 23), [kernel] = new(1 << 23) };
long senderTicks = 0, receiverTicks = 0, stackBulkBytes = 0, allocated = 0, segments = 0, bulkSegments = 0;
long retransmissions0 = stack.Retransmissions;
var (kernelMss, kernelRetrans0, kernelSegs0) = kernel.SenderInfo();
long loPackets = 0, loBytes = 0;
for (int round = 0; round < rounds; round++)
{
    for (int leg = 0; leg < pairs.Length; leg++)
    {
        var pair = pairs[round % 2 == 0 ? leg : pairs.Length - 1 - leg];
        long delivered0 = pair.Delivered, sender0 = stack.SenderTicks, receiver0 = stack.ReceiverTicks, segments0 = stack.SegmentsSent;
        var lo0 = KernelPair.LoopbackCounters();
        // Timestamps rather than a Stopwatch object: nothing in the measured span allocates but the stack.
        long alloc0 = GC.GetAllocatedBytesForCurrentThread(), t0 = Stopwatch.GetTimestamp();
        pair.Bulk(bulkSeconds);
        double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        long bytes = pair.Delivered - delivered0, roundAllocated = 0;
        bulkGbit[pair].Add(bytes * 8 / seconds / 1e9);
        if (pair == stack)
        {
            roundAllocated = GC.GetAllocatedBytesForCurrentThread() - alloc0;
            allocated += roundAllocated;
            segments += stack.SegmentsSent - segments0;
            bulkSegments += stack.SegmentsSent - segments0;
            senderTicks += stack.SenderTicks - sender0;
            receiverTicks += stack.ReceiverTicks - receiver0;
            stackBulkBytes += bytes;
        }
        else
        {
            var lo1 = KernelPair.LoopbackCounters();
            loPackets += lo1.Packets - lo0.Packets;
            loBytes += lo1.Bytes - lo0.Bytes;
        }
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round} {pair.Label} bulk: {bulkGbit[pair][^1]:F2} Gbit/s ({bytes} bytes in {seconds:F2} s){(pair == stack ? $", allocated {roundAllocated} B" : "")}"));
    }
    for (int leg = 0; leg < pairs.Length; leg++)
    {
        var pair = pairs[round % 2 == 0 ? leg : pairs.Length - 1 - leg];
        long segments0 = stack.SegmentsSent, alloc0 = GC.GetAllocatedBytesForCurrentThread();
        int samples0 = rtt[pair].Count;
        pair.RoundTrips(rrSeconds, rtt[pair]);
        long roundAllocated = 0;
        if (pair == stack)
        {
            roundAllocated = GC.GetAllocatedBytesForCurrentThread() - alloc0;
            allocated += roundAllocated;
            segments += stack.SegmentsSent - segments0;
        }
        Console.Error.WriteLine($"round {round} {pair.Label} request/response: {rtt[pair].Count - samples0} round trips{(pair == stack ? $", allocated {roundAllocated} B" : "")}");
    }
}
long retransmissions = stack.Retransmissions - retransmissions0;
var (_, kernelRetrans1, kernelSegs1) = kernel.SenderInfo();
var negotiated = stack.Negotiated;
Console.Error.WriteLine($"stack: sender {Describe(stack.SenderCounters)}; receiver {Describe(stack.ReceiverCounters)}; tx flush drops {stack.FlushDrops}, frames dropped {stack.FramesDropped}; send MSS {stack.SendMss}, negotiated {negotiated}");
Console.Error.WriteLine($"kernel: TCP_INFO snd_mss {kernelMss}, total retransmissions {kernelRetrans1 - kernelRetrans0} and segments out {kernelSegs1 - kernelSegs0} over the rounds; loopback carried {loPackets} packets, {loBytes} bytes during its bulk rounds");

long stackBad = stack.Bad, kernelBad = kernel.Bad, flushDrops = stack.FlushDrops;
stack.Dispose();
kernel.Dispose();
RingPorts.DrainAndClose(portA, portB);
long leaked = poolA.InUseCount + poolB.InUseCount;
Console.Error.WriteLine($"mbufs in use at the end: {poolA.Name} {poolA.InUseCount}, {poolB.Name} {poolB.InUseCount}");
aToB.Dispose();
bToA.Dispose();
poolA.TryDispose(out _);
poolB.TryDispose(out _);

double ticksToSeconds = 1.0 / Stopwatch.Frequency;
double senderGbit = stackBulkBytes * 8 / (senderTicks * ticksToSeconds) / 1e9;
double receiverGbit = stackBulkBytes * 8 / (receiverTicks * ticksToSeconds) / 1e9;
double bulk = Stats.Median(bulkGbit[stack]);
double kernelBulk = Stats.Median(bulkGbit[kernel]);
double rrP50 = rtt[stack].PercentileMicroseconds(0.50), rrP99 = rtt[stack].PercentileMicroseconds(0.99);
double kernelP50 = rtt[kernel].PercentileMicroseconds(0.50), kernelP99 = rtt[kernel].PercentileMicroseconds(0.99);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"bench\":\"tcp\",\"mss\":{Mss},\"stack_send_mss\":{stack.SendMss},\"stack_timestamps\":{(negotiated.Timestamps ? "true" : "false")},\"stack_sack\":{(negotiated.Sack ? "true" : "false")},\"send_buffer_bytes\":{sendBuffer},\"receive_buffer_bytes\":{2 * sendBuffer},\"rounds\":{rounds},\"bulk_round_seconds\":{bulkSeconds},\"rr_round_seconds\":{rrSeconds}," +
    $"\"bulk_gbit_s\":{bulk:F2},\"bulk_gbit_s_best_round\":{bulkGbit[stack].Max():F2},\"bulk_sender_core_gbit_s\":{senderGbit:F2},\"bulk_receiver_core_gbit_s\":{receiverGbit:F2},\"bulk_per_core_gbit_s\":{Math.Min(senderGbit, receiverGbit):F2}," +
    $"\"kernel_bulk_gbit_s\":{kernelBulk:F2},\"kernel_bulk_gbit_s_best_round\":{bulkGbit[kernel].Max():F2},\"kernel_snd_mss\":{kernelMss},\"kernel_lo_bytes_per_packet\":{(loPackets == 0 ? 0 : loBytes / loPackets)},\"kernel_retransmissions\":{kernelRetrans1 - kernelRetrans0}," +
    $"\"ratio_bulk_stack_over_kernel\":{bulk / kernelBulk:F2}," +
    $"\"rr_p50_us\":{rrP50:F2},\"rr_p99_us\":{rrP99:F2},\"rr_p999_us\":{rtt[stack].PercentileMicroseconds(0.999):F2},\"rr_samples\":{rtt[stack].Count}," +
    $"\"kernel_rr_p50_us\":{kernelP50:F2},\"kernel_rr_p99_us\":{kernelP99:F2},\"kernel_rr_p999_us\":{rtt[kernel].PercentileMicroseconds(0.999):F2},\"kernel_rr_samples\":{rtt[kernel].Count}," +
    $"\"ratio_rr_p99_kernel_over_stack\":{kernelP99 / rrP99:F2}," +
    $"\"bytes_allocated_per_segment\":{(segments == 0 ? double.NaN : (double)allocated / segments):F4},\"stack_segments_sent\":{segments},\"stack_bulk_segments_sent\":{bulkSegments},\"retransmissions\":{retransmissions},\"stack_tx_drops\":{flushDrops}," +
    $"\"stack_bad\":{stackBad},\"kernel_bad\":{kernelBad},\"mbufs_in_use_at_end\":{leaked}," +
    $"\"note\":\"everything on one core (CPU 0), stack and kernel rounds alternating; stack: two NetworkInterfaceCores on a net_ring pair, the sans-IO connection table driven on the bench thread (no reactors, no socket layer); " +
    $"bulk_gbit_s = payload bits read in order by the receiving application per wall second with both stacks and both applications interleaved on the one core (kernel_bulk_gbit_s the same shape: non-blocking loopback sockets, sender until EAGAIN then receiver until EAGAIN, on one thread); " +
    $"bulk_sender_core_gbit_s / bulk_receiver_core_gbit_s = the same bits over the time spent in that side's steps only (its stack plus its application's copies), what one core per side would sustain at that cost, bulk_per_core_gbit_s the lower; " +
    $"rr = 64-byte request then 64-byte response, timed from the request's write to the response's read, both ends on the one thread (kernel: blocking sockets with TCP_NODELAY, the loopback delivering inside send); " +
    $"kernel sockets have TCP_MAXSEG 1460 but loopback keeps GSO super-packets (kernel_lo_bytes_per_packet); send and receive buffers bounded alike on both (send_buffer_bytes, receive_buffer_bytes); bytes_allocated_per_segment = GC.GetAllocatedBytesForCurrentThread over the stack's timed rounds / segments both stacks sent in them; retransmissions = both stacks' over the timed rounds\"}}"));
return stackBad == 0 && kernelBad == 0 && leaked == 0 ? 0 : 1;

InterfaceOptions Options(string name, MacAddress mac, Ipv4Address address, MacAddress peerMac, Ipv4Address peerAddress) => new()
{
    Name = name,
    Mac = mac,
    Address = address,
    PrefixLength = 24,
    // The peer is a static neighbour and announcements are off: no ARP on the wire, only TCP.
    StaticNeighbors = [new(peerAddress, peerMac)],
    Arp = new ArpOptions { Announcements = 0 },
    PublishMetrics = false,
    Tcp = new TcpStackOptions { DefaultSocketOptions = socketOptions },
};

static string Describe(TcpCounters c) =>
    $"segments sent {c.SegmentsSent}, received {c.SegmentsReceived}, retransmitted {c.RetransmittedSegments}, RTOs {c.RetransmissionTimeouts}, fast recoveries {c.FastRecoveries}, SACK recoveries {c.SackRecoveries}, zero windows {c.ZeroWindowEvents}";
