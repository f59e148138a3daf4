namespace DpdkSharp.Wire.Tests;

public class IgmpMessageTests
{
    [Fact]
    public void A_written_report_has_the_RFC_2236_layout_and_a_checksum_over_the_message()
    {
        var bytes = new byte[IgmpMessage.Length];
        Assert.Equal(8, IgmpMessage.Write(bytes, IgmpType.Version2MembershipReport, 0, Ipv4Address.Parse("239.1.2.3")));

        // RFC 2236 §2: type 0x16, Max Resp Time 0, checksum, group address.
        Assert.Equal("1600", Convert.ToHexString(bytes[..2]));
        Assert.Equal("EF010203", Convert.ToHexString(bytes[4..]));
        var zeroed = bytes.ToArray();
        zeroed[2] = zeroed[3] = 0;
        Assert.Equal(Reference.Checksum(zeroed), (ushort)(bytes[2] << 8 | bytes[3]));
        Assert.True(IgmpMessage.TryParse(bytes, out var parsed, out _));
        Assert.Equal(IgmpType.Version2MembershipReport, parsed.Type);
        Assert.Equal(Ipv4Address.Parse("239.1.2.3"), parsed.Group);
    }

    [Theory]
    [InlineData(8, 0, IgmpQueryVersion.Version1, 10_000)]   // RFC 2236 §4: a v1 query's zero means 10 s
    [InlineData(8, 100, IgmpQueryVersion.Version2, 10_000)] // tenths of a second
    [InlineData(8, 1, IgmpQueryVersion.Version2, 100)]
    [InlineData(12, 100, IgmpQueryVersion.Version3, 10_000)] // RFC 3376 §4.1.1: below 128 as in v2
    [InlineData(12, 0x80, IgmpQueryVersion.Version3, 12_800)] // exp 0, mant 0: 0x10 << 3 = 128 tenths
    [InlineData(12, 0xFF, IgmpQueryVersion.Version3, 3_174_400)] // exp 7, mant 15: 0x1F << 10 = 31744 tenths
    [InlineData(10, 100, IgmpQueryVersion.Unknown, 10_000)]
    public void A_query_has_its_version_and_max_response_time_from_its_length_and_code(int length, byte code, IgmpQueryVersion version, int milliseconds)
    {
        var bytes = Query(length, code);
        Assert.True(IgmpMessage.TryParse(bytes, out var query, out _));
        Assert.Equal(version, query.QueryVersion);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), query.MaxResponseTime);
    }

    [Fact]
    public void A_short_message_is_malformed_and_a_wrong_checksum_is_a_bad_checksum()
    {
        Assert.False(IgmpMessage.TryParse(new byte[7], out _, out var reason));
        Assert.Equal(DropReason.Malformed, reason);
        var bytes = Query(8, 100);
        bytes[7] ^= 1;
        Assert.False(IgmpMessage.TryParse(bytes, out _, out reason));
        Assert.Equal(DropReason.BadChecksum, reason);
    }

    private static byte[] Query(int length, byte code)
    {
        var bytes = new byte[length];
        bytes[0] = 0x11;
        bytes[1] = code;
        var checksum = Reference.Checksum(bytes);
        bytes[2] = (byte)(checksum >> 8);
        bytes[3] = (byte)checksum;
        return bytes;
    }
}
