using System.Buffers.Binary;
using System.Runtime.InteropServices;
using DpdkSharp.Runtime.Tests.Infrastructure;

namespace DpdkSharp.Runtime.Tests;

[StructLayout(LayoutKind.Sequential, Pack = 1)]
public record struct FlowKey(uint Address, ushort Port, ushort Protocol);

public sealed class HashTests(DpdkFixture fixture) : DpdkTest(fixture)
{
    [Fact]
    public void Add_lookup_bulk_delete_and_iterate_agree_with_a_Dictionary_on_random_keys()
    {
        var random = new Random(1234);
        using var hash = Hash<FlowKey>.Create("hash_flows", 8192);
        var reference = new Dictionary<FlowKey, nuint>();
        for (var i = 0; i < 5000; i++)
        {
            var key = new FlowKey((uint)random.Next(), (ushort)random.Next(0, 64), (ushort)random.Next(0, 3));
            var value = (nuint)random.Next(1, int.MaxValue);
            hash.Set(key, value);
            reference[key] = value;
        }
        var keys = reference.Keys.ToArray();
        foreach (var key in keys.Where((_, i) => i % 3 == 0))
        {
            Assert.True(hash.Delete(key) >= 0);
            reference.Remove(key);
        }
        Assert.Equal(-1, hash.Delete(keys[0]));
        Assert.Equal(reference.Count, hash.Count);

        var probes = keys.Concat(Enumerable.Range(0, 500).Select(_ => new FlowKey((uint)random.Next(), 99, 9))).ToArray();
        foreach (var key in probes)
        {
            Assert.Equal(reference.TryGetValue(key, out var expected), hash.TryGetValue(key, out var actual));
            Assert.Equal(expected, reference.ContainsKey(key) ? actual : expected);
            Assert.Equal(reference.ContainsKey(key), hash.Lookup(key) >= 0);
        }

        var positions = new int[probes.Length];
        var found = hash.LookupBulk(probes, positions);
        Assert.Equal(probes.Count(reference.ContainsKey), found);
        for (var i = 0; i < probes.Length; i++)
        {
            Assert.Equal(reference.ContainsKey(probes[i]) ? hash.Lookup(probes[i]) : -1, positions[i]);
        }

        var iterated = hash.ToList().ToDictionary(e => e.Key, e => e.Value);
        Assert.Equal(reference.OrderBy(e => e.Key.Address).ThenBy(e => e.Key.Port).ThenBy(e => e.Key.Protocol),
            iterated.OrderBy(e => e.Key.Address).ThenBy(e => e.Key.Port).ThenBy(e => e.Key.Protocol));
    }

    [Fact]
    public void A_full_table_is_a_DpdkException()
    {
        using var hash = Hash<ulong>.Create("hash_small", 16);
        var e = Assert.Throws<DpdkException>(() =>
        {
            for (ulong i = 0; i < 1000; i++)
            {
                hash.Add(i);
            }
        });
        Assert.Equal(28 /* ENOSPC */, e.ErrorCode);
    }
}

public sealed class LpmTests(DpdkFixture fixture) : DpdkTest(fixture)
{
    [Fact]
    public void Ipv4_lookups_agree_with_a_linear_longest_prefix_reference_on_random_routes()
    {
        var random = new Random(42);
        using var lpm = Lpm.Create("lpm4_test", 4096, tbl8Groups: 2048); // one group per prefix longer than 24
        var routes = new Dictionary<(uint Prefix, int Depth), uint>();
        for (var i = 0; i < 1000; i++)
        {
            var depth = random.Next(1, 33);
            var prefix = (uint)random.Next() & Mask(depth);
            var hop = (uint)random.Next(0, (int)Lpm.MaxNextHop);
            lpm.Add(prefix, depth, hop);
            routes[(prefix, depth)] = hop;
        }
        foreach (var route in routes.Keys.Take(100).ToList())
        {
            Assert.True(lpm.Delete(route.Prefix, route.Depth));
            routes.Remove(route);
        }

        var addresses = Enumerable.Range(0, 5000).Select(i =>
            i % 2 == 0 ? (uint)random.Next() : routes.Keys.ElementAt(random.Next(routes.Count)).Prefix | (uint)random.Next(0, 256)).ToArray();
        var bulk = new int[addresses.Length];
        var found = lpm.LookupBulk(addresses, bulk);
        var expectedFound = 0;
        for (var i = 0; i < addresses.Length; i++)
        {
            var expected = Reference(routes, addresses[i]);
            Assert.Equal(expected.HasValue, lpm.TryLookup(addresses[i], out var hop));
            if (expected.HasValue)
            {
                expectedFound++;
                Assert.Equal(expected.Value, hop);
            }
            Assert.Equal(expected.HasValue ? (int)expected.Value : -1, bulk[i]);
        }
        Assert.Equal(expectedFound, found);
        Assert.Throws<ArgumentOutOfRangeException>(() => lpm.Add(0, 33, 1));
    }

    [Fact]
    public void Ipv6_lookups_agree_with_a_linear_longest_prefix_reference_on_random_routes()
    {
        var random = new Random(7);
        using var lpm = Lpm6.Create("lpm6_test", 2048, 1 << 14);
        var routes = new Dictionary<(UInt128 Prefix, int Depth), uint>();
        for (var i = 0; i < 500; i++)
        {
            var depth = random.Next(1, 129);
            var prefix = RandomAddress(random) & Mask6(depth);
            var hop = (uint)random.Next(0, 1 << 21);
            lpm.Add(Bytes(prefix), depth, hop);
            routes[(prefix, depth)] = hop;
        }
        foreach (var route in routes.Keys.Take(50).ToList())
        {
            Assert.True(lpm.Delete(Bytes(route.Prefix), route.Depth));
            routes.Remove(route);
        }

        var addresses = Enumerable.Range(0, 2000).Select(i =>
            i % 2 == 0 ? RandomAddress(random) : routes.Keys.ElementAt(random.Next(routes.Count)).Prefix | (UInt128)(uint)random.Next(0, 256)).ToArray();
        var packed = addresses.SelectMany(Bytes).ToArray();
        var bulk = new int[addresses.Length];
        lpm.LookupBulk(packed, bulk);
        for (var i = 0; i < addresses.Length; i++)
        {
            var expected = routes.Where(r => (addresses[i] & Mask6(r.Key.Depth)) == r.Key.Prefix)
                .OrderByDescending(r => r.Key.Depth).Select(r => (uint?)r.Value).FirstOrDefault();
            Assert.Equal(expected.HasValue, lpm.TryLookup(Bytes(addresses[i]), out var hop));
            if (expected.HasValue)
            {
                Assert.Equal(expected.Value, hop);
            }

            Assert.Equal(expected.HasValue ? (int)expected.Value : -1, bulk[i]);
        }
    }

    private static uint? Reference(Dictionary<(uint Prefix, int Depth), uint> routes, uint address) =>
        routes.Where(r => (address & Mask(r.Key.Depth)) == r.Key.Prefix)
            .OrderByDescending(r => r.Key.Depth).Select(r => (uint?)r.Value).FirstOrDefault();

    private static uint Mask(int depth) => depth == 0 ? 0 : uint.MaxValue << (32 - depth);
    private static UInt128 Mask6(int depth) => depth == 0 ? 0 : UInt128.MaxValue << (128 - depth);

    private static UInt128 RandomAddress(Random random)
    {
        Span<byte> b = stackalloc byte[16];
        random.NextBytes(b);
        return BinaryPrimitives.ReadUInt128BigEndian(b);
    }

    private static byte[] Bytes(UInt128 address)
    {
        var b = new byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(b, address);
        return b;
    }
}
