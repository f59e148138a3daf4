namespace DpdkSharp.Stack.Tests.Tcp;

/// <summary>
/// Growing a connection's rings while they hold data: the ring wraps, bytes wait beyond
/// <see cref="ByteRing.Count"/> (out-of-order data in the receive queue), and growth must move every
/// one of them to where the offsets still find it.
/// </summary>
public class ByteRingGrowthTests
{
    [Fact]
    public void Growing_a_wrapped_ring_keeps_the_held_bytes_and_the_bytes_written_beyond_them()
    {
        var ring = new ByteRing(8, 64);
        Assert.Equal(6, ring.Append([0, 1, 2, 3, 4, 5]));
        ring.Discard(5); // head at 5: the next appends wrap
        Assert.Equal(5, ring.Append([6, 7, 8, 9, 10]));
        ring.WriteAt(7, [99]); // beyond the 6 held, in the last free byte, which lies before the head in storage
        ring.Peek(0, 6, out var first, out var second);
        Assert.False(second.IsEmpty); // wrapped, as intended

        Assert.True(ring.TryGrow(20));

        Assert.Equal(32, ring.Capacity);
        Assert.Equal(6, ring.Count);
        ring.WriteAt(6, [98]);
        ring.Extend(2);
        ring.Peek(0, 8, out first, out second);
        Assert.Equal(new byte[] { 5, 6, 7, 8, 9, 10, 98, 99 }, first.ToArray().Concat(second.ToArray()));
    }

    [Fact]
    public void A_wrapped_writable_span_then_growth_keeps_what_was_committed()
    {
        var ring = new ByteRing(8, 16);
        ring.Append([0, 1, 2, 3, 4, 5, 6]);
        ring.Discard(6); // head 6, one held
        var span = ring.GetWritableSpan(); // from 7 to the end of storage: one byte; the rest wraps
        Assert.Equal(1, span.Length);
        span[0] = 7;
        ring.Commit(1);
        span = ring.GetWritableSpan();
        Assert.Equal(6, span.Length);
        span[..3].Fill(8);
        ring.Commit(3);

        Assert.True(ring.TryGrow(16));

        var read = new byte[5];
        Assert.Equal(5, ring.Read(read));
        Assert.Equal(new byte[] { 6, 7, 8, 8, 8 }, read);
    }

    [Fact]
    public void Out_of_order_segments_beyond_a_wrapped_head_survive_growth_and_join_when_the_hole_fills()
    {
        var stream = new byte[100];
        new Random(5).NextBytes(stream);
        var queue = new TcpReceiveQueue(16, 64);
        var start = new SequenceNumber(4_294_967_290); // sequence numbers wrap too
        var rcvNxt = start;
        rcvNxt += queue.Accept(rcvNxt, rcvNxt, stream.AsSpan(0, 12));
        Assert.Equal(12, queue.Read(new byte[12])); // head at 12 of 16
        // Bytes 14..20 arrive before 12..14: they sit beyond a hole, across the end of storage.
        Assert.Equal(0, queue.Accept(rcvNxt, start + 14, stream.AsSpan(14, 6)));
        Assert.True(queue.HasOutOfOrder);

        Assert.True(queue.TryGrow(64));

        Assert.Equal(0, queue.Accept(rcvNxt, start + 30, stream.AsSpan(30, 20))); // a second range, in the grown room
        Assert.Equal(8, queue.Accept(rcvNxt, start + 12, stream.AsSpan(12, 2))); // fills the hole: 12..20 in order
        rcvNxt += 8;
        Assert.Equal(30, queue.Accept(rcvNxt, rcvNxt, stream.AsSpan(20, 10))); // and 20..30 joins 30..50
        var read = new byte[38];
        Assert.Equal(38, queue.Read(read));
        Assert.Equal(stream[12..50], read);
        Assert.False(queue.HasOutOfOrder);
    }

    /// <summary>
    /// A model check: random segments of one byte stream (in order, early, overlapping, duplicated) go into a queue
    /// that starts tiny and grows at random moments while it holds unread and out-of-order data; every byte read
    /// must be the stream's.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Random_segments_into_a_queue_growing_from_tiny_read_back_as_the_stream(int seed)
    {
        var random = new Random(seed);
        var stream = new byte[400_000];
        random.NextBytes(stream);
        var queue = new TcpReceiveQueue(random.Next(1, 4) * 1024 + random.Next(0, 7), 1024 * 1024);
        var start = new SequenceNumber((uint)random.Next());
        int next = 0; // RCV.NXT as an offset into the stream
        int read = 0;
        var scratch = new byte[64 * 1024];
        for (int step = 0; step < 1_000_000 && read < stream.Length; step++)
        {
            switch (random.Next(10))
            {
                case 0:
                    queue.TryGrow(queue.Capacity * 2);
                    break;
                case 1:
                case 2:
                    read += ReadAndCheck(queue, stream, read, scratch.AsSpan(0, random.Next(1, scratch.Length)), peek: random.Next(2) == 0);
                    break;
                default:
                    next += Deliver(queue, stream, start, next, random);
                    break;
            }
            Assert.Equal(next - read, queue.Available);
        }
        Assert.Equal(stream.Length, read);
    }

    /// <summary>A random segment near RCV.NXT, trimmed as the connection trims it; returns how far RCV.NXT moved.</summary>
    private static int Deliver(TcpReceiveQueue queue, byte[] stream, SequenceNumber start, int next, Random random)
    {
        int from = Math.Max(0, next + random.Next(-2000, Math.Max(1, Math.Min(queue.Free, 60_000))));
        int length = random.Next(1, 1500);
        int to = Math.Min(stream.Length, from + length);
        if (to <= next)
        {
            return 0; // a duplicate of what already arrived
        }
        from = Math.Max(from, next);
        to = Math.Min(to, next + queue.Free); // the window
        if (to <= from)
        {
            return 0;
        }
        int advanced = queue.Accept(start + next, start + from, stream.AsSpan(from, to - from));
        return Math.Max(advanced, 0);
    }

    private static int ReadAndCheck(TcpReceiveQueue queue, byte[] stream, int read, Span<byte> into, bool peek)
    {
        int n;
        if (peek)
        {
            // The zero-copy way: look at the spans in place, then consume.
            n = Math.Min(queue.Available, into.Length);
            queue.Peek(n, out var first, out var second);
            first.CopyTo(into);
            second.CopyTo(into[first.Length..]);
            queue.Consume(n);
        }
        else
        {
            n = queue.Read(into);
        }
        if (!into[..n].SequenceEqual(stream.AsSpan(read, n)))
        {
            Assert.Fail($"bytes {read}..{read + n} differ from the stream (capacity {queue.Capacity})");
        }
        return n;
    }
}
