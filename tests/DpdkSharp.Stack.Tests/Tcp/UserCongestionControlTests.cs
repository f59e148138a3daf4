namespace DpdkSharp.Stack.Tests.Tcp;

/// <summary>
/// An application's own <see cref="ITcpCongestionControl"/> behind <see cref="TcpSocketOptions.CongestionControl"/>:
/// each connection gets its own instance, sends within its window and reports every event to it.
/// </summary>
public class UserCongestionControlTests
{
    /// <summary>A controller written as an application would: a window of a fixed number of segments, every call recorded.</summary>
    private sealed class FixedWindow(int segments) : ITcpCongestionControl
    {
        public int Mss { get; private set; }
        public int Initializations { get; private set; }
        public long BytesAcked { get; private set; }
        public int Acks { get; private set; }
        public int RttSamples { get; private set; }
        public int LargestFlightAtAck { get; private set; }
        public int CongestionEvents { get; private set; }
        public int RecoveryEnds { get; private set; }
        public int Timeouts { get; private set; }

        public int CongestionWindow => segments * Mss;

        public int SlowStartThreshold => int.MaxValue;

        public void Initialize(int mss, Instant now)
        {
            Mss = mss;
            Initializations++;
        }

        public void OnAck(int bytesAcked, int bytesInFlight, TimeSpan? rtt, Instant now)
        {
            Acks++;
            BytesAcked += bytesAcked;
            RttSamples += rtt is null ? 0 : 1;
            LargestFlightAtAck = Math.Max(LargestFlightAtAck, bytesInFlight);
        }

        public void OnCongestionEvent(int bytesInFlight, Instant now) => CongestionEvents++;

        public void OnRecoveryEnd(Instant now) => RecoveryEnds++;

        public void OnRetransmissionTimeout(int bytesInFlight, Instant now) => Timeouts++;

        public void OnMssChanged(int mss) => Mss = mss;
    }

    private static Impairments Wire(int seed, double loss = 0) => new()
    {
        Seed = seed,
        Delay = TimeSpan.FromMicroseconds(50),
        RateBitsPerSecond = 1_000_000_000,
        QueueLimitBytes = 4 * 1024 * 1024,
        Loss = loss,
    };

    [Fact]
    public void A_connection_sends_within_the_window_of_its_own_controller_and_reports_every_ACK_to_it()
    {
        var made = new List<FixedWindow>();
        var options = new TcpSocketOptions { CongestionControl = () => Made(made, new FixedWindow(4)) };
        using var pair = new SimulatedPair(Wire(1), Wire(2));
        var transfer = new TcpTransfer(pair, 1 << 20, 0, seed: 3, client: options);
        Assert.True(transfer.Run(TimeSpan.FromSeconds(30)), $"client {transfer.Client}; server {transfer.Server}");
        transfer.AssertIntact();
        pair.Sim.RunFor(TimeSpan.FromSeconds(1)); // the reads are done; the last ACKs may still be on the way

        var cc = Assert.Single(made); // the server's connection kept the default, CUBIC
        Assert.Equal(1, cc.Initializations);
        Assert.Equal(transfer.Client.SendMss, cc.Mss);
        Assert.Equal(4 * cc.Mss, transfer.Client.CongestionWindow);
        // The window was the limit: the sender filled it and never went past it.
        Assert.Equal(4 * cc.Mss, cc.LargestFlightAtAck);
        // Every sequence number the client sent was acknowledged through OnAck: the data and the FIN
        // (the SYN is acknowledged before the handshake gives the MSS).
        Assert.Equal((1 << 20) + 1, cc.BytesAcked);
        Assert.True(cc.RttSamples > 0 && cc.RttSamples <= cc.Acks, $"{cc.RttSamples} samples in {cc.Acks} ACKs");
        Assert.Equal(0, cc.CongestionEvents + cc.RecoveryEnds + cc.Timeouts);
    }

    [Fact]
    public void Every_loss_recovery_the_connection_enters_is_reported_to_its_controller()
    {
        var made = new List<FixedWindow>();
        var options = new TcpSocketOptions { CongestionControl = () => Made(made, new FixedWindow(8)) };
        using var pair = new SimulatedPair(Wire(21, loss: 0.03), Wire(22));
        var transfer = new TcpTransfer(pair, 1 << 20, 0, seed: 5, client: options);
        Assert.True(transfer.Run(TimeSpan.FromSeconds(120)), $"client {transfer.Client}; server {transfer.Server}");
        transfer.AssertIntact();

        var cc = Assert.Single(made);
        var counters = pair.A.TcpCounters; // the client's interface: this connection's recoveries only
        Assert.True(cc.CongestionEvents > 0);
        Assert.Equal(counters.FastRecoveries + counters.SackRecoveries, cc.CongestionEvents);
        Assert.InRange(cc.RecoveryEnds, 1, cc.CongestionEvents);
        Assert.Equal(8 * cc.Mss, transfer.Client.CongestionWindow); // the connection never sizes the window itself
    }

    [Fact]
    public void Each_connection_gets_an_instance_of_its_own_from_the_factory()
    {
        var made = new List<FixedWindow>();
        var options = new TcpSocketOptions { CongestionControl = () => Made(made, new FixedWindow(10)) };
        using var pair = new SimulatedPair(Wire(31), Wire(32));
        var first = new TcpTransfer(pair, 64 * 1024, 0, seed: 1, client: options);
        var second = new TcpTransfer(pair, 64 * 1024, 0, seed: 2, client: options, port: TcpTransfer.Port + 1);
        Assert.True(TcpTransfer.RunAll(pair, [first, second], TimeSpan.FromSeconds(30)));
        first.AssertIntact();
        second.AssertIntact();

        Assert.Equal(2, made.Count);
        pair.Sim.RunFor(TimeSpan.FromSeconds(1)); // the reads are done; the last ACKs may still be on the way
        Assert.All(made, cc => Assert.Equal(64 * 1024 + 1, cc.BytesAcked));
    }

    [Fact]
    public void A_window_below_one_segment_is_used_as_one_segment_so_the_connection_still_delivers()
    {
        var options = new TcpSocketOptions { CongestionControl = () => new FixedWindow(0) };
        using var pair = new SimulatedPair(Wire(41), Wire(42));
        var transfer = new TcpTransfer(pair, 64 * 1024, 0, seed: 4, client: options);
        Assert.True(transfer.Run(TimeSpan.FromSeconds(30)), $"client {transfer.Client}; server {transfer.Server}");
        transfer.AssertIntact();
        Assert.Equal(transfer.Client.SendMss, transfer.Client.CongestionWindow);
    }

    [Fact]
    public void A_factory_is_required_and_the_default_is_CUBIC()
    {
        Assert.Throws<ArgumentNullException>(() => new TcpSocketOptions { CongestionControl = null! }.Validate());
        Assert.IsType<CubicCongestionControl>(TcpSocketOptions.Default.CongestionControl());
        Assert.IsType<NewRenoCongestionControl>(new TcpSocketOptions { CongestionControl = TcpCongestionControl.NewReno }.CongestionControl());
        Assert.NotSame(TcpCongestionControl.Cubic(), TcpCongestionControl.Cubic());
    }

    private static FixedWindow Made(List<FixedWindow> made, FixedWindow cc)
    {
        made.Add(cc);
        return cc;
    }
}
