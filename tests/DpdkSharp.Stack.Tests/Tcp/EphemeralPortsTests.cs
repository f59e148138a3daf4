namespace DpdkSharp.Stack.Tests.Tcp;

/// <summary><see cref="EphemeralPorts"/>: RFC 6056 §3.3.4 Algorithm 4.</summary>
public class EphemeralPortsTests
{
    private static readonly byte[] s_key = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();
    private static readonly IpAddress s_us = Ipv4Address.Parse("10.0.0.1");
    private static readonly IpAddress s_peer = Ipv4Address.Parse("10.0.0.2");

    private struct Nothing : IPortInUse
    {
        public readonly bool IsInUse(ushort port) => false;
    }

    private struct InSet(HashSet<ushort> used) : IPortInUse
    {
        public int Asked;

        public bool IsInUse(ushort port)
        {
            Asked++;
            return used.Contains(port);
        }
    }

    private static ushort Next(EphemeralPorts ports, ushort remotePort = 443)
    {
        var nothing = new Nothing();
        Assert.True(ports.TryAllocate(s_us, s_peer, remotePort, ref nothing, out ushort port));
        return port;
    }

    [Fact]
    public void Ports_stay_in_the_range_and_all_of_a_small_range_are_handed_out_before_any_twice()
    {
        var ports = new EphemeralPorts(1000, 1015, s_key);
        var used = new HashSet<ushort>();
        var inUse = new InSet(used);
        for (int i = 0; i < 16; i++)
        {
            Assert.True(ports.TryAllocate(s_us, s_peer, 80, ref inUse, out ushort port));
            Assert.InRange(port, (ushort)1000, (ushort)1015);
            Assert.True(used.Add(port), $"{port} handed out twice");
        }
        Assert.False(ports.TryAllocate(s_us, s_peer, 80, ref inUse, out ushort none));
        Assert.Equal(0, none);
        Assert.Equal(16 + 16, inUse.Asked); // one question per port handed out, then every port once
    }

    [Fact]
    public void The_default_range_is_Linux_s()
    {
        var ports = new EphemeralPorts();
        Assert.Equal(32768, ports.First);
        Assert.Equal(60999, ports.Last);
        for (int i = 0; i < 1000; i++)
        {
            Assert.InRange(Next(ports, (ushort)i), (ushort)32768, (ushort)60999);
        }
    }

    [Fact]
    public void Ports_in_use_are_skipped()
    {
        var probe = new EphemeralPorts(key: s_key);
        ushort first = Next(probe);
        ushort second = Next(probe);

        // The same sequence with the first choice taken: it moves on to the next one.
        var ports = new EphemeralPorts(key: s_key);
        var inUse = new InSet([first]);
        Assert.True(ports.TryAllocate(s_us, s_peer, 443, ref inUse, out ushort port));
        Assert.Equal(second, port);
        Assert.Equal(2, inUse.Asked);
    }

    [Fact]
    public void Consecutive_connections_to_the_same_remote_end_get_successive_ports()
    {
        var ports = new EphemeralPorts(key: s_key);
        ushort a = Next(ports);
        ushort b = Next(ports);
        ushort c = Next(ports);
        Assert.Equal(a == 60999 ? 32768 : a + 1, b);
        Assert.Equal(b == 60999 ? 32768 : b + 1, c);
    }

    [Fact]
    public void Different_remote_ends_start_at_unrelated_offsets()
    {
        var ports = new EphemeralPorts(key: s_key);
        var chosen = new HashSet<ushort>();
        for (ushort remotePort = 1; remotePort <= 20; remotePort++)
        {
            chosen.Add(Next(ports, remotePort));
        }
        Assert.True(chosen.Count >= 19); // 20 draws from 28232 ports: a collision is unlikely
        Assert.True(chosen.Max() - chosen.Min() > 10_000);
    }

    [Fact]
    public void A_given_key_gives_the_same_ports_and_another_key_other_ones()
    {
        static ushort[] Draw(byte[] key)
        {
            var ports = new EphemeralPorts(key: key);
            var result = new ushort[5];
            for (int i = 0; i < result.Length; i++)
            {
                result[i] = Next(ports, (ushort)(80 + i));
            }
            return result;
        }
        var other = s_key.ToArray();
        other[5] ^= 0x80;
        Assert.Equal(Draw(s_key), Draw(s_key));
        Assert.NotEqual(Draw(s_key), Draw(other));
    }

    [Fact]
    public void A_range_that_ends_before_it_starts_or_starts_at_zero_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EphemeralPorts(2000, 1999));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EphemeralPorts(0, 1999));
    }
}
