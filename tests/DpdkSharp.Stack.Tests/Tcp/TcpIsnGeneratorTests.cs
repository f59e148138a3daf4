namespace DpdkSharp.Stack.Tests.Tcp;

/// <summary><see cref="TcpIsnGenerator"/>: RFC 6528 §3, ISN = M + F(tuple, key).</summary>
public class TcpIsnGeneratorTests
{
    private static readonly byte[] s_key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly IpAddress s_us = Ipv4Address.Parse("10.0.0.1");
    private static readonly IpAddress s_peer = Ipv4Address.Parse("10.0.0.2");

    [Fact]
    public void The_same_tuple_later_gets_an_ISN_larger_by_the_elapsed_time_in_4_microsecond_ticks()
    {
        var isn = new TcpIsnGenerator(s_key);
        var first = isn.Next(new(s_us, 40000, s_peer, 80), At(5 * T.Sec));
        var second = isn.Next(new(s_us, 40000, s_peer, 80), At(5 * T.Sec + 1 * T.Sec + 3 * T.Ms));
        Assert.Equal(250_750, second - first); // 1.003 s / 4 µs
        Assert.True(second > first);
        Assert.Equal(first, isn.Next(new(s_us, 40000, s_peer, 80), At(5 * T.Sec + 3999))); // within one tick
    }

    [Fact]
    public void Different_tuples_get_unrelated_ISNs()
    {
        var isn = new TcpIsnGenerator(s_key);
        var a = isn.Next(new(s_us, 40000, s_peer, 80), At(T.Sec));
        var values = new[]
        {
            isn.Next(new(s_us, 40001, s_peer, 80), At(T.Sec)),
            isn.Next(new(s_us, 40000, s_peer, 81), At(T.Sec)),
            isn.Next(new(s_us, 40000, Ipv4Address.Parse("10.0.0.3"), 80), At(T.Sec)),
            isn.Next(new(Ipv4Address.Parse("10.0.0.9"), 40000, s_peer, 80), At(T.Sec)),
            isn.Next(new(s_peer, 40000, s_us, 80), At(T.Sec)), // the addresses swapped
        };
        foreach (var v in values)
        {
            Assert.True(Math.Abs((long)(v - a)) > 1 << 16, $"{v} is within 2^16 of {a}");
        }
        Assert.Equal(values.Length, values.Distinct().Count());
    }

    [Fact]
    public void IPv6_addresses_are_hashed_too()
    {
        var isn = new TcpIsnGenerator(s_key);
        var us6 = IpAddress.Read(System.Net.IPAddress.Parse("fe80::1").GetAddressBytes());
        var peer6 = IpAddress.Read(System.Net.IPAddress.Parse("fe80::2").GetAddressBytes());
        Assert.NotEqual(isn.Next(new(us6, 1, peer6, 2), At(0)), isn.Next(new(peer6, 1, us6, 2), At(0)));
    }

    [Fact]
    public void An_IPv4_tuple_hashes_as_its_four_byte_addresses_so_the_ISNs_of_IPv4_connections_did_not_change()
    {
        // The value the generator gave when tuples held IPv4 addresses (bytes 10.0.0.1 and 10.0.0.2).
        var isn = new TcpIsnGenerator(s_key);
        uint f = unchecked((uint)TcpTupleHash.Compute(s_key, 1, [10, 0, 0, 1], 40000, [10, 0, 0, 2], 80, 0));
        Assert.Equal(new SequenceNumber(f), isn.Next(new(s_us, 40000, s_peer, 80), At(0)));
    }

    [Fact]
    public void Different_keys_give_different_ISNs_and_the_same_key_the_same()
    {
        var other = s_key.ToArray();
        other[0] ^= 1;
        var a = new TcpIsnGenerator(s_key).Next(new(s_us, 40000, s_peer, 80), At(T.Sec));
        Assert.Equal(a, new TcpIsnGenerator(s_key).Next(new(s_us, 40000, s_peer, 80), At(T.Sec)));
        Assert.NotEqual(a, new TcpIsnGenerator(other).Next(new(s_us, 40000, s_peer, 80), At(T.Sec)));
        Assert.NotEqual(
            new TcpIsnGenerator().Next(new(s_us, 40000, s_peer, 80), At(T.Sec)),
            new TcpIsnGenerator().Next(new(s_us, 40000, s_peer, 80), At(T.Sec)));
    }

    [Fact]
    public void A_short_key_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TcpIsnGenerator(new byte[8]));
    }
}
