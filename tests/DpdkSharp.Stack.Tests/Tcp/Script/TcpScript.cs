using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace DpdkSharp.Stack.Tests.Tcp.Script;

/// <summary>
/// Scripted segment tests in the style of packetdrill, over the sans-IO TCP core and a virtual
/// clock: segments go in (<see cref="In"/>), the application acts (<see cref="Write"/>,
/// <see cref="Read"/>, <see cref="Shutdown"/>, <see cref="Close"/>, <see cref="Abort"/>), and every
/// segment the core emits must be claimed, in order, by <see cref="Out"/>.
/// </summary>
/// <remarks>
/// <para>Conventions, as packetdrill has them. Times (<c>at</c>) are milliseconds from the start;
/// moving to a time first runs every timer due before it, at its own instant. Sequence numbers
/// are relative: an incoming segment's <c>seq</c> (and the SACK blocks we send, and our ACKs) to
/// the peer's ISN, an incoming <c>ack</c> (and the SACK blocks the peer sends, and our <c>seq</c>)
/// to our ISS. Windows are the raw 16-bit field. Flags: <c>S F R P</c> and <c>.</c> for ACK.
/// The TS val we send is relative to the connection's timestamp offset, so it reads as our clock in
/// milliseconds; <c>TS val *</c> accepts any.</para>
/// <para>Options are written <c>"mss 1460, sackOK, TS val 100 ecr 0, wscale 7, sack 1001:2001 3001:4001"</c>.
/// In <see cref="Out"/>, null options are not checked and <c>""</c> means none.</para>
/// <para>A failure prints the expected and the actual segment, the connection's state and the script so far.</para>
/// </remarks>
internal sealed class TcpScript : ITcpSegmentSink
{
    public static readonly TcpTuple Tuple = new(Net.UsIp, 8080, Net.PeerIp, 40000);
    public const uint DefaultOurIss = 1_000_000;
    public const uint DefaultPeerIss = 7_000_000;

    private readonly Queue<Emitted> _emitted = new();
    private readonly StringBuilder _log = new();
    private readonly TcpSocketOptions _options;
    private readonly int _mtu;
    private readonly uint _peerIss;
    private uint _ourIss;

    private TcpScript(TcpSocketOptions? options, int mtu, uint ourIss, uint peerIss, int challengeAcksPerSecond, TcpStackOptions? table)
    {
        _options = options ?? TcpSocketOptions.Default;
        _mtu = mtu;
        _ourIss = ourIss;
        _peerIss = peerIss;
        NetCounters = new NetCounters();
        if (table is null)
        {
            Counters = new TcpCounters();
            Shared = new TcpShared(Counters, NetCounters, 1L << 30, challengeAcksPerSecond);
        }
        else
        {
            Table = new TcpEndpointTable(table, Tuple.LocalAddress, mtu, this, NetCounters);
            Counters = Table.Counters;
            Shared = new TcpShared(Counters, NetCounters, 1L << 30, challengeAcksPerSecond);
        }
    }

    /// <summary>An active open: the connection sends its SYN at time 0.</summary>
    public static TcpScript Active(TcpSocketOptions? options = null, int mtu = 1500, int challengeAcksPerSecond = 1000)
    {
        var script = new TcpScript(options, mtu, DefaultOurIss, DefaultPeerIss, challengeAcksPerSecond, null);
        script.Tcb = TcpControlBlock.Connect(Tuple, script._options, script.Shared, new SequenceNumber(DefaultOurIss), mtu, script.Now);
        script.Note("connect()");
        script.Tcb.Output(script.Now, script);
        return script;
    }

    /// <summary>A passive open: the first <see cref="In"/>, a SYN, creates the connection as a listener would.</summary>
    public static TcpScript Passive(TcpSocketOptions? options = null, int mtu = 1500, int challengeAcksPerSecond = 1000,
        uint ourIss = DefaultOurIss, uint peerIss = DefaultPeerIss) =>
        new(options, mtu, ourIss, peerIss, challengeAcksPerSecond, null);

    /// <summary>
    /// A passive connection established at time 0 with the peer's <paramref name="synOptions"/>
    /// (by default only an MSS of 1000, so segments carry no options and sizes read easily) and
    /// window <paramref name="win"/>; the handshake's segments are claimed.
    /// </summary>
    public static TcpScript Established(TcpSocketOptions? options = null, string synOptions = "mss 1000", ushort win = 65535, string ackOptions = "",
        int challengeAcksPerSecond = 1000, uint ourIss = DefaultOurIss, uint peerIss = DefaultPeerIss)
    {
        var script = Passive(options, challengeAcksPerSecond: challengeAcksPerSecond, ourIss: ourIss, peerIss: peerIss);
        script.In(0, "S", 0, win: win, options: synOptions);
        script.Out(0, "S.", 0, ack: 1);
        script.In(0, ".", 1, ack: 1, win: win, options: ackOptions);
        script.ExpectState(TcpState.Established);
        script.Tcb!.TakeEvents();
        return script;
    }

    /// <summary>A whole connection table on our address: segments go through its demultiplexing, listeners and timer queue; our ISS is learned from the first SYN it sends.</summary>
    public static TcpScript WithTable(TcpStackOptions? options = null, int mtu = 1500) =>
        new(null, mtu, 0, DefaultPeerIss, 1000, options ?? new TcpStackOptions());

    public Instant Now { get; private set; }

    /// <summary>The connection under test (in table mode: the one given to <see cref="Adopt"/>).</summary>
    public TcpControlBlock? Tcb { get; private set; }

    public TcpEndpointTable? Table { get; }

    public TcpShared Shared { get; }

    public TcpCounters Counters { get; }

    public NetCounters NetCounters { get; }

    /// <summary>Segments the table sent on other 4-tuples (connections that only fill queues).</summary>
    public int OtherSegments { get; private set; }

    /// <summary>The absolute TS val of the last segment <see cref="Out"/> claimed (for the peer's echo).</summary>
    public uint LastTsVal { get; private set; }

    /// <summary>Makes the sink refuse segments (no buffer): the connection must treat them as lost.</summary>
    public bool Refuse { get; set; }

    /// <summary>In table mode: the connection the application holds from now on.</summary>
    public void Adopt(TcpControlBlock tcb) => Tcb = tcb;

    /// <summary>
    /// A segment from the peer at <paramref name="at"/> ms, carrying <paramref name="len"/> bytes of
    /// data. Returns whether the connection (or table) took it rather than dropping it.
    /// </summary>
    /// <param name="urp">The urgent pointer field (meaningful with the U flag, RFC 9293 §3.1).</param>
    public bool In(long at, string flags, int seq, int ack = 0, ushort win = 65535, string? options = null, int len = 0, ushort? port = null, ushort urp = 0)
    {
        var tuple = Tuple with { RemotePort = port ?? Tuple.RemotePort };
        AdvanceTo(at);
        var parsedFlags = ParseFlags(flags);
        var parsed = ParseOptions(options ?? "", sackBase: _ourIss, out _);
        Span<byte> optionBytes = stackalloc byte[40];
        int optionLength = parsed.Write(optionBytes);
        var bytes = new byte[TcpSegment.MinHeaderLength + optionLength + len];
        var seqAbsolute = new SequenceNumber(_peerIss) + seq;
        var ackAbsolute = (parsedFlags & TcpFlags.Ack) != 0 ? new SequenceNumber(_ourIss) + ack : default;
        int headerLength = TcpSegment.WriteHeader(bytes, tuple.RemoteAddress.AsIpv4(), tuple.LocalAddress.AsIpv4(), tuple.RemotePort, tuple.LocalPort,
            seqAbsolute, ackAbsolute, parsedFlags, win, optionBytes[..optionLength], len, 0, offload: true);
        for (int i = 0; i < len; i++)
        {
            bytes[headerLength + i] = Payload(seq + i);
        }
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(18), urp); // the checksum is not checked here
        Assert.True(TcpSegment.TryParse(bytes, out var segment, out _));
        Assert.True(TcpOptions.TryParse(segment.Options, out var segmentOptions));
        bool accepted;
        if (Table is not null)
        {
            accepted = Table.Receive(Tuple.RemoteAddress, Tuple.LocalAddress, in segment, Now);
        }
        else if (Tcb is null)
        {
            Assert.True((parsedFlags & TcpFlags.Syn) != 0, "a passive script starts with the peer's SYN");
            Tcb = TcpControlBlock.Accept(Tuple, _options, Shared, new SequenceNumber(_ourIss), _mtu, in segment, in segmentOptions, Now);
            accepted = true;
            Tcb.Output(Now, this);
        }
        else
        {
            accepted = Tcb.Receive(in segment, in segmentOptions, Now);
            Tcb.Output(Now, this);
        }
        Note($"in  {(port is null ? "" : $"from port {port} ")}{Describe(parsedFlags, seq, (parsedFlags & TcpFlags.Ack) != 0 ? ack : null, win, options ?? "", len)}{(accepted ? "" : " (dropped)")}");
        return accepted;
    }

    /// <summary>
    /// Claims the next segment the core sent: it must have gone out at <paramref name="at"/> ms with
    /// these flags, sequence number, length and (when it carries an ACK) acknowledgment; the window
    /// and options are checked when given.
    /// </summary>
    public void Out(long at, string flags, int seq, int ack = 0, int? win = null, string? options = null, int len = 0)
    {
        AdvanceTo(at);
        var expectedFlags = ParseFlags(flags);
        string expected = $"{at}ms {Describe(expectedFlags, seq, (expectedFlags & TcpFlags.Ack) != 0 ? ack : null, win, options, len)}";
        if (!_emitted.TryDequeue(out var e))
        {
            Fail($"expected {expected}\n  actual nothing was sent");
            return;
        }
        int actualSeq = e.Header.Sequence - new SequenceNumber(_ourIss);
        int actualAck = e.Header.Acknowledgment - new SequenceNumber(_peerIss);
        bool hasAck = (e.Header.Flags & TcpFlags.Ack) != 0;
        bool wildcard = false;
        string? expectedOptions = options is null ? null : FormatOptions(ParseOptions(options, sackBase: 0, out wildcard), wildcard, 0, 0);
        string actualOptions = FormatOptions(e.Options, wildcard, _ourIss, _peerIss);
        string actual = $"{e.At.Nanoseconds / Ms}ms {Describe(e.Header.Flags, actualSeq, hasAck ? actualAck : null, e.Header.Window, actualOptions, e.Length)}";
        Note($"out {actual}");
        LastTsVal = e.Options.Timestamps?.Value ?? 0;
        bool same = e.At == At(at * Ms) && e.Header.Flags == expectedFlags && actualSeq == seq && e.Length == len
            && (!hasAck || actualAck == ack) && (win is null || win == e.Header.Window)
            && (expectedOptions is null || expectedOptions == actualOptions);
        if (!same)
        {
            Fail($"expected {expected}\n  actual {actual}");
        }
    }

    /// <summary>Runs the clock to just before <paramref name="at"/> ms: nothing may be sent before then.</summary>
    public void ExpectNothingUntil(long at)
    {
        AdvanceTo(at, inclusive: false);
        ExpectNothing();
    }

    /// <summary>Nothing unclaimed was sent so far.</summary>
    public void ExpectNothing()
    {
        if (_emitted.TryPeek(out var e))
        {
            Fail($"expected nothing until {Now}\n  actual {e.At.Nanoseconds / Ms}ms {Describe(e.Header.Flags, e.Header.Sequence - new SequenceNumber(_ourIss), e.Header.Acknowledgment - new SequenceNumber(_peerIss), e.Header.Window, FormatOptions(e.Options, false, _ourIss, _peerIss), e.Length)}");
        }
    }

    /// <summary>Runs the clock (and every timer due) to <paramref name="at"/> ms.</summary>
    public void Tick(long at) => AdvanceTo(at);

    /// <summary>The application queues <paramref name="bytes"/> bytes; returns how many were taken.</summary>
    public int Write(long at, int bytes)
    {
        AdvanceTo(at);
        var data = new byte[bytes];
        int n = App().Write(data);
        Note($"write({bytes}) = {n}");
        AfterApp();
        return n;
    }

    /// <summary>The byte <see cref="In"/> puts at (relative) sequence number <paramref name="seq"/>.</summary>
    public static byte Payload(int seq) => (byte)seq;

    /// <summary>The application reads up to <paramref name="max"/> bytes; returns them.</summary>
    public byte[] ReadBytes(long at, int max = 1 << 20)
    {
        AdvanceTo(at);
        var buffer = new byte[max];
        int n = App().Read(buffer);
        Note($"read({max}) = {n}");
        AfterApp();
        return buffer[..n];
    }

    /// <summary>Forgets what was sent so far (a test that checks state, not every segment); returns how many segments that was.</summary>
    public int DiscardSent()
    {
        int n = _emitted.Count;
        _emitted.Clear();
        return n;
    }

    /// <summary>The application reads up to <paramref name="max"/> bytes; returns how many it got.</summary>
    public int Read(long at, int max = 1 << 20)
    {
        AdvanceTo(at);
        int n = App().Read(new byte[max]);
        Note($"read({max}) = {n}");
        AfterApp();
        return n;
    }

    public void Shutdown(long at) => AppCall(at, "shutdown()", tcb => tcb.Shutdown());

    public void Close(long at) => AppCall(at, "close()", tcb => tcb.CloseByApplication());

    public void Abort(long at) => AppCall(at, "abort()", tcb => tcb.Abort());

    public void SetNoDelay(long at, bool on) => AppCall(at, $"nodelay = {on}", tcb => tcb.NoDelay = on);

    /// <summary>Asserts the connection's state (and, when given, why it ended).</summary>
    public void ExpectState(TcpState state, System.Net.Sockets.SocketError? error = null)
    {
        if (App().State != state || (error is not null && App().Error != error))
        {
            Fail($"expected state {state}{(error is null ? "" : $" ({error})")}\n  actual {App().State} ({App().Error})");
        }
    }

    /// <summary>Fails with the script so far and the connection's state.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public void Fail(string message) =>
        Assert.Fail($"{message}\n  at {Now.Nanoseconds / (double)Ms}ms, TCB: {Tcb?.ToString() ?? "(none)"}\nscript so far:\n{_log}");

    bool ITcpSegmentSink.Send(in TcpTuple tuple, in TcpHeader header, in TcpOptions options, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Instant now)
    {
        if (Refuse)
        {
            return false;
        }
        if (tuple != Tuple)
        {
            OtherSegments++;
            return true;
        }
        if (Table is not null && (header.Flags & TcpFlags.Syn) != 0)
        {
            _ourIss = header.Sequence.Value; // a table picks the ISS: learned from each SYN (a new incarnation has a new one)
        }
        _emitted.Enqueue(new Emitted(now, header, options, first.Length + second.Length));
        return true;
    }

    private TcpControlBlock App() => Tcb ?? throw new InvalidOperationException("No connection yet.");

    private void AppCall(long at, string what, Action<TcpControlBlock> action)
    {
        AdvanceTo(at);
        action(App());
        Note(what);
        AfterApp();
    }

    private void AfterApp()
    {
        if (Table is not null)
        {
            Table.AfterActivity(App(), Now);
        }
        else
        {
            App().Output(Now, this);
        }
    }

    private void AdvanceTo(long at, bool inclusive = true)
    {
        var target = At(at * Ms - (inclusive ? 0 : 1));
        if (target < Now)
        {
            Fail($"the script goes back in time to {at}ms");
        }
        for (int guard = 0; ; guard++)
        {
            var next = Table?.NextTimerAt ?? Tcb?.NextTimerAt ?? Instant.Never;
            if (next > target)
            {
                break;
            }
            if (guard > 10_000)
            {
                Fail($"timers keep firing at {next}");
            }
            Now = Instant.Max(Now, next);
            if (Table is not null)
            {
                Table.Poll(Now);
            }
            else
            {
                Tcb!.OnTimer(Now);
                Tcb.Output(Now, this);
            }
        }
        Now = target;
    }

    private void Note(string line) => _log.Append(CultureInfo.InvariantCulture, $"  {Now.Nanoseconds / (double)Ms}ms {line}\n");

    private static TcpFlags ParseFlags(string text)
    {
        var flags = TcpFlags.None;
        foreach (char c in text)
        {
            flags |= c switch
            {
                'S' => TcpFlags.Syn,
                'F' => TcpFlags.Fin,
                'R' => TcpFlags.Rst,
                'P' => TcpFlags.Psh,
                '.' => TcpFlags.Ack,
                'U' => TcpFlags.Urg,
                _ => throw new ArgumentException($"Unknown flag '{c}' in \"{text}\"."),
            };
        }
        return flags;
    }

    private static string FormatFlags(TcpFlags flags)
    {
        var s = new StringBuilder();
        foreach (var (flag, c) in new[] { (TcpFlags.Syn, 'S'), (TcpFlags.Fin, 'F'), (TcpFlags.Rst, 'R'), (TcpFlags.Psh, 'P'), (TcpFlags.Urg, 'U'), (TcpFlags.Ack, '.') })
        {
            if ((flags & flag) != 0)
            {
                s.Append(c);
            }
        }
        return s.Length == 0 ? "(none)" : s.ToString();
    }

    private static string Describe(TcpFlags flags, int seq, int? ack, int? win, string? options, int len) =>
        $"{FormatFlags(flags)} {seq}:{seq + len}({len})" + (ack is int a ? $" ack {a}" : "") + (win is int w ? $" win {w}" : "")
        + (options is null ? "" : $" <{options}>");

    /// <summary>Parses an options list; SACK blocks are relative to <paramref name="sackBase"/>.</summary>
    private static TcpOptions ParseOptions(string text, uint sackBase, out bool valWildcard)
    {
        valWildcard = false;
        var options = default(TcpOptions);
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var t = part.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (t[0])
            {
                case "mss":
                    options.Mss = ushort.Parse(t[1], CultureInfo.InvariantCulture);
                    break;
                case "sackOK":
                    options.SackPermitted = true;
                    break;
                case "wscale":
                    options.WindowScale = byte.Parse(t[1], CultureInfo.InvariantCulture);
                    break;
                case "TS" when t.Length == 5 && t[1] == "val" && t[3] == "ecr":
                    valWildcard = t[2] == "*";
                    options.Timestamps = (valWildcard ? 0 : uint.Parse(t[2], CultureInfo.InvariantCulture), uint.Parse(t[4], CultureInfo.InvariantCulture));
                    break;
                case "sack":
                    foreach (var block in t[1..])
                    {
                        var edges = block.Split(':');
                        options.AddSackBlock(new SackBlock(new SequenceNumber(sackBase) + int.Parse(edges[0], CultureInfo.InvariantCulture),
                            new SequenceNumber(sackBase) + int.Parse(edges[1], CultureInfo.InvariantCulture)));
                    }
                    break;
                default:
                    throw new ArgumentException($"Unknown option \"{part}\".");
            }
        }
        return options;
    }

    /// <summary>The canonical text of options we sent: TS val relative to <paramref name="tsBase"/>, SACK blocks to <paramref name="sackBase"/>.</summary>
    private static string FormatOptions(in TcpOptions options, bool valWildcard, uint tsBase, uint sackBase)
    {
        var parts = new List<string>();
        if (options.Mss is ushort mss)
        {
            parts.Add($"mss {mss}");
        }
        if (options.SackPermitted)
        {
            parts.Add("sackOK");
        }
        if (options.Timestamps is var (val, ecr))
        {
            parts.Add($"TS val {(valWildcard ? "*" : unchecked(val - tsBase).ToString(CultureInfo.InvariantCulture))} ecr {ecr}");
        }
        if (options.WindowScale is byte shift)
        {
            parts.Add($"wscale {shift}");
        }
        if (options.SackBlockCount > 0)
        {
            var blocks = new List<string>();
            for (int i = 0; i < options.SackBlockCount; i++)
            {
                var b = options.GetSackBlock(i);
                blocks.Add($"{b.Left - new SequenceNumber(sackBase)}:{b.Right - new SequenceNumber(sackBase)}");
            }
            parts.Add("sack " + string.Join(' ', blocks));
        }
        return string.Join(", ", parts);
    }

    private readonly record struct Emitted(Instant At, TcpHeader Header, TcpOptions Options, int Length);
}
