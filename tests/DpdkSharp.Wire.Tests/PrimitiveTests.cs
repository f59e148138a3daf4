namespace DpdkSharp.Wire.Tests;

/// <summary>The primitives the runtime and the stack share.</summary>
public class PrimitiveTests
{
    [Fact]
    public void IPv4_addresses_congruent_modulo_a_table_size_do_not_share_a_bucket()
    {
        // A Dictionary's bucket is the hash modulo a prime; with the address as its own hash, every address
        // that is 0 modulo that prime (1103 is one of its sizes) would land in bucket 0.
        const int buckets = 1103;
        var used = new HashSet<int>();
        for (uint i = 1; i <= 500; i++)
        {
            used.Add((int)((uint)new Ipv4Address(i * buckets).GetHashCode() % buckets));
        }
        Assert.True(used.Count > 250, $"500 addresses fell into {used.Count} of {buckets} buckets");
    }

    [Fact]
    public void Swapping_addresses_exchanges_destination_and_source_and_leaves_the_rest()
    {
        Assert.Equal("0200000000020200000000010800AABB", Swapped("0200000000010200000000020800AABB"));
        // Every byte distinct, so a byte moved to the wrong place shows. Spans of 16 bytes and more take the vector
        // shuffle, shorter ones the 8- and 4-byte words: both ways, from the shortest header on.
        Assert.Equal("B1B2B3B4B5B6A1A2A3A4A5A6", Swapped("A1A2A3A4A5A6B1B2B3B4B5B6"));
        Assert.Equal("B1B2B3B4B5B6A1A2A3A4A5A6C1C2", Swapped("A1A2A3A4A5A6B1B2B3B4B5B6C1C2"));
        Assert.Equal("B1B2B3B4B5B6A1A2A3A4A5A6C1C2C3C4D1D2", Swapped("A1A2A3A4A5A6B1B2B3B4B5B6C1C2C3C4D1D2"));
        Assert.Throws<ArgumentException>(() => EthernetFrame.SwapAddresses(new byte[11]));

        static string Swapped(string hex)
        {
            var frame = Convert.FromHexString(hex);
            EthernetFrame.SwapAddresses(frame);
            return Convert.ToHexString(frame);
        }
    }

    [Fact]
    public void Mac_addresses_round_trip_through_bytes_and_text()
    {
        var mac = MacAddress.Parse("02:ab:00:00:00:09");
        Span<byte> bytes = stackalloc byte[6];
        mac.Write(bytes);
        Assert.Equal("02AB00000009", Convert.ToHexString(bytes));
        Assert.Equal(mac, MacAddress.Read(bytes));
        Assert.Equal("02:ab:00:00:00:09", mac.ToString());
        Assert.False(mac.IsMulticast);
        Assert.True(MacAddress.Broadcast.IsMulticast);
        Assert.Throws<FormatException>(() => MacAddress.Parse("02:ab:00"));
    }

    [Fact]
    public void Instants_add_time_spans_compare_and_saturate_at_never()
    {
        var t = Instant.FromMilliseconds(1500);
        Assert.Equal(1_500_000_000, t.Nanoseconds);
        Assert.Equal(new Instant(1_500_000_100), t + TimeSpan.FromTicks(1));
        Assert.Equal(TimeSpan.FromMilliseconds(500), t - Instant.FromMilliseconds(1000));
        Assert.True(Instant.Zero < t && t >= Instant.FromMilliseconds(1500) && Instant.Never > t);
        Assert.Equal(Instant.Never, Instant.Never + TimeSpan.FromDays(1));
        Assert.Equal(Instant.Never, new Instant(long.MaxValue - 5) + TimeSpan.FromSeconds(1));
        Assert.Equal(t, Instant.Min(t, Instant.Never));
        Assert.Equal("never", Instant.Never.ToString());
    }

    [Fact]
    public void A_token_bucket_allows_its_burst_then_its_rate()
    {
        var bucket = new TokenBucket(burst: 3, perSecond: 10);
        var now = Instant.FromMilliseconds(1000);
        Assert.True(bucket.TryTake(now));
        Assert.True(bucket.TryTake(now));
        Assert.True(bucket.TryTake(now));
        Assert.False(bucket.TryTake(now));
        Assert.False(bucket.TryTake(now + TimeSpan.FromMilliseconds(99)));
        Assert.True(bucket.TryTake(now + TimeSpan.FromMilliseconds(100)));
        Assert.False(bucket.TryTake(now + TimeSpan.FromMilliseconds(150)));
        // A long quiet refills to the burst, no more.
        var later = now + TimeSpan.FromSeconds(60);
        Assert.True(bucket.TryTake(later) && bucket.TryTake(later) && bucket.TryTake(later));
        Assert.False(bucket.TryTake(later));
    }

    [Fact]
    public void Drop_reasons_are_numbered_from_zero_without_gaps()
    {
        // Counters index their slots by the reason's value: a gap or a duplicate would share or waste slots.
        var values = Enum.GetValues<DropReason>().Select(v => (int)v).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, values.Length), values);
    }
}
