namespace DpdkSharp.Stack.Tests.Tcp;

/// <summary><see cref="SynCookies"/>: RFC 4987 §3.6 in Linux's encoding.</summary>
public class SynCookiesTests
{
    private static readonly byte[] s_key = Enumerable.Range(7, 32).Select(i => (byte)(i * 3)).ToArray();
    private static readonly IpAddress s_us = Ipv4Address.Parse("10.0.0.1");
    private static readonly IpAddress s_peer = Ipv4Address.Parse("10.0.0.2");
    private static readonly SequenceNumber s_peerIsn = new(0xFFFF_FFF0); // wraps when the cookie is added

    private static SequenceNumber Cookie(SynCookies cookies, ushort peerMss, long now, out ushort mss) =>
        cookies.Create(new(s_us, 80, s_peer, 40000), s_peerIsn, peerMss, At(now), out mss);

    private static bool Validate(SynCookies cookies, SequenceNumber cookie, long now, out ushort mss) =>
        cookies.TryValidate(new(s_us, 80, s_peer, 40000), s_peerIsn, cookie, At(now), out mss);

    [Theory]
    [InlineData(1460, 1460)]
    [InlineData(9000, 1460)]
    [InlineData(1459, 1440)]
    [InlineData(1452, 1440)]
    [InlineData(1440, 1440)]
    [InlineData(1400, 1300)]
    [InlineData(1300, 1300)]
    [InlineData(1299, 536)]
    [InlineData(536, 536)]
    [InlineData(200, 536)]
    public void The_MSS_round_trips_as_the_largest_table_entry_not_above_the_peer_s(ushort peerMss, ushort expected)
    {
        var cookies = new SynCookies(s_key);
        var cookie = Cookie(cookies, peerMss, 100 * T.Sec, out ushort encoded);
        Assert.Equal(expected, encoded);
        Assert.True(Validate(cookies, cookie, 100 * T.Sec + 5 * T.Ms, out ushort mss));
        Assert.Equal(expected, mss);
    }

    [Fact]
    public void A_cookie_is_valid_for_the_count_it_was_made_in_and_the_next_and_not_after()
    {
        var cookies = new SynCookies(s_key);
        var cookie = Cookie(cookies, 1460, 0, out _); // count 0
        Assert.True(Validate(cookies, cookie, 64 * T.Sec - 1, out _));
        Assert.True(Validate(cookies, cookie, 128 * T.Sec - 1, out _)); // count 1
        Assert.False(Validate(cookies, cookie, 128 * T.Sec, out ushort mss)); // count 2
        Assert.Equal(0, mss);

        var late = Cookie(cookies, 1460, 64 * T.Sec - 1, out _); // made at the end of count 0: 64 s more
        Assert.True(Validate(cookies, late, 128 * T.Sec - 1, out _));
        Assert.False(Validate(cookies, late, 128 * T.Sec, out _));
    }

    [Fact]
    public void A_cookie_from_the_future_fails()
    {
        var cookies = new SynCookies(s_key);
        var cookie = Cookie(cookies, 1460, 200 * T.Sec, out _);
        Assert.False(Validate(cookies, cookie, 100 * T.Sec, out _));
    }

    [Fact]
    public void A_cookie_for_another_tuple_or_ISN_or_key_fails()
    {
        var cookies = new SynCookies(s_key);
        var cookie = Cookie(cookies, 1460, T.Sec, out _);
        var now = At(T.Sec);
        Assert.False(cookies.TryValidate(new(s_us, 80, s_peer, 40001), s_peerIsn, cookie, now, out _));
        Assert.False(cookies.TryValidate(new(s_us, 81, s_peer, 40000), s_peerIsn, cookie, now, out _));
        Assert.False(cookies.TryValidate(new(s_us, 80, Ipv4Address.Parse("10.0.0.3"), 40000), s_peerIsn, cookie, now, out _));
        Assert.False(cookies.TryValidate(new(Ipv4Address.Parse("10.0.0.4"), 80, s_peer, 40000), s_peerIsn, cookie, now, out _));
        Assert.False(cookies.TryValidate(new(s_us, 80, s_peer, 40000), s_peerIsn + 4, cookie, now, out _));
        Assert.False(cookies.TryValidate(new(s_us, 80, s_peer, 40000), s_peerIsn - 1, cookie, now, out _)); // index 3 + 1
        var otherKey = s_key.ToArray();
        otherKey[31] ^= 1;
        Assert.False(new SynCookies(otherKey).TryValidate(new(s_us, 80, s_peer, 40000), s_peerIsn, cookie, now, out _));
    }

    [Fact]
    public void A_tampered_cookie_fails()
    {
        var cookies = new SynCookies(s_key);
        var cookie = Cookie(cookies, 1460, T.Sec, out _); // MSS index 3, the highest
        for (int bit = 2; bit < 32; bit++)
        {
            var tampered = new SequenceNumber(cookie.Value ^ (1u << bit));
            Assert.False(Validate(cookies, tampered, T.Sec, out _), $"bit {bit}");
        }
        int accepted = 0;
        for (int delta = 1; delta <= 10_000; delta++)
        {
            accepted += Validate(cookies, cookie + delta, T.Sec, out _) ? 1 : 0;
            accepted += Validate(cookies, cookie - (delta + 3), T.Sec, out _) ? 1 : 0;
        }
        Assert.Equal(0, accepted);
    }

    [Fact]
    public void Changing_the_lowest_two_bits_can_only_pick_another_MSS_of_the_table_as_in_Linux()
    {
        // The MSS index is added under the hash (Linux's design): a cookie a little lower than
        // the genuine one decodes to a smaller index. Only whoever saw the SYN-ACK can do that,
        // and the peer chooses its MSS anyway.
        var cookies = new SynCookies(s_key);
        var cookie = Cookie(cookies, 1460, T.Sec, out _);
        for (int delta = 1; delta <= 3; delta++)
        {
            Assert.True(Validate(cookies, cookie - delta, T.Sec, out ushort mss));
            Assert.Equal(SynCookies.MssTable[3 - delta], mss);
        }
    }

    [Fact]
    public void Cookies_with_IPv6_addresses_round_trip()
    {
        var cookies = new SynCookies(s_key);
        var us6 = IpAddress.Read(System.Net.IPAddress.Parse("2001:db8::1").GetAddressBytes());
        var peer6 = IpAddress.Read(System.Net.IPAddress.Parse("2001:db8::9").GetAddressBytes());
        var cookie = cookies.Create(new(us6, 443, peer6, 50000), new SequenceNumber(12345), 1440, At(T.Sec), out _);
        Assert.True(cookies.TryValidate(new(us6, 443, peer6, 50000), new SequenceNumber(12345), cookie, At(2 * T.Sec), out ushort mss));
        Assert.Equal(1440, mss);
        Assert.False(cookies.TryValidate(new(peer6, 443, us6, 50000), new SequenceNumber(12345), cookie, At(2 * T.Sec), out _));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData(null, true)]
    [InlineData((byte)0, false)]
    [InlineData((byte)7, true)]
    [InlineData((byte)14, true)]
    public void The_timestamp_bits_round_trip(byte? windowScale, bool sackPermitted)
    {
        foreach (uint tsval in new uint[] { 0x1234_5678, 0x1234_5640, 0x1234_567F, 0, uint.MaxValue })
        {
            uint encoded = SynCookies.EncodeTimestamp(tsval, windowScale, sackPermitted);
            SynCookies.DecodeTimestamp(encoded, out byte? scale, out bool sack);
            Assert.Equal(windowScale, scale);
            Assert.Equal(sackPermitted, sack);
            Assert.Equal(0u, encoded & 0x20);                     // the ECN bit stays clear
            Assert.InRange(unchecked(tsval - encoded), 0u, 63u);  // never later, less than 64 earlier
        }
    }

    [Fact]
    public void The_timestamp_bits_are_Linux_s_layout()
    {
        Assert.Equal(0x1234_5640u | 0x10 | 0x07, SynCookies.EncodeTimestamp(0x1234_567F, 7, true));
        Assert.Equal(0x1234_5640u | 0x0F, SynCookies.EncodeTimestamp(0x1234_567F, null, false));
        Assert.Equal(0x1234_5600u | 0x1F, SynCookies.EncodeTimestamp(0x1234_5640, null, true)); // 64 earlier rather than later
        Assert.Equal(0x1234_5640u | 0x0E, SynCookies.EncodeTimestamp(0x1234_567F, 20, false));  // a shift above 14 is 14 (RFC 7323 §2.3)
    }
}
