using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DpdkSharp.Runtime;
using DpdkSharp.Stack;
using DpdkSharp.Stack.Dpdk;
using DpdkSharp.Stack.Interface;
using DpdkSharp.Stack.Sockets;
using DpdkSharp.Wire;

// UDP echo benchmark, 64-byte frames (18-byte payload). Port A of a net_ring pair runs the stack:
// a reactor (busy polling, pinned to CPU 1) with a zero-copy echo handler (UdpSocket.SetHandler).
// Port B is driven by a C# generator (CPU 0) that keeps at most a window of datagrams (256) in flight and
// counts round trips. The kernel baseline is a System.Net.Sockets echo server on 127.0.0.1 (CPU 1)
// driven the same way (client on CPU 0, same window). A third phase runs the generator and the
// stack interleaved on one core (no cache line crosses cores: on a VM the two-core figure moves
// with where the host places the vCPUs) and times the stack's own calls: one_core_stack_ns_per_packet
// is the stack's cost per echo, one_core_stack_mpps what one core of stack sustains at that cost. The one-core
// phase also runs the C reference (native/udp_echo.c: the same checks, lookup and in-place reply) in the stack's
// place, rounds alternating with the stack's, timed the same way: c_echo_ns_per_packet, and ratio_stack_over_c_ns
// (stack ns / C ns: lower is better, 1 is C's speed).
// Prints one JSON line: medians of the rounds.
// Usage: DpdkSharp.Bench.UdpEcho [rounds] [seconds-per-round] [window] [libdpdksharp_bench_udp_echo.so]
if (args.Length > 0 && args[0] == "count")
{
    return InstructionCount.Run(args);
}
var rounds = BenchSetup.Int(args, 0, 5);
var roundSeconds = BenchSetup.Double(args, 1, 3.0);
var window = BenchSetup.Int(args, 2, 256);
var nativeLibrary = args.Length > 3 ? args[3] : Path.Combine(AppContext.BaseDirectory, "libdpdksharp_bench_udp_echo.so");
if (!File.Exists(nativeLibrary))
{
    Console.Error.WriteLine($"udp-echo: the C reference {nativeLibrary} is missing: eng/bench.sh udp-echo builds it (gcc, libdpdk)");
    return 2;
}

using var eal = BenchSetup.InMemoryEal();
// The EAL pinned this thread to lcore 0 and threads inherit their creator's mask: the reactor is pinned
// with ReactorOptions.Cpu, the kernel baseline's server thread by pinning its creator first.
var genPool = Mempool.CreatePacketPool("echo_gen", 4095, 256);
var stackPool = Mempool.CreatePacketPool("echo_stack", 4095, 256);
var aToB = Ring.Create("echo_a_to_b", 1024);
var bToA = Ring.Create("echo_b_to_a", 1024);
var portA = RingPorts.FromRings("echo_a", bToA, aToB, genPool);
var portB = RingPorts.FromRings("echo_b", aToB, bToA, genPool);

var (stackMac, genMac, stackIp, genIp) = (StackInterface.StackMac, StackInterface.GenMac, StackInterface.StackIp, StackInterface.GenIp);
const ushort EchoPort = StackInterface.EchoPort;
const ushort GenPort = StackInterface.GenPort;

Affinity.Pin(0); // the generator runs on this thread, on CPU 0
var stack = new DpdkInterface(portA, stackPool, StackInterface.Options("echo0", stackMac, stackIp, genMac, genIp), reactorOptions: new ReactorOptions { ThreadName = "echo-reactor", SpinIterationsBeforeSleep = int.MaxValue, Cpu = 1 });
stack.Start();
var echo = new UdpSocket(stack.Reactor); // Bind and SetHandler are commands run by the reactor
echo.Bind(new IPEndPoint(IPAddress.Any, EchoPort));
var state = new EchoState();
echo.SetHandler(state.Handle);

var gen = new Generator(portB, genPool, window, Frames.Build(genMac, stackMac, genIp, stackIp, GenPort, EchoPort), state);
gen.Verify = (frame, index) => Frames.VerifyEcho(frame, index, stackMac, genMac, stackIp, genIp, EchoPort, GenPort);

// Warm-up: tiering and OSR settle, the gratuitous ARP is consumed.
gen.Pump(TimeSpan.FromSeconds(1.5));

var stackMpps = new List<double>();
long allocated = 0, reactorEchoes = 0;
for (var round = 0; round < rounds; round++)
{
    var (alloc0, echoes0) = gen.Snapshot();
    var received0 = gen.Received;
    var sw = Stopwatch.StartNew();
    gen.Pump(TimeSpan.FromSeconds(roundSeconds));
    var seconds = sw.Elapsed.TotalSeconds;
    var n = gen.Received - received0;
    var (alloc1, echoes1) = gen.Snapshot();
    allocated += alloc1 - alloc0;
    reactorEchoes += echoes1 - echoes0;
    stackMpps.Add(n / seconds / 1e6);
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stack round {round}: {n / seconds / 1e6:F3} Mpps, reactor allocated {alloc1 - alloc0} B over {echoes1 - echoes0} echoes"));
}
gen.Finish(TimeSpan.FromSeconds(2));

echo.Dispose();
stack.Dispose();
var counters = stack.Core.Counters;
Console.Error.WriteLine($"stack: frames received {counters.FramesReceived}, dropped {counters.FramesDropped}, tx flush drops {stack.Device.Transmitter.FlushDrops}, handler errors {stack.Reactor.HandlerErrors}, reactor iterations {stack.Reactor.Iterations} ({(double)counters.FramesReceived / Math.Max(1, stack.Reactor.Iterations):F2} frames/iteration), generator other frames {gen.Other}, fault {stack.Reactor.Fault?.Message ?? "none"}");
RingPorts.DrainAndClose(portA, portB);
Console.Error.WriteLine($"mbufs in use at the end: {genPool.Name} {genPool.InUseCount}, {stackPool.Name} {stackPool.InUseCount}");
var leaked = genPool.InUseCount + stackPool.InUseCount;
aToB.Dispose();
bToA.Dispose();
genPool.TryDispose(out _);
stackPool.TryDispose(out _);

// One core: the generator and the stack alternate on this thread, so no cache line crosses cores
// and what is timed around the stack's calls (burst receive, protocol cores, in-place reply, burst
// transmit) is its own cost per packet. The handler is the core-level one the socket's wraps.
// The C reference runs in a second lane the same way (same generator, frames, window, burst, timing code).
// Each round runs both lanes back to back, alternating which goes first, so that a neighbour on this shared
// machine slows both of a round rather than one phase: the per-round ratios show how much the ratio moved.
var lanes = new[]
{
    new OneCoreLane("cs", window, stackMac, genMac, stackIp, genIp, EchoPort, GenPort,
        (port, pool) => new StackEcho(port, pool, StackInterface.Options("echo1", stackMac, stackIp, genMac, genIp), EchoPort)),
    new OneCoreLane("c", window, stackMac, genMac, stackIp, genIp, EchoPort, GenPort,
        (port, _) => new NativeEcho(nativeLibrary, port, stackMac, stackIp, StackInterface.PrefixLength, EchoPort)),
};
foreach (var lane in lanes)
{
    lane.WarmUp();
}
var roundRatios = new List<double>();
for (int round = 0; round < rounds; round++)
{
    var ns = new double[lanes.Length];
    for (int leg = 0; leg < lanes.Length; leg++)
    {
        int l = round % 2 == 0 ? leg : lanes.Length - 1 - leg;
        ns[l] = lanes[l].Round(round, roundSeconds);
    }
    roundRatios.Add(ns[0] / ns[1]);
}
var one = lanes[0].Finish();
var c = lanes[1].Finish();

// Kernel baseline.
Affinity.Pin(1);
var kernel = new KernelEcho(window);
Affinity.Pin(0);
kernel.Pump(TimeSpan.FromSeconds(1.5));
var kernelPps = new List<double>();
for (var round = 0; round < rounds; round++)
{
    var received0 = kernel.Received;
    var sw = Stopwatch.StartNew();
    kernel.Pump(TimeSpan.FromSeconds(roundSeconds));
    var pps = (kernel.Received - received0) / sw.Elapsed.TotalSeconds;
    kernelPps.Add(pps);
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kernel round {round}: {pps:F0} pps"));
}
kernel.Dispose();

var mpps = Stats.Median(stackMpps);
var kpps = Stats.Median(kernelPps);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"bench\":\"udp-echo\",\"frame_bytes\":{Frames.Length + 4},\"payload_bytes\":{Frames.PayloadLength},\"window\":{window},\"burst\":32,\"rounds\":{rounds},\"round_seconds\":{roundSeconds},\"stack_mpps\":{mpps:F3},\"stack_mpps_best_round\":{stackMpps.Max():F3},\"stack_ns_per_packet\":{1e3 / mpps:F1},\"stack_bytes_allocated_per_packet\":{(reactorEchoes == 0 ? double.NaN : (double)allocated / reactorEchoes):F4},\"kernel_pps\":{kpps:F0},\"ratio_stack_over_kernel\":{mpps * 1e6 / kpps:F2},\"stack_verified\":{gen.Verified},\"stack_bad\":{gen.Bad},\"stack_lost\":{gen.Lost},\"one_core_mpps\":{one.Mpps:F3},\"one_core_stack_ns_per_packet\":{one.EchoNsPerPacket:F1},\"one_core_stack_mpps\":{1e3 / one.EchoNsPerPacket:F3},\"one_core_bytes_allocated_per_packet\":{one.BytesPerPacket:F4},\"one_core_verified\":{one.Verified},\"one_core_bad\":{one.Bad},\"c_echo_ns_per_packet\":{c.EchoNsPerPacket:F1},\"ratio_stack_over_c_ns\":{one.EchoNsPerPacket / c.EchoNsPerPacket:F2},\"ratio_stack_over_c_ns_round_min\":{roundRatios.Min():F2},\"ratio_stack_over_c_ns_round_max\":{roundRatios.Max():F2},\"one_core_stack_ns_per_packet_burst_median\":{one.BurstMedianNsPerPacket:F1},\"c_echo_ns_per_packet_burst_median\":{c.BurstMedianNsPerPacket:F1},\"ratio_stack_over_c_ns_burst_median\":{one.BurstMedianNsPerPacket / c.BurstMedianNsPerPacket:F2},\"full_bursts_timed\":{Math.Min(one.FullBursts, c.FullBursts)},\"c_one_core_mpps\":{c.Mpps:F3},\"c_verified\":{c.Verified},\"c_bad\":{c.Bad},\"kernel_verified\":{kernel.Verified},\"kernel_bad\":{kernel.Bad},\"kernel_lost\":{kernel.Lost},\"mbufs_in_use_at_end\":{leaked + one.Leaked + c.Leaked},\"note\":\"stack: reactor thread pinned to CPU 1 (busy poll), generator on CPU 0; bytes/packet is GC.GetAllocatedBytesForCurrentThread on the reactor thread between handler-side snapshots; kernel: server thread on CPU 1, client on CPU 0, loopback; c: native/udp_echo.c (gcc -O3 -march=native) in the one-core phase, timed like the stack, rounds alternating with it; *_burst_median: the median time of the polls that took a full burst of 32, per packet (robust to preemption by neighbours)\"}}"));
return leaked == 0 && one.Leaked == 0 && c.Leaked == 0 && gen.Bad == 0 && one.Bad == 0 && c.Bad == 0 && kernel.Bad == 0 ? 0 : 1;

/// <summary>The echo handler on the reactor, and allocation snapshots taken on the reactor thread on request.</summary>
internal sealed class EchoState
{
    private int _requested;
    private int _served;
    private long _echoes;
    public long AllocatedSnapshot;
    public long EchoesSnapshot;

    public void Handle(UdpDatagramContext datagram)
    {
        datagram.Reply(datagram.Payload);
        _echoes++;
        if (Volatile.Read(ref _requested) != _served)
        {
            AllocatedSnapshot = GC.GetAllocatedBytesForCurrentThread();
            EchoesSnapshot = _echoes;
            Volatile.Write(ref _served, _requested);
        }
    }

    public int Request() => Interlocked.Increment(ref _requested);

    public bool Served(int request) => Volatile.Read(ref _served) == request;
}

/// <summary>Port B: sends template frames to the stack, keeps at most the window in flight, counts echoes.</summary>
internal sealed class Generator(Port port, Mempool pool, int window, byte[][] templates, EchoState state)
{
    private readonly RxQueue _rx = port.GetRxQueue(0);
    private readonly TxQueue _tx = port.GetTxQueue(0);
    private long _sent;
    public long Received;
    public long Verified;
    public long Bad;
    public long Lost;
    public long Other;
    public Func<ReadOnlySpan<byte>, int, bool>? Verify;
    /// <summary>Runs after every generator step (the one-core phase runs the stack here).</summary>
    public Action? Between;
    private bool _sending = true;

    public (long Allocated, long Echoes) Snapshot()
    {
        var request = state.Request();
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        while (!state.Served(request))
        {
            PumpOnce();
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException("the reactor took no snapshot (no echoes?)");
            }
        }
        return (state.AllocatedSnapshot, state.EchoesSnapshot);
    }

    public void Pump(TimeSpan duration)
    {
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var lastProgress = Stopwatch.GetTimestamp();
        var lastReceived = Received;
        while (true)
        {
            for (int i = 0; i < 1024; i++)
            {
                PumpOnce();
                Between?.Invoke();
            }
            var now = Stopwatch.GetTimestamp();
            if (Received != lastReceived)
            {
                lastReceived = Received;
                lastProgress = now;
            }
            else if (now - lastProgress > Stopwatch.Frequency / 10 && _sent > Received)
            {
                Lost += _sent - Received; // stalled: count what is missing as lost and refill
                _sent = Received;
                lastProgress = now;
            }
            if (now >= end)
            {
                return;
            }
        }
    }

    /// <summary>Stops sending and waits for what is in flight.</summary>
    public void Finish(TimeSpan timeout)
    {
        _sending = false;
        var end = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (_sent > Received && Stopwatch.GetTimestamp() < end)
        {
            PumpOnce();
            Between?.Invoke();
        }
        Lost += _sent - Received;
        _sent = Received;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PumpOnce()
    {
        var rxBurst = new MbufBurst(stackalloc nint[32]);
        if (_rx.Receive(ref rxBurst) > 0)
        {
            // Counted by length from the mbuf header, as a traffic generator does: the stack sends
            // nothing else of this length (no ARP: neighbours are static and announcements off),
            // and every 1024th echo is read and verified in full.
            foreach (var m in rxBurst)
            {
                if (m.DataLength == Frames.Length)
                {
                    Received++;
                    if ((Received & 1023) == 0)
                    {
                        var frame = m.Data;
                        if (Verify!(frame, frame[Frames.HeaderLength]))
                        {
                            Verified++;
                        }
                        else
                        {
                            Bad++;
                        }
                    }
                }
                else
                {
                    Other++;
                }
            }
            rxBurst.FreeAll();
        }
        var space = (int)(window - (_sent - Received));
        if (!_sending || space < 8)
        {
            return;
        }

        var txBurst = new MbufBurst(stackalloc nint[32]);
        if (!pool.AllocBulk(ref txBurst, Math.Min(space, 32)))
        {
            return;
        }

        var seq = _sent;
        foreach (var m in txBurst)
        {
            m.Append(Frames.Length, out var data);
            templates[(int)(seq++ & (Frames.Templates - 1))].CopyTo(data);
        }
        _sent += _tx.Transmit(ref txBurst);
        txBurst.FreeAll(); // what the ring did not take
    }
}

/// <summary>The 64-byte frames: 14 Ethernet + 20 IPv4 + 8 UDP + 18 payload (60 without the CRC).</summary>
internal static class Frames
{
    public const int Length = 60;
    public const int HeaderLength = 42;
    public const int PayloadLength = Length - HeaderLength;
    public const int Templates = 256;

    public static void FillPayload(Span<byte> payload, int index)
    {
        payload[0] = (byte)index;
        for (int i = 1; i < payload.Length; i++)
        {
            payload[i] = (byte)(index * 31 + i * 7);
        }
    }

    public static byte[][] Build(MacAddress srcMac, MacAddress dstMac, Ipv4Address srcIp, Ipv4Address dstIp, ushort srcPort, ushort dstPort)
    {
        var frames = new byte[Templates][];
        for (int t = 0; t < Templates; t++)
        {
            var f = new byte[Length];
            dstMac.Write(f);
            srcMac.Write(f.AsSpan(6));
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), 0x0800);
            var ip = f.AsSpan(14, 20);
            ip[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], 20 + 8 + PayloadLength);
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)t);
            ip[8] = 64;
            ip[9] = 17;
            srcIp.Write(ip[12..]);
            dstIp.Write(ip[16..]);
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(ip, 0));
            var udp = f.AsSpan(34);
            BinaryPrimitives.WriteUInt16BigEndian(udp, srcPort);
            BinaryPrimitives.WriteUInt16BigEndian(udp[2..], dstPort);
            BinaryPrimitives.WriteUInt16BigEndian(udp[4..], 8 + PayloadLength);
            FillPayload(udp[8..], t);
            var sum = UdpChecksum(f);
            BinaryPrimitives.WriteUInt16BigEndian(udp[6..], sum == 0 ? (ushort)0xFFFF : sum);
            frames[t] = f;
        }
        return frames;
    }

    /// <summary>An echo of template <paramref name="index"/>: addresses and ports swapped, checksums valid, payload unchanged.</summary>
    public static bool VerifyEcho(ReadOnlySpan<byte> f, int index, MacAddress fromMac, MacAddress toMac, Ipv4Address fromIp, Ipv4Address toIp, ushort fromPort, ushort toPort)
    {
        if (f.Length != Length || MacAddress.Read(f) != toMac || MacAddress.Read(f[6..]) != fromMac)
        {
            return false;
        }

        var ip = f.Slice(14, 20);
        if (ip[0] != 0x45 || ip[9] != 17 || Ipv4Address.Read(ip[12..]) != fromIp || Ipv4Address.Read(ip[16..]) != toIp || Checksum(ip, 0) != 0)
        {
            return false;
        }

        var udp = f[34..];
        if (BinaryPrimitives.ReadUInt16BigEndian(udp) != fromPort || BinaryPrimitives.ReadUInt16BigEndian(udp[2..]) != toPort
            || BinaryPrimitives.ReadUInt16BigEndian(udp[4..]) != 8 + PayloadLength)
        {
            return false;
        }

        if (BinaryPrimitives.ReadUInt16BigEndian(udp[6..]) != 0 && UdpChecksum(f) != 0)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[PayloadLength];
        FillPayload(expected, index);
        return udp[8..].SequenceEqual(expected);
    }

    private static ushort UdpChecksum(ReadOnlySpan<byte> frame)
    {
        uint pseudo = 0;
        for (int i = 26; i < 34; i += 2)
        {
            pseudo += BinaryPrimitives.ReadUInt16BigEndian(frame[i..]);
        }

        pseudo += 17;
        pseudo += (uint)(frame.Length - 34);
        return Checksum(frame[34..], pseudo);
    }

    private static ushort Checksum(ReadOnlySpan<byte> data, uint sum)
    {
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if (i < data.Length)
        {
            sum += (uint)data[i] << 8;
        }

        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}

/// <summary>The kernel baseline: an echo server thread and a client with the same window, on 127.0.0.1.</summary>
internal sealed class KernelEcho : IDisposable
{
    private readonly int _window;
    private readonly Socket _server = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Socket _client = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Thread _thread;
    private readonly byte[][] _payloads = new byte[Frames.Templates][];
    private readonly byte[] _receive = new byte[2048];
    private long _sent;
    public long Received;
    public long Verified;
    public long Bad;
    public long Lost;

    public KernelEcho(int window)
    {
        _window = window;
        foreach (var s in new[] { _server, _client })
        {
            s.ReceiveBufferSize = 4 << 20;
            s.SendBufferSize = 4 << 20;
        }
        _server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _client.Connect(_server.LocalEndPoint!);
        _client.ReceiveTimeout = 100;
        for (int t = 0; t < Frames.Templates; t++)
        {
            _payloads[t] = new byte[Frames.PayloadLength];
            Frames.FillPayload(_payloads[t], t);
        }
        _thread = new Thread(Serve) { IsBackground = true, Name = "kernel-echo" };
        _thread.Start();
    }

    private void Serve()
    {
        var buffer = new byte[2048];
        var from = new SocketAddress(AddressFamily.InterNetwork);
        try
        {
            while (true)
            {
                int n = _server.ReceiveFrom(buffer, SocketFlags.None, from);
                _server.SendTo(buffer.AsSpan(0, n), SocketFlags.None, from);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    public void Pump(TimeSpan duration)
    {
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < end)
        {
            for (int i = 0; i < 256; i++)
            {
                while (_sent - Received < _window)
                {
                    _client.Send(_payloads[(int)(_sent & (Frames.Templates - 1))]);
                    _sent++;
                }
                int n;
                try
                {
                    n = _client.Receive(_receive);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
                {
                    Lost += _sent - Received;
                    _sent = Received;
                    continue;
                }
                Received++;
                if ((Received & 1023) == 0)
                {
                    if (n == Frames.PayloadLength && _receive.AsSpan(0, n).SequenceEqual(_payloads[_receive[0]]))
                    {
                        Verified++;
                    }
                    else
                    {
                        Bad++;
                    }
                }
            }
        }
    }

    public void Dispose()
    {
        _server.Dispose();
        _client.Dispose();
        _thread.Join(1000);
    }
}

internal static class StackInterface
{
    /// <summary>The interface's subnet (10.99.0.0/24), also the C reference's (its subnet broadcast check).</summary>
    public const int PrefixLength = 24;

    /// <summary>The echo's UDP port, and the generator's.</summary>
    public const ushort EchoPort = 7, GenPort = 40000;

    /// <summary>The stack's and the generator's addresses, in every phase.</summary>
    public static readonly MacAddress StackMac = MacAddress.Parse("02:00:00:00:00:01"), GenMac = MacAddress.Parse("02:00:00:00:00:02");

    /// <summary>The stack's and the generator's IPv4 addresses.</summary>
    public static readonly Ipv4Address StackIp = Ipv4Address.Parse("10.99.0.1"), GenIp = Ipv4Address.Parse("10.99.0.2");

    /// <summary>
    /// The stack's interface in both phases. The generator is a static neighbour and announcements
    /// are off, so no ARP runs and every 60-byte frame the generator gets back is an echo.
    /// </summary>
    public static InterfaceOptions Options(string name, MacAddress stackMac, Ipv4Address stackIp, MacAddress genMac, Ipv4Address genIp) => new()
    {
        Name = name,
        Mac = stackMac,
        Address = stackIp,
        PrefixLength = PrefixLength,
        StaticNeighbors = [new(genIp, genMac)],
        Arp = new ArpOptions { Announcements = 0 },
        PublishMetrics = false,
    };
}

/// <summary>
/// What answers the generator on port A in a one-core phase: the stack's device loop (<see cref="StackEcho"/>) or
/// the C reference (<see cref="NativeEcho"/>).
/// </summary>
internal interface IOneCoreEcho : IDisposable
{
    /// <summary>One poll of port A: a receive burst, the echoes, the transmit burst; what the phase times. Returns the frames received.</summary>
    int Poll(long timestamp);

    /// <summary>Its drop counters, for stderr, read after <see cref="IDisposable.Dispose"/>.</summary>
    string Summary { get; }
}

/// <summary>
/// One lane of the one-core phase: its own net_ring pair, pools, generator and echo (the stack's, or the C
/// reference), interleaved on the calling thread (CPU 0), with the echo's polls timed.
/// </summary>
internal sealed unsafe class OneCoreLane
{
    // Set while InstructionCount measures: callgrind collects only inside the echo's polls (see Count.cs).
    private delegate* unmanaged[SuppressGCTransition]<void> _toggle;
    private long _countedPackets;
    private readonly string _label;
    private readonly Mempool _genPool;
    private readonly Mempool _stackPool;
    private readonly Ring _aToB;
    private readonly Ring _bToA;
    private readonly Port _portA;
    private readonly Port _portB;
    private readonly IOneCoreEcho _echo;
    private readonly Generator _gen;
    private readonly List<double> _mpps = [];
    private long _echoTicks;
    private long _received;
    private long _ticks;
    private long _allocated;
    // The time of each poll that took a full burst: its median is the cost per packet with the polls a neighbour
    // preempted (a few in a thousand on a busy machine, each worth milliseconds) left out of the middle.
    private const int FullBurst = 32;
    private readonly TickSample _fullBurstTicks = new(1 << 20);

    public OneCoreLane(string label, int window, MacAddress stackMac, MacAddress genMac, Ipv4Address stackIp, Ipv4Address genIp,
        ushort echoPort, ushort genPort, Func<Port, Mempool, IOneCoreEcho> createEcho)
    {
        _label = label;
        _genPool = Mempool.CreatePacketPool($"{label}_gen", 4095, 256);
        _stackPool = Mempool.CreatePacketPool($"{label}_stack", 4095, 256);
        _aToB = Ring.Create($"{label}_a_to_b", 1024);
        _bToA = Ring.Create($"{label}_b_to_a", 1024);
        _portA = RingPorts.FromRings($"{label}_a", _bToA, _aToB, _genPool);
        _portB = RingPorts.FromRings($"{label}_b", _aToB, _bToA, _genPool);
        _echo = createEcho(_portA, _stackPool);
        _gen = new Generator(_portB, _genPool, window, Frames.Build(genMac, stackMac, genIp, stackIp, genPort, echoPort), new EchoState())
        {
            Verify = (frame, index) => Frames.VerifyEcho(frame, index, stackMac, genMac, stackIp, genIp, echoPort, genPort),
            Between = () =>
            {
                if (_toggle != null)
                {
                    CountedPoll();
                    return;
                }
                long t0 = Stopwatch.GetTimestamp();
                int n = _echo.Poll(t0);
                long ticks = Stopwatch.GetTimestamp() - t0;
                _echoTicks += ticks;
                if (n == FullBurst)
                {
                    _fullBurstTicks.Record(ticks);
                }
            },
        };
    }

    private void CountedPoll()
    {
        _toggle();
        int n = _echo.Poll(Stopwatch.GetTimestamp());
        _toggle();
        _countedPackets += n;
    }

    /// <summary>
    /// Pumps for <paramref name="seconds"/> with callgrind's collection toggled on around each of the echo's polls
    /// only (<paramref name="toggle"/>: CALLGRIND_TOGGLE_COLLECT); returns the frames those polls took.
    /// </summary>
    public long CountInstructions(delegate* unmanaged[SuppressGCTransition]<void> toggle, double seconds)
    {
        long p0 = _countedPackets;
        _toggle = toggle;
        _gen.Pump(TimeSpan.FromSeconds(seconds));
        _toggle = null;
        return _countedPackets - p0;
    }

    /// <summary>Tiering and OSR settle, caches and pools warm.</summary>
    public void WarmUp() => _gen.Pump(TimeSpan.FromSeconds(1.5));

    /// <summary>One timed round; returns the echo's nanoseconds per packet in it.</summary>
    public double Round(int round, double seconds)
    {
        long r0 = _gen.Received, t0 = _echoTicks, a0 = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        _gen.Pump(TimeSpan.FromSeconds(seconds));
        var elapsed = sw.Elapsed.TotalSeconds;
        _allocated += GC.GetAllocatedBytesForCurrentThread() - a0;
        long packets = _gen.Received - r0, ticks = _echoTicks - t0;
        _received += packets;
        _ticks += ticks;
        _mpps.Add(packets / elapsed / 1e6);
        double ns = ticks * 1e9 / Stopwatch.Frequency / Math.Max(1, packets);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"one core ({_label}) round {round}: {_mpps[^1]:F3} Mpps generator+echo, echo {ns:F1} ns/packet"));
        return ns;
    }

    /// <summary>Waits for what is in flight, tears the lane down and sums up its rounds.</summary>
    public (double Mpps, double EchoNsPerPacket, double BurstMedianNsPerPacket, long FullBursts, double BytesPerPacket, long Verified, long Bad, long Leaked) Finish()
    {
        _gen.Finish(TimeSpan.FromSeconds(1));
        _echo.Dispose();
        RingPorts.DrainAndClose(_portA, _portB);
        long leaked = _genPool.InUseCount + _stackPool.InUseCount;
        Console.Error.WriteLine($"one core ({_label}): {_echo.Summary}, mbufs in use at the end {leaked}");
        _aToB.Dispose();
        _bToA.Dispose();
        _genPool.TryDispose(out _);
        _stackPool.TryDispose(out _);
        double nsPerPacket = _ticks * 1e9 / Stopwatch.Frequency / Math.Max(1, _received);
        double burstMedianNs = _fullBurstTicks.Median() * 1e9 / Stopwatch.Frequency / FullBurst;
        return (Stats.Median(_mpps), nsPerPacket, burstMedianNs, _fullBurstTicks.Count, (double)_allocated / Math.Max(1, _received), _gen.Verified, _gen.Bad, leaked);
    }
}

/// <summary>
/// The stack's device loop on port A (burst receive, protocol cores, in-place reply, burst transmit), with the
/// core-level echo handler the socket's wraps.
/// </summary>
internal sealed class StackEcho : IOneCoreEcho
{
    private readonly PortQueueDevice _device;
    private readonly NetworkInterfaceCore _core;
    private InterfaceReceiver _receiver;

    public StackEcho(Port portA, Mempool stackPool, InterfaceOptions options, ushort echoPort)
    {
        _device = new PortQueueDevice(portA.GetRxQueue(0), portA.GetTxQueue(0), stackPool);
        _core = new NetworkInterfaceCore(options, _device.Pool, _device.Sink);
        _core.Udp.Bind(new Ipv4Endpoint(Ipv4Address.Any, echoPort), out var handle);
        _core.Udp.SetHandler(handle, new CoreEcho(_core));
        _core.Start(Instant.FromStopwatch());
        _device.Flush();
        _receiver = new InterfaceReceiver(_core);
    }

    public int Poll(long timestamp)
    {
        int n = _device.ReceiveBurst(ref _receiver, new Instant((long)(timestamp * (1e9 / Stopwatch.Frequency))));
        _device.Flush();
        return n;
    }

    public string Summary => $"drops {_core.Counters.FramesDropped}, tx flush drops {_device.Transmitter.FlushDrops}";

    public void Dispose()
    {
        _core.Dispose();
        _device.Flush();
        _device.Dispose(); // releases the queue claim
    }

    /// <summary>The echo at the core's level: the received payload straight back (built in place).</summary>
    private sealed class CoreEcho(NetworkInterfaceCore core) : IUdpDatagramHandler
    {
        public void OnDatagram(UdpHandle endpoint, ReadOnlySpan<byte> payload, Ipv4Endpoint remote) =>
            core.SendUdp(endpoint, remote, payload, Instant.Zero);
    }
}

/// <summary>
/// The C reference (native/udp_echo.c, built by eng/bench.sh) on port A: the same parse, checks, lookup and
/// in-place reply as the stack's echo path, written in C and compiled with gcc -O3 -march=native.
/// </summary>
internal sealed unsafe class NativeEcho : IOneCoreEcho
{
    private readonly nint _library;
    private readonly nint _echo;
    // No GC transition around the poll: it is a short, non-blocking burst that never calls back into .NET (no
    // RX/TX callbacks on the benchmark's ports), so the timed call costs what the C costs, as the runtime's own
    // burst calls do.
    private readonly delegate* unmanaged[SuppressGCTransition]<nint, ushort> _poll;
    private readonly delegate* unmanaged<nint, ulong*, void> _counters;
    private readonly delegate* unmanaged<nint, void> _free;
    private string _summary = "";

    public NativeEcho(string path, Port portA, MacAddress mac, Ipv4Address address, int prefixLength, ushort echoPort)
    {
        _library = NativeLibrary.Load(path);
        var create = (delegate* unmanaged<ushort, byte*, uint, uint, nint>)NativeLibrary.GetExport(_library, "dpdksharp_bench_udp_echo_create");
        var bind = (delegate* unmanaged<nint, uint, ushort, int>)NativeLibrary.GetExport(_library, "dpdksharp_bench_udp_echo_bind");
        _poll = (delegate* unmanaged[SuppressGCTransition]<nint, ushort>)NativeLibrary.GetExport(_library, "dpdksharp_bench_udp_echo_poll");
        _counters = (delegate* unmanaged<nint, ulong*, void>)NativeLibrary.GetExport(_library, "dpdksharp_bench_udp_echo_counters");
        _free = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(_library, "dpdksharp_bench_udp_echo_free");
        Span<byte> macBytes = stackalloc byte[6];
        mac.Write(macBytes);
        fixed (byte* m = macBytes)
        {
            _echo = create(portA.Id, m, address.Value, (uint)prefixLength);
        }
        if (_echo == 0 || bind(_echo, Ipv4Address.Any.Value, echoPort) != 0)
        {
            throw new InvalidOperationException("the C reference echo could not be created");
        }
    }

    public int Poll(long timestamp) => _poll(_echo);

    public string Summary => _summary;

    public void Dispose()
    {
        var c = stackalloc ulong[4];
        _counters(_echo, c);
        _summary = $"received {c[0]}, echoed {c[1]}, dropped {c[2]}, tx drops {c[3]}";
        _free(_echo);
        NativeLibrary.Free(_library);
    }
}

/// <summary>
/// Up to a fixed number of tick counts kept without allocating on the timed path (the array is made up front);
/// once full, new samples overwrite the oldest so the sample follows the last rounds.
/// </summary>
internal sealed class TickSample(int capacity)
{
    private readonly long[] _ticks = new long[capacity];
    private long _recorded;

    public long Count => Math.Min(_recorded, _ticks.Length);

    public void Record(long ticks) => _ticks[(int)(_recorded++ % _ticks.Length)] = ticks;

    public double Median()
    {
        if (Count == 0)
        {
            return double.NaN;
        }
        var copy = _ticks.AsSpan(0, (int)Count).ToArray();
        Array.Sort(copy);
        return copy[copy.Length / 2];
    }
}
