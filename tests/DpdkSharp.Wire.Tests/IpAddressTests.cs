using System.Net;

namespace DpdkSharp.Wire.Tests;

/// <summary><see cref="IpAddress"/>: either family in one value, IPv4 held IPv4-mapped (RFC 4291 §2.5.5.2).</summary>
public class IpAddressTests
{
    private static IpAddress V6(string text) => IpAddress.Read(IPAddress.Parse(text).GetAddressBytes());

    [Fact]
    public void An_IPv4_address_widens_to_its_mapped_form_and_writes_back_as_four_bytes()
    {
        IpAddress address = Ipv4Address.Parse("10.0.0.1");
        Assert.True(address.IsIpv4);
        Assert.Equal(4, address.Length);
        Assert.Equal(Ipv4Address.Parse("10.0.0.1"), address.AsIpv4());
        Span<byte> bytes = stackalloc byte[IpAddress.MaxLength];
        Assert.Equal(4, address.Write(bytes));
        Assert.Equal("0A000001", Convert.ToHexString(bytes[..4]));
        Assert.Equal(address, IpAddress.Read(bytes[..4]));
        Assert.Equal("10.0.0.1", address.ToString());
        Assert.Equal(IPAddress.Parse("10.0.0.1"), address.ToIPAddress());
    }

    [Fact]
    public void The_IPv4_mapped_IPv6_address_is_the_same_value_as_the_IPv4_address()
    {
        Assert.Equal((IpAddress)Ipv4Address.Parse("192.0.2.7"), V6("::ffff:192.0.2.7"));
        Assert.Equal(((IpAddress)Ipv4Address.Parse("192.0.2.7")).GetHashCode(), V6("::ffff:192.0.2.7").GetHashCode());
        Assert.NotEqual((IpAddress)Ipv4Address.Parse("192.0.2.7"), V6("::192.0.2.7")); // IPv4-compatible, deprecated: an IPv6 address
    }

    [Fact]
    public void Addresses_a_sender_picks_to_collide_under_a_folded_hash_spread_over_distinct_hashes()
    {
        // Each low half is x repeated twice: folding 64 bits to 32 by xor (ulong's own hash, which a record's
        // compiler-made hash sums up) gives 0 for every one of them, so all 1000 would share one bucket.
        var hashes = new HashSet<int>();
        Span<byte> bytes = stackalloc byte[IpAddress.MaxLength];
        for (uint x = 1; x <= 1000; x++)
        {
            bytes.Clear();
            bytes[0] = 0x20;
            bytes[1] = 0x01;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes[8..], x);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes[12..], x);
            hashes.Add(IpAddress.Read(bytes).GetHashCode());
        }
        Assert.True(hashes.Count >= 990, $"{hashes.Count} distinct hashes of 1000 addresses");
    }

    [Fact]
    public void An_IPv6_address_round_trips_through_its_sixteen_bytes_and_text()
    {
        var address = V6("2001:db8::9:1");
        Assert.False(address.IsIpv4);
        Assert.Equal(16, address.Length);
        Span<byte> bytes = stackalloc byte[IpAddress.MaxLength];
        Assert.Equal(16, address.Write(bytes));
        Assert.Equal(IPAddress.Parse("2001:db8::9:1").GetAddressBytes(), bytes.ToArray());
        Assert.Equal(address, IpAddress.Read(bytes));
        Assert.Equal("2001:db8::9:1", address.ToString());
        Assert.NotEqual(address, V6("2001:db8::9:2"));
        Assert.Throws<InvalidOperationException>(() => address.AsIpv4());
    }

    [Fact]
    public void Unspecified_and_multicast_addresses_are_recognised_in_both_families()
    {
        Assert.True(((IpAddress)Ipv4Address.Any).IsUnspecified);
        Assert.True(default(IpAddress).IsUnspecified); // ::
        Assert.False(default(IpAddress).IsIpv4);
        Assert.False(((IpAddress)Ipv4Address.Parse("10.0.0.1")).IsUnspecified);
        Assert.True(((IpAddress)Ipv4Address.Parse("224.0.0.1")).IsMulticast);
        Assert.False(((IpAddress)Ipv4Address.Parse("10.0.0.1")).IsMulticast);
        Assert.True(V6("ff02::1").IsMulticast);
        Assert.False(V6("fe80::1").IsMulticast);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(17)]
    public void Bytes_of_another_length_are_refused(int length)
    {
        Assert.Throws<ArgumentException>(() => IpAddress.Read(new byte[length]));
    }
}
