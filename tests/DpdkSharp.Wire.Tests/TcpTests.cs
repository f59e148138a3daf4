namespace DpdkSharp.Wire.Tests;

/// <summary>TCP segments and options on the wire (RFC 9293 §3.1, RFC 7323, RFC 2018).</summary>
public class TcpTests
{
    private static readonly Ipv4Address Client = Ipv4Address.Parse("10.0.0.2");
    private static readonly Ipv4Address Server = Ipv4Address.Parse("10.0.0.1");

    // A SYN as Linux sends it: port 45678 -> 80, seq 0x01020304, window 64240, data offset 10 and
    // options MSS 1460, SACK-permitted, timestamps (TSval 0x11223344, TSecr 0), NOP, window scale 7.
    private const string LinuxSyn =
        "B26E0050" + "01020304" + "00000000" + "A002" + "FAF0" + "0000" + "0000"
        + "020405B4" + "0402" + "080A1122334400000000" + "01" + "030307";

    [Fact]
    public void A_linux_syn_parses_with_every_option()
    {
        var bytes = Convert.FromHexString(LinuxSyn);
        Assert.True(TcpSegment.TryParse(bytes, out var syn, out _));
        Assert.Equal((45678, 80), (syn.SourcePort, (int)syn.DestinationPort));
        Assert.Equal(0x01020304u, syn.Sequence.Value);
        Assert.Equal(TcpFlags.Syn, syn.Flags);
        Assert.Equal(40, syn.HeaderLength);
        Assert.Equal(64240, syn.Window);
        Assert.Equal(1, syn.SequenceLength); // the SYN occupies one sequence number
        Assert.True(syn.Payload.IsEmpty);

        Assert.True(TcpOptions.TryParse(syn.Options, out var options));
        Assert.Equal((ushort)1460, options.Mss);
        Assert.True(options.SackPermitted);
        Assert.Equal((0x11223344u, 0u), options.Timestamps);
        Assert.Equal((byte)7, options.WindowScale);
        Assert.Equal(0, options.SackBlockCount);
    }

    [Fact]
    public void Written_options_are_what_linux_writes_and_parse_back()
    {
        var options = new TcpOptions { Mss = 1460, SackPermitted = true, Timestamps = (0x11223344u, 0u), WindowScale = 7 };
        Span<byte> bytes = stackalloc byte[40];
        int n = options.Write(bytes);
        Assert.Equal("020405B40402080A112233440000000001030307", Convert.ToHexString(bytes[..n]));

        var acks = new TcpOptions { Timestamps = (1, 2) };
        for (uint b = 0; b < 4; b++)
        {
            Assert.True(acks.AddSackBlock(new SackBlock(new SequenceNumber(100 * b), new SequenceNumber(100 * b + 50))));
        }
        Assert.False(acks.AddSackBlock(default));
        n = acks.Write(bytes);
        Assert.Equal(40, n); // timestamps leave room for three of the four blocks
        Assert.True(TcpOptions.TryParse(bytes[..n], out var parsed));
        Assert.Equal(3, parsed.SackBlockCount);
        Assert.Equal(new SackBlock(new SequenceNumber(200), new SequenceNumber(250)), parsed.GetSackBlock(2));
        Assert.Equal((1u, 2u), parsed.Timestamps);
    }

    [Theory]
    [InlineData("0200")]             // MSS with length 0
    [InlineData("02")]               // a kind without its length
    [InlineData("020505B4FF")]       // MSS with length 5
    [InlineData("0303")]             // window scale running past the end
    [InlineData("050900000001000000")] // SACK whose length is not 2 + 8n
    [InlineData("080A112233")]       // timestamps cut short
    [InlineData("FE01")]             // an unknown kind with length 1
    public void Malformed_options_are_refused_without_reading_past_them(string hex) =>
        Assert.False(TcpOptions.TryParse(Convert.FromHexString(hex), out _));

    [Fact]
    public void Unknown_options_are_skipped_and_nothing_after_end_of_list_is_read()
    {
        Assert.True(TcpOptions.TryParse(Convert.FromHexString("FE04AAAA" + "020405B4" + "00" + "0200"), out var options));
        Assert.Equal((ushort)1460, options.Mss);
        Assert.True(TcpOptions.TryParse(Convert.FromHexString("03030F"), out options));
        Assert.Equal((byte)TcpOptions.MaxWindowScale, options.WindowScale); // RFC 7323 §2.3: above 14 is used as 14
    }

    [Theory]
    [InlineData(19, 5)]  // shorter than a header
    [InlineData(20, 4)]  // data offset below 5
    [InlineData(20, 6)]  // data offset past the end
    public void Segments_with_impossible_lengths_are_malformed(int length, int dataOffset)
    {
        var bytes = new byte[length];
        if (length > 12)
        {
            bytes[12] = (byte)(dataOffset << 4);
        }
        Assert.False(TcpSegment.TryParse(bytes, out _, out var reason));
        Assert.Equal(DropReason.Malformed, reason);
    }

    [Fact]
    public void A_written_segment_carries_a_checksum_the_reference_accepts()
    {
        var payload = "GET / HTTP/1.1\r\n\r\n"u8.ToArray(); // odd length on purpose
        var options = new TcpOptions { Timestamps = (5, 6) };
        Span<byte> optionBytes = stackalloc byte[40];
        int optionLength = options.Write(optionBytes);
        var segment = new byte[TcpSegment.MinHeaderLength + optionLength + payload.Length];
        payload.CopyTo(segment.AsSpan(TcpSegment.MinHeaderLength + optionLength));
        int header = TcpSegment.WriteHeader(segment, Client, Server, 45678, 80, new SequenceNumber(1000), new SequenceNumber(2000),
            TcpFlags.Ack | TcpFlags.Psh, 502, optionBytes[..optionLength], payload.Length, InternetChecksum.Sum(payload), offload: false);
        Assert.Equal(32, header);

        Assert.True(TcpSegment.TryParse(segment, out var parsed, out _));
        Assert.True(parsed.ChecksumValid(Client, Server));
        Assert.False(parsed.ChecksumValid(Client, Ipv4Address.Parse("10.0.0.3")));
        Assert.Equal(payload, parsed.Payload.ToArray());
        Assert.Equal((TcpFlags.Ack | TcpFlags.Psh, 2000u), (parsed.Flags, parsed.Acknowledgment.Value));

        // The same sum the textbook way: pseudo-header (RFC 9293 §3.1) then the segment.
        var pseudo = new byte[12 + segment.Length];
        Client.Write(pseudo);
        Server.Write(pseudo.AsSpan(4));
        pseudo[9] = 6;
        pseudo[10] = (byte)(segment.Length >> 8);
        pseudo[11] = (byte)segment.Length;
        segment.CopyTo(pseudo, 12);
        Assert.Equal(0, Reference.Checksum(pseudo));
    }

    [Fact]
    public void Sequence_numbers_compare_across_the_wrap()
    {
        var near = new SequenceNumber(uint.MaxValue - 10);
        var after = near + 20; // wrapped to 9
        Assert.Equal(9u, after.Value);
        Assert.True(near < after && after > near && near <= near + 0);
        Assert.Equal(20, after - near);
        Assert.Equal(-20, near - after);
        Assert.True(new SequenceNumber(5).IsInWindow(near, 100));
        Assert.False(new SequenceNumber(95).IsInWindow(near, 100));
        Assert.False(near.IsInWindow(near, 0)); // an empty window holds nothing
    }
}
