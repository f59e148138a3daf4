namespace DpdkSharp.Wire.Tests;

public class ChecksumTests
{
    [Fact]
    public void Rfc1071_example_sums_to_ddf2()
    {
        // RFC 1071 §3, "Numerical Examples": 00 01 f2 03 f4 f5 f6 f7 sums to ddf2.
        var data = Convert.FromHexString("0001f203f4f5f6f7");
        Assert.Equal(0xDDF2u, InternetChecksum.Sum(data));
        Assert.Equal((ushort)0x220D, InternetChecksum.Compute(data));
    }

    [Fact]
    public void Real_ipv4_header_verifies_and_recomputes()
    {
        // A captured header (192.168.0.1 -> 192.168.0.199, UDP) with checksum b861.
        var header = Convert.FromHexString("450000730000400040 11b861c0a80001c0a800c7".Replace(" ", ""));
        Assert.True(InternetChecksum.IsValid(header));
        header[10] = header[11] = 0;
        Assert.Equal((ushort)0xB861, InternetChecksum.Compute(header));
    }

    [Fact]
    public void Matches_reference_for_every_length_and_offset()
    {
        var rng = new Random(1071);
        var buffer = new byte[2100];
        rng.NextBytes(buffer);
        for (int length = 0; length < 300; length++)
        {
            for (int start = 0; start < 9; start++)
            {
                var span = buffer.AsSpan(start, length);
                Assert.Equal(Reference.Checksum(span), InternetChecksum.Compute(span));
            }
        }
        Assert.Equal(Reference.Checksum(buffer), InternetChecksum.Compute(buffer));
    }

    [Fact]
    public void Partial_sums_combine_at_even_boundaries()
    {
        var rng = new Random(7);
        var data = new byte[1001];
        rng.NextBytes(data);
        uint partial = InternetChecksum.Sum(data.AsSpan(0, 500));
        uint whole = InternetChecksum.Sum(data.AsSpan(500), partial);
        Assert.Equal(Reference.Checksum(data), InternetChecksum.Finish(whole));
    }

    [Fact]
    public void All_ones_data_has_a_valid_checksum()
    {
        var data = Enumerable.Repeat((byte)0xFF, 64).ToArray();
        Assert.Equal(Reference.Checksum(data), InternetChecksum.Compute(data));
    }

    [Fact]
    public void Pseudo_header_check_accepts_what_the_reference_checksum_makes_and_nothing_else()
    {
        var rng = new Random(768);
        var source = new Ipv4Address(0xC0A8_0001);
        var destination = new Ipv4Address(0x0A00_00FE);
        var buffer = new byte[1600];
        for (int length = 8; length < 300; length++)
        {
            foreach (var protocol in new[] { IpProtocol.Udp, IpProtocol.Tcp })
            {
                var data = buffer.AsSpan(length % 5, length); // any start: loads are unaligned
                rng.NextBytes(data);
                int field = protocol == IpProtocol.Udp ? 6 : 16;
                if (field + 2 > length)
                {
                    continue;
                }
                data[field] = data[field + 1] = 0;
                // The pseudo-header's words as RFC 768 lays them out, summed by the reference over the data's.
                var pseudo = new byte[12];
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(pseudo, source.Value);
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(pseudo.AsSpan(4), destination.Value);
                pseudo[9] = (byte)protocol;
                System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(pseudo.AsSpan(10), (ushort)length);
                ushort checksum = Reference.Checksum([.. pseudo, .. data.ToArray()]);
                System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(data[field..], checksum);

                Assert.True(InternetChecksum.IsValidWithPseudoHeader(data, source, destination, protocol));
                Assert.Equal(InternetChecksum.Sum(data, InternetChecksum.PseudoHeaderSum(source, destination, protocol, length)) == 0xFFFF,
                    InternetChecksum.IsValidWithPseudoHeader(data, source, destination, protocol));
                data[length / 2] ^= 0x10;
                Assert.False(InternetChecksum.IsValidWithPseudoHeader(data, source, destination, protocol));
                data[length / 2] ^= 0x10;
                Assert.False(InternetChecksum.IsValidWithPseudoHeader(data, destination, new Ipv4Address(destination.Value + 1), protocol));
            }
        }
    }
}
