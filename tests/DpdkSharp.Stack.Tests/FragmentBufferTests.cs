namespace DpdkSharp.Stack.Tests;

/// <summary>The protocol-free store under IPv4 reassembly (and IPv6's, RFC 8200 §4.5, to come).</summary>
public class FragmentBufferTests
{
    private static FragmentFit Offer(FragmentBuffer b, int offset, byte[] data, bool last)
    {
        var fit = b.Check(offset, data.Length, last, out _);
        if (fit == FragmentFit.New)
        {
            b.Add(offset, data, last);
        }
        else if (fit == FragmentFit.EndOnly)
        {
            b.SetEnd(offset + data.Length);
        }
        return fit;
    }

    [Fact]
    public void Classifies_new_duplicate_overlap_and_inconsistent_fragments()
    {
        var pool = new ChunkPool(16 * 1024);
        var b = new FragmentBuffer(pool);
        var data = new byte[4000];
        new Random(1).NextBytes(data);
        Assert.Equal(FragmentBuffer.MapChunks + 2, b.Check(1016, 16, false, out int need) == FragmentFit.New ? need : -1);
        Assert.Equal(FragmentFit.New, Offer(b, 1000, data[1000..2000], false));
        Assert.Equal(FragmentFit.Duplicate, Offer(b, 1000, data[1000..2000], false));
        Assert.Equal(FragmentFit.Overlap, Offer(b, 1000, data[1000..1008], false));
        Assert.Equal(FragmentFit.Overlap, Offer(b, 992, data[992..1008], false));
        Assert.Equal(FragmentFit.New, Offer(b, 2000, data[2000..3000], false));
        Assert.Equal(FragmentFit.Overlap, Offer(b, 1000, data[1000..3000], false)); // two held, one extent
        Assert.Equal(FragmentFit.New, Offer(b, 3000, data[3000..3997], true));
        Assert.Equal(3997, b.TotalLength);
        Assert.Equal(FragmentFit.Inconsistent, Offer(b, 3000, data[3000..3008], true)); // a second end
        Assert.Equal(FragmentFit.Inconsistent, Offer(b, 3992, data[0..16], false));      // past the end
        Assert.Equal(FragmentFit.Duplicate, Offer(b, 3000, data[3000..3997], true));
        Assert.False(b.IsComplete);
        Assert.Equal(FragmentFit.New, Offer(b, 0, data[0..1000], false));
        Assert.True(b.IsComplete);
        var whole = new byte[3997];
        b.CopyTo(whole);
        Assert.Equal(data[..3997], whole);
        Assert.Equal(FragmentBuffer.MapChunks + 4, b.ChunksHeld);
        Assert.Equal(b.ChunksHeld, pool.InUse);
        b.Clear();
        Assert.Equal(0, pool.InUse);
        Assert.Equal(FragmentFit.New, Offer(b, 0, data[0..8], true));
        Assert.True(b.IsComplete);
    }

    [Fact]
    public void Holes_cost_nothing_the_largest_datagram_in_8_byte_fragments_completes()
    {
        var pool = new ChunkPool(66 * 1024);
        var b = new FragmentBuffer(pool);
        var data = new byte[65512];
        new Random(2).NextBytes(data);
        // Every other unit first (4095 holes), then the rest from the end backwards.
        for (int offset = 0; offset < data.Length; offset += 16)
        {
            Assert.Equal(FragmentFit.New, Offer(b, offset, data[offset..(offset + 8)], offset + 8 == data.Length));
        }
        for (int offset = data.Length - 16; offset >= 8; offset -= 16)
        {
            Assert.False(b.IsComplete);
            Assert.Equal(FragmentFit.New, Offer(b, offset, data[offset..(offset + 8)], false));
        }
        Assert.True(b.IsComplete);
        var whole = new byte[data.Length];
        b.CopyTo(whole);
        Assert.Equal(data, whole);
        Assert.Equal(66, pool.InUse);
    }
}
