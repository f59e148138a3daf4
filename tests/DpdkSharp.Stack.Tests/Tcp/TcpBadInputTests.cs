using Xunit.Abstractions;

namespace DpdkSharp.Stack.Tests.Tcp;

/// <summary>
/// Hostile and broken segments against live connections (RFC 9293 §3.10.7, RFC 5961, RFC 1122
/// §4.2.2.5): malformed options, impossible flags, out-of-window and spoofed segments, bad data
/// offsets, and a fuzzer's worth of mutated segments while a transfer runs. Every one is dropped
/// (counted under a reason) or harmless, and the transfer arrives intact and closes cleanly.
/// </summary>
public class TcpBadInputTests
{
    private const TcpFlags Syn = TcpFlags.Syn, Ack = TcpFlags.Ack, Rst = TcpFlags.Rst, Fin = TcpFlags.Fin, Psh = TcpFlags.Psh;
    private static readonly byte[] Garbage = "not the stream: this must never be delivered"u8.ToArray();

    /// <summary>Option lists every parser must refuse (RFC 9293 §3.1, RFC 1122 §4.2.2.5).</summary>
    private static readonly byte[][] MalformedOptions =
    [
        [2, 0, 5, 180],                        // MSS with length 0
        [99, 0],                               // an unknown kind with length 0
        [99, 1, 1, 1],                         // an unknown kind with length 1
        [3, 40, 7],                            // overlong: past the end of the options
        [1, 1, 8, 10, 1, 2, 3, 4],             // timestamps truncated by the end of the header
        [1, 1, 1, 5],                          // a kind with no length byte left
        [2, 3, 5, 1],                          // MSS with length 3
        [3, 4, 7, 1],                          // window scale with length 4
        [4, 3, 0, 1],                          // SACK-permitted with length 3
        [8, 9, 1, 2, 3, 4, 5, 6, 7, 1, 1, 1],  // timestamps with length 9
        [5, 11, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1], // SACK blocks not a multiple of 8
        [5, 2, 1, 1],                          // SACK without a block
    ];

    private readonly ITestOutputHelper _output;

    public TcpBadInputTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Malformed_options_are_dropped_as_malformed_and_the_transfer_carries_on()
    {
        using var live = new LiveConnection();
        live.Start(256 * 1024, 256 * 1024, seed: 1);
        foreach (var options in MalformedOptions)
        {
            // Everything else is right, so accepting it would put garbage into the stream.
            live.InjectExpectingDrop(live.Segment(live.RcvNxt, Ack | Psh, options: options, payload: Garbage), DropReason.Malformed);
        }
        live.Finish();
    }

    [Fact]
    public void Impossible_flag_combinations_are_dropped_and_the_transfer_carries_on()
    {
        using var live = new LiveConnection();
        live.Start(256 * 1024, 256 * 1024, seed: 2);
        long challenges = live.Pair.A.TcpCounters.ChallengeAcks;
        live.InjectExpectingDrop(live.Segment(live.RcvNxt, Syn | Fin), DropReason.UnexpectedSyn);
        live.InjectExpectingDrop(live.Segment(live.RcvNxt, Syn | Fin | Ack, payload: Garbage), DropReason.UnexpectedSyn);
        live.InjectExpectingDrop(live.Segment(live.RcvNxt + 100, Syn | Rst), DropReason.OutOfWindow);
        live.InjectExpectingDrop(live.Segment(live.RcvNxt, TcpFlags.None, payload: Garbage), DropReason.Malformed);
        live.InjectExpectingDrop(live.Segment(live.RcvNxt + 1, (TcpFlags)0xFF, payload: Garbage), DropReason.OutOfWindow);
        live.InjectExpectingDrop(live.Segment(live.RcvNxt, Fin | Psh | TcpFlags.Urg, payload: Garbage), DropReason.Malformed);
        Assert.Equal(challenges + 4, live.Pair.A.TcpCounters.ChallengeAcks); // RFC 5961: the SYNs and in-window RSTs
        Assert.Equal(TcpState.Established, live.Transfer.Client.State);

        // The same against a listener: nothing may open a connection but a plain SYN.
        Assert.Equal(NetError.None, live.Pair.A.Tcp.Listen(7000, 4, null, out _));
        int count = live.Pair.A.Tcp.Count;
        live.InjectExpectingDrop(WireSegment.FromPeer(40000, 7000, 1000, 0, Syn | Fin), DropReason.Malformed);
        live.InjectExpectingDrop(WireSegment.FromPeer(40001, 7000, 1000, 0, Syn | Rst), DropReason.NoSocket);
        live.InjectExpectingDrop(WireSegment.FromPeer(40002, 7000, 1000, 0, TcpFlags.None), DropReason.Malformed);
        live.InjectExpectingDrop(WireSegment.FromPeer(40003, 7000, 1000, 0, (TcpFlags)0xFF), DropReason.NoSocket);
        live.InjectExpectingDrop(WireSegment.FromPeer(40004, 7000, 1000, 0, Fin), DropReason.Malformed);
        // TCP is unicast only (RFC 1122 §4.2.3.10): the IPv4 edge drops a SYN to the subnet's broadcast address or from 0.0.0.0.
        live.InjectExpectingDrop(WireSegment.FromPeer(40005, 7000, 1000, 0, Syn) with { Destination = Ipv4Address.Parse("10.0.0.255"), DestinationMac = MacAddress.Broadcast },
            DropReason.InvalidAddress);
        live.InjectExpectingDrop(WireSegment.FromPeer(40006, 7000, 1000, 0, Syn) with { Source = Ipv4Address.Any }, DropReason.InvalidAddress);
        Assert.Equal(count, live.Pair.A.Tcp.Count);
        live.Finish();
    }

    [Fact]
    public void Out_of_window_and_spoofed_resets_syns_and_data_leave_the_connection_alone()
    {
        using var live = new LiveConnection();
        live.Start(256 * 1024, 256 * 1024, seed: 3);
        var counters = live.Pair.A.TcpCounters;
        long challenges = counters.ChallengeAcks;
        live.InjectExpectingDrop(live.Segment(live.RcvNxt + (1u << 30), Rst), DropReason.OutOfWindow);
        live.InjectExpectingDrop(live.Segment(live.RcvNxt - 1, Rst | Ack), DropReason.OutOfWindow);
        Assert.Equal(challenges, counters.ChallengeAcks); // RFC 5961 §3.2: out of the window, silently
        live.InjectExpectingDrop(live.Segment(live.RcvNxt + 1, Rst), DropReason.OutOfWindow);
        live.InjectExpectingDrop(live.Segment(live.RcvNxt + 1000, Rst | Ack), DropReason.OutOfWindow);
        Assert.Equal(challenges + 2, counters.ChallengeAcks); // in the window but not exact: a challenge ACK
        live.InjectExpectingDrop(live.Segment(live.RcvNxt, Syn), DropReason.UnexpectedSyn);
        live.InjectExpectingDrop(live.Segment(live.RcvNxt + (1u << 30), Syn), DropReason.OutOfWindow);
        live.InjectExpectingDrop(live.Segment(live.RcvNxt + (1u << 30), Ack | Psh, payload: Garbage), DropReason.OutOfWindow);
        live.InjectExpectingDrop(live.Segment(live.RcvNxt - (1u << 30), Ack | Psh, payload: Garbage), DropReason.OutOfWindow);
        live.InjectExpectingDrop(live.Segment(live.RcvNxt, Ack | Psh, ack: live.PeerAck + (1u << 30), payload: Garbage), DropReason.OutOfWindow);
        live.InjectExpectingDrop(live.Segment(live.RcvNxt, Ack | Psh, ack: live.PeerAck - (1u << 30), payload: Garbage), DropReason.OutOfWindow);

        // The right sequence numbers from the wrong port or address: no connection of ours, a RST back.
        long resets = counters.ResetsSent;
        var spoofed = live.Segment(live.RcvNxt, Ack | Psh, payload: Garbage);
        spoofed.SourcePort++;
        live.InjectExpectingDrop(spoofed, DropReason.NoSocket);
        spoofed = live.Segment(live.RcvNxt, Rst);
        spoofed.Source = Ipv4Address.Parse("10.0.0.3");
        live.InjectExpectingDrop(spoofed, DropReason.NoSocket);
        Assert.Equal(resets + 1, counters.ResetsSent); // never a RST for a RST
        Assert.Equal(TcpState.Established, live.Transfer.Client.State);
        live.Finish();
    }

    [Fact]
    public void Data_offsets_past_the_end_or_below_the_minimum_are_dropped_as_malformed()
    {
        using var live = new LiveConnection();
        live.Start(256 * 1024, 256 * 1024, seed: 4);
        foreach (int offset in new[] { 0, 4, 6, 15 })
        {
            var segment = live.Segment(live.RcvNxt, Ack | Psh, options: [], payload: [1, 2]);
            segment.DataOffset = offset;
            live.InjectExpectingDrop(segment, DropReason.Malformed);
        }
        var checksum = live.Segment(live.RcvNxt, Ack | Psh, payload: Garbage);
        live.InjectExpectingDrop(checksum, DropReason.BadChecksum, tcpChecksum: false);
        live.Finish();
    }

    [Fact]
    public void An_acknowledgment_of_unsent_data_is_dropped_even_while_the_receive_window_is_closed()
    {
        using var live = new LiveConnection();
        var client = TcpSocketOptions.Default with { ReceiveBufferSize = 16 * 1024, MaxReceiveBufferSize = 16 * 1024 };
        live.Start(1000, 256 * 1024, seed: 5, client: client, paused: true);
        Assert.True(TcpTransfer.RunAll(live.Pair, [live.Transfer], TimeSpan.FromSeconds(5), until: () => live.Transfer.Client.Available == 16 * 1024));
        live.Pair.Sim.RunFor(TimeSpan.FromMilliseconds(100));

        // RFC 9293 §3.10.7.4: a zero window still takes valid ACKs from a segment at RCV.NXT; this one
        // acknowledges 1000 bytes the client never sent, which RFC 5961 §5.2 says to drop.
        live.InjectExpectingDrop(live.Segment(live.RcvNxt, Ack, ack: live.PeerAck + 1000, payload: [1]), DropReason.OutOfWindow);
        live.Transfer.ClientPaused = false;
        live.Finish();
    }


    /// <summary>
    /// A million mutated copies of the peer's segments (bits, lengths, flags, options, sequence and
    /// acknowledgment numbers near and far) fed to the client while transfers of 1 MB each way run:
    /// nothing throws, each is dropped under exactly one reason or is harmless, memory stays within
    /// the connections' bounds, no connection appears, and every transfer arrives intact and closes.
    /// </summary>
    /// <remarks>
    /// A segment that carries the live 4-tuple, a valid checksum and plausible numbers is the real
    /// peer's as far as any TCP can tell (an on-path attacker can always reset or corrupt a
    /// connection), so those mutations also get one defect that RFC 9293 and RFC 5961 say must get it
    /// dropped: malformed options, a bad data offset, a sequence number far out of the window, no ACK
    /// bit, an acknowledgment beyond anything sent, a RST not exactly at RCV.NXT, or a SYN. Slices of
    /// the peer's real segments (its true bytes at their true sequence numbers) go in unchanged.
    /// </remarks>
    [Fact]
    public void A_million_fuzzed_segments_against_a_live_connection_leave_the_transfers_intact()
    {
        const int Segments = 1_000_000;
        const int PerStep = 48;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var fromA = new Impairments
        {
            Seed = 1, Delay = TimeSpan.FromMicroseconds(100), RateBitsPerSecond = 1_000_000_000, QueueLimitBytes = 64 * 1024,
            Loss = 0.01, Reorder = 0.02, ReorderDelay = TimeSpan.FromMicroseconds(300),
        };
        var fromB = fromA with { Seed = 2, Duplication = 0.01 };
        using var live = new LiveConnection(fromA, fromB, buffers: 4096);
        var random = new Random(20261202);
        var clientPorts = new HashSet<ushort>();
        var tally = new long[Enum.GetValues<RxDisposition>().Length];
        long fuzzed = 0;
        var options = TcpSocketOptions.Default;
        long perConnection = options.MaxSendBufferSize + options.MaxReceiveBufferSize;
        while (fuzzed < Segments)
        {
            live.Start(1 << 20, 1 << 20, seed: live.Transfers.Count);
            clientPorts.Add(live.Transfer.Client.Tuple.LocalPort);
            bool done = TcpTransfer.RunAll(live.Pair, [live.Transfer], TimeSpan.FromMinutes(10), _ =>
            {
                var client = live.Transfer.Client;
                if (client.State is not (TcpState.Established or TcpState.FinWait1 or TcpState.FinWait2 or TcpState.CloseWait or TcpState.Closing or TcpState.LastAck))
                {
                    return;
                }
                for (int i = 0; i < PerStep && fuzzed < Segments; i++, fuzzed++)
                {
                    tally[(int)Fuzz(random, live, clientPorts)]++;
                }
                var table = live.Pair.A.Tcp;
                if (table.Count > live.Transfers.Count || table.MemoryInUse > table.Count * perConnection)
                {
                    Assert.Fail($"{table.Count} connections holding {table.MemoryInUse} bytes after {fuzzed} fuzzed segments");
                }
            });
            Assert.True(done, $"transfer {live.Transfers.Count} not done at {live.Pair.Sim.Now} after {fuzzed} fuzzed segments: {live.Transfer}");
            live.Transfer.AssertIntact();
        }
        live.Finish();
        _output.WriteLine($"{fuzzed} fuzzed segments over {live.Transfers.Count} transfers of 1 MB each way in {clock.Elapsed.TotalSeconds:F1} s: " +
            string.Join(", ", Enum.GetValues<RxDisposition>().Select(d => $"{d} {tally[(int)d]}")) +
            $"; challenge ACKs {live.Pair.A.TcpCounters.ChallengeAcks} (throttled {live.Pair.A.TcpCounters.ChallengeAcksThrottled}), RSTs sent {live.Pair.A.TcpCounters.ResetsSent}; " +
            $"drops {TcpSimulatorStressTests.DropSummary(live.Pair.A)}; transmit drops {TcpSimulatorStressTests.DropSummary(live.Pair.A, DropStage.Transmit)}");
        Assert.Equal(Segments, fuzzed);
        Assert.True(tally[(int)RxDisposition.Dropped] > Segments / 2);
    }

    /// <summary>One fuzzed segment (see the million-segment test) handed to the client; returns what the client did with it.</summary>
    private static RxDisposition Fuzz(Random random, LiveConnection live, HashSet<ushort> clientPorts)
    {
        var captured = live.Recent[random.Next(live.Recent.Count)];
        int kind = random.Next(100);
        if (kind < 20)
        {
            // One bit flipped anywhere, checksums left as they were: some layer's check must catch it
            // (a single bit always changes an Internet checksum), or it is a harmless duplicate.
            Span<byte> copy = stackalloc byte[captured.Length];
            captured.CopyTo(copy);
            int bit = random.Next(captured.Length * 8);
            copy[bit / 8] ^= (byte)(1 << (bit % 8));
            return live.InjectFrame(copy);
        }
        var segment = WireSegment.Parse(captured)!.Value;
        if (kind < 35)
        {
            // Another 4-tuple, never one of ours: anything at all goes.
            switch (random.Next(3))
            {
                case 0:
                    segment.DestinationPort = OtherPort(random, p => clientPorts.Contains(p));
                    break;
                case 1:
                    segment.SourcePort = OtherPort(random, p => p >= TcpTransfer.Port && p <= TcpTransfer.Port + live.Transfers.Count);
                    break;
                default:
                    segment.Source = new Ipv4Address((uint)random.NextInt64(1, 1L << 32));
                    if (segment.Source == Net.PeerIp)
                    {
                        segment.Source = Ipv4Address.Parse("192.0.2.1");
                    }
                    break;
            }
            Scramble(random, ref segment, live);
            return live.Inject(segment, tcpChecksum: random.Next(8) != 0);
        }
        if (kind < 50)
        {
            // A slice of one of the peer's data segments: its true bytes at their true sequence numbers.
            for (int tries = 0; tries < 8 && segment.Payload.Length == 0; tries++)
            {
                segment = WireSegment.Parse(live.Recent[random.Next(live.Recent.Count)])!.Value;
            }
            if (segment.Payload.Length > 0)
            {
                int from = random.Next(segment.Payload.Length);
                int to = random.Next(from + 1, segment.Payload.Length + 1);
                segment.Sequence += (uint)from;
                if (to < segment.Payload.Length)
                {
                    segment.Flags &= ~Fin;
                }
                segment.Payload = segment.Payload[from..to];
                return live.Inject(segment);
            }
        }
        // The live 4-tuple, mutated at will, then given one defect that must get it dropped.
        Scramble(random, ref segment, live);
        switch (random.Next(7))
        {
            case 0:
                segment.Options = MalformedOptions[random.Next(MalformedOptions.Length)];
                break;
            case 1:
                int words = (20 + ((segment.Options.Length + 3) & ~3) + segment.Payload.Length) / 4;
                segment.DataOffset = words < 15 && random.Next(2) == 0 ? random.Next(words + 1, 16) : random.Next(5);
                break;
            case 2:
                segment.Sequence = live.RcvNxt + (uint)random.NextInt64(1 << 26, (1L << 32) - (1 << 26));
                break;
            case 3:
                segment.Flags &= ~(Ack | Rst | Syn);
                break;
            case 4:
                segment.Flags = (segment.Flags | Ack) & ~(Rst | Syn);
                segment.Acknowledgment = live.PeerAck + (uint)random.Next(1 << 26, 1 << 30);
                break;
            case 5:
                segment.Flags |= Rst;
                segment.Sequence = live.RcvNxt + (uint)(random.Next(2) == 0 ? random.Next(1, 65536) : -random.Next(1, 65536));
                break;
            default:
                segment.Flags = (segment.Flags | Syn) & ~Rst;
                break;
        }
        return live.Inject(segment, tcpChecksum: random.Next(16) != 0);
    }

    /// <summary>Random changes to any of the fields: sequence and acknowledgment numbers near the live ones or anywhere, flags, window, options, payload.</summary>
    private static void Scramble(Random random, ref WireSegment segment, LiveConnection live)
    {
        segment.Sequence = random.Next(3) switch
        {
            0 => segment.Sequence,
            1 => live.RcvNxt + (uint)random.Next(-65536, 65536),
            _ => (uint)random.NextInt64(1L << 32),
        };
        segment.Acknowledgment = random.Next(3) switch
        {
            0 => segment.Acknowledgment,
            1 => live.PeerAck + (uint)random.Next(-65536, 65536),
            _ => (uint)random.NextInt64(1L << 32),
        };
        if (random.Next(2) == 0)
        {
            segment.Flags = (TcpFlags)random.Next(256);
        }
        if (random.Next(4) == 0)
        {
            segment.Window = (ushort)random.Next(65536);
        }
        segment.Urgent = (ushort)(random.Next(4) == 0 ? random.Next(65536) : 0);
        switch (random.Next(4))
        {
            case 0 or 1:
                segment.Options = live.LatestOptions; // a timestamp that passes PAWS, so the segment gets further
                break;
            case 2:
                var bytes = new byte[random.Next(41)];
                random.NextBytes(bytes);
                segment.Options = bytes;
                break;
            case 3:
                segment.Options = WireSegment.TimestampOption((uint)random.NextInt64(1L << 32), (uint)random.NextInt64(1L << 32));
                break;
        }
        switch (random.Next(4))
        {
            case 0:
                segment.Payload = [];
                break;
            case 1:
                var payload = new byte[random.Next(1, 1400)];
                random.NextBytes(payload);
                segment.Payload = payload;
                break;
        }
    }

    private static ushort OtherPort(Random random, Func<ushort, bool> taken)
    {
        ushort port;
        do
        {
            port = (ushort)random.Next(1, 65536);
        }
        while (taken(port));
        return port;
    }

    /// <summary>
    /// A transfer between the simulated pair's A (client) and B (server), with a tap on A's receive
    /// side that keeps B's recent segments of the connection and B's initial sequence number, so a
    /// test can write segments that look like B's, at sequence numbers it knows.
    /// </summary>
    internal sealed class LiveConnection : IDisposable
    {
        private readonly List<TcpTransfer> _all = [];
        private readonly byte[] _frame = new byte[2048];
        private bool _haveIrs;

        /// <summary>A 100 Mbit/s link with 1 ms of delay each way (so transfers take many steps) unless told otherwise.</summary>
        public LiveConnection(Impairments? fromA = null, Impairments? fromB = null, int buffers = 1024)
        {
            var wire = new Impairments { Delay = TimeSpan.FromMilliseconds(1), RateBitsPerSecond = 100_000_000 };
            Pair = new SimulatedPair(fromA ?? wire, fromB ?? wire, buffers: buffers);
            Pair.Link.Attach(new FrameTap(Pair.A, Seen), Pair.B);
        }

        public SimulatedPair Pair { get; }

        public TcpTransfer Transfer { get; private set; } = null!;

        public IReadOnlyList<TcpTransfer> Transfers => _all;

        /// <summary>B's initial sequence number on the current connection.</summary>
        public uint Irs { get; private set; }

        /// <summary>The acknowledgment in B's latest segment: what B has of A's bytes (never more than A sent).</summary>
        public uint PeerAck { get; private set; }

        /// <summary>The options of B's latest segment (its newest timestamp).</summary>
        public byte[] LatestOptions { get; private set; } = [];

        /// <summary>B's latest segments of the current connection, as A received them (oldest first).</summary>
        public List<byte[]> Recent { get; } = [];

        /// <summary>A's RCV.NXT: B's initial sequence number, the bytes the client read (its application reads all there is between steps) and B's FIN.</summary>
        public uint RcvNxt => Irs + 1 + (uint)Transfer.ClientReadLength + (uint)Transfer.Client.Available + (uint)(Transfer.Client.ReadCompleted ? 1 : 0);

        /// <summary>Starts a transfer on the next port and runs until it is established and data flows both ways.</summary>
        public void Start(int toServer, int toClient, int seed, TcpSocketOptions? client = null, bool paused = false)
        {
            Recent.Clear();
            _haveIrs = false;
            Transfer = new TcpTransfer(Pair, toServer, toClient, seed, client, port: (ushort)(TcpTransfer.Port + _all.Count)) { ClientPaused = paused };
            _all.Add(Transfer);
            Assert.True(TcpTransfer.RunAll(Pair, [Transfer], TimeSpan.FromSeconds(10), until: () => _haveIrs && Transfer.Server is not null),
                $"not established: {Transfer}");
            Assert.True(Transfer.Client.State is TcpState.Established or TcpState.FinWait1, $"not established: {Transfer}");
        }

        /// <summary>A segment from B's side of the connection with B's latest acknowledgment, window and timestamps.</summary>
        public WireSegment Segment(uint seq, TcpFlags flags, uint? ack = null, byte[]? options = null, byte[]? payload = null)
        {
            var last = WireSegment.Parse(Recent[^1])!.Value;
            last.Sequence = seq;
            last.Flags = flags;
            last.Acknowledgment = ack ?? PeerAck;
            last.Options = options ?? last.Options;
            last.Payload = payload ?? [];
            return last;
        }

        /// <summary>Hands A the segment; returns what A did with it, after checking that it counted exactly one drop reason if it dropped it, and none otherwise.</summary>
        public RxDisposition Inject(in WireSegment segment, bool tcpChecksum = true)
        {
            int length = segment.Write(_frame, tcpChecksum);
            return InjectFrame(_frame.AsSpan(0, length));
        }

        /// <summary>Hands A a frame; as <see cref="Inject"/>.</summary>
        public RxDisposition InjectFrame(ReadOnlySpan<byte> frame)
        {
            var counters = Pair.A.Counters;
            long before = counters.TotalDrops(DropStage.Receive);
            var disposition = Pair.A.Receive(frame, Pair.Sim.Now);
            long counted = counters.TotalDrops(DropStage.Receive) - before;
            if (counted != (disposition == RxDisposition.Dropped ? 1 : 0))
            {
                Assert.Fail($"{disposition} but {counted} drops counted for {Convert.ToHexString(frame)}; {Transfer}");
            }
            return disposition;
        }

        public void InjectExpectingDrop(in WireSegment segment, DropReason reason, bool tcpChecksum = true)
        {
            long before = Pair.A.Counters.DropCount(reason);
            Assert.Equal(RxDisposition.Dropped, Inject(in segment, tcpChecksum));
            Assert.True(Pair.A.Counters.DropCount(reason) == before + 1, $"{segment.Flags} seq {segment.Sequence - Irs} not counted under {reason}; {Transfer}");
        }

        /// <summary>Runs every transfer to its end: intact, closed cleanly, nothing left over.</summary>
        public void Finish(Action<Instant>? between = null)
        {
            Assert.True(TcpTransfer.RunAll(Pair, _all, TimeSpan.FromMinutes(10), between), $"not done at {Pair.Sim.Now}: {Transfer}");
            foreach (var transfer in _all)
            {
                transfer.AssertIntact();
            }
            TcpSimulatorStressTests.AssertClosesCleanly(Pair, _all, TimeSpan.FromMinutes(10));
        }

        private void Seen(ReadOnlySpan<byte> frame)
        {
            if (Transfer is null || WireSegment.Parse(frame) is not WireSegment segment
                || segment.SourcePort != Transfer.Client.Tuple.RemotePort || segment.DestinationPort != Transfer.Client.Tuple.LocalPort
                || !InternetChecksum.IsValid(frame[14..34]))
            {
                return;
            }
            int length = 14 + System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(frame[16..]);
            if (!TcpSegment.TryParse(frame[34..length], out var parsed, out _) || !parsed.ChecksumValid(segment.Source, segment.Destination))
            {
                return; // only segments that arrived intact (the link may corrupt them)
            }
            if ((segment.Flags & (Syn | Ack)) == (Syn | Ack))
            {
                Irs = segment.Sequence;
                _haveIrs = true;
            }
            if ((segment.Flags & Ack) != 0 && (segment.Flags & Rst) == 0 && (int)(segment.Acknowledgment - PeerAck) > 0 || Recent.Count == 0)
            {
                PeerAck = segment.Acknowledgment;
            }
            if (Recent.Count == 64)
            {
                Recent.RemoveAt(0);
            }
            Recent.Add(frame[..length].ToArray());
            LatestOptions = segment.Options;
        }

        /// <summary>Frees the cores (<see cref="Finish"/> checked the pools; a failed test must not fail again here and hide why).</summary>
        public void Dispose()
        {
            Pair.A.Dispose();
            Pair.B.Dispose();
            Pair.Link.Dispose();
        }
    }
}
