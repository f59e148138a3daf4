namespace DpdkSharp.Stack.Tests.Tcp;

/// <summary>The per-connection building blocks run on the fast path: they must not allocate.</summary>
public class TcpPartsAllocationTests
{
    private struct Nothing : IPortInUse
    {
        public readonly bool IsInUse(ushort port) => false;
    }

    [Fact]
    public void ISNs_ports_cookies_and_congestion_control_allocate_nothing()
    {
        IpAddress us = Ipv4Address.Parse("10.0.0.1");
        IpAddress peer = Ipv4Address.Parse("10.0.0.2");
        var us6 = IpAddress.Read(System.Net.IPAddress.Parse("2001:db8::1").GetAddressBytes());
        var isn = new TcpIsnGenerator();
        var ports = new EphemeralPorts();
        var cookies = new SynCookies();
        var cubic = new CubicCongestionControl();
        var reno = new NewRenoCongestionControl();
        var rtt = new RttEstimator(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(60));
        long sink = 0;

        void Run(int n)
        {
            var nothing = new Nothing();
            cubic.Initialize(1460, At(0));
            reno.Initialize(1460, At(0));
            for (int i = 0; i < n; i++)
            {
                var now = At(i * T.Ms);
                sink += isn.Next(new(us, 1, peer, 2), now).Value;
                sink += isn.Next(new(us6, 1, us6, 2), now).Value;
                ports.TryAllocate(us, peer, 80, ref nothing, out ushort port);
                var cookie = cookies.Create(new(us, port, peer, 80), new SequenceNumber((uint)i), 1460, now, out _);
                sink += cookies.TryValidate(new(us, port, peer, 80), new SequenceNumber((uint)i), cookie, now, out ushort mss) ? mss : 0;
                cubic.OnAck(1460, cubic.CongestionWindow, TimeSpan.FromMilliseconds(10), now);
                reno.OnAck(1460, reno.CongestionWindow, null, now);
                if (i % 100 == 99)
                {
                    cubic.OnCongestionEvent(cubic.CongestionWindow, now);
                    cubic.OnRecoveryEnd(now);
                    reno.OnRetransmissionTimeout(reno.CongestionWindow, now);
                }
                rtt.AddSample(TimeSpan.FromMilliseconds(10 + i % 7));
            }
        }

        // Warm up, then measure; the one-shot HMAC allocates once while the runtime tiers its
        // code up in the background, so a round that allocated is run again after a pause.
        // Steady-state allocation fails every round.
        Run(2000);
        long allocated = 0;
        for (int round = 0; round < 5; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            Run(5000);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated == 0)
            {
                break;
            }
            Thread.Sleep(200);
        }
        Assert.Equal(0, allocated);
        Assert.NotEqual(0, sink);
    }
}
