namespace DpdkSharp.Stack.Tests;

/// <summary>
/// Record Route and Timestamp options this host would have to update (RFC 791 §3.1): refused where RFC 791 calls the
/// datagram in error, accepted where the option is merely full; and source routes found wherever they sit in the list.
/// </summary>
public class Ipv4OptionsTests
{
    [Theory]
    // Record route: pointer at a slot, or past the length (full).
    [InlineData("07 07 04 00 00 00 00 00", true)]
    [InlineData("07 07 08 01 02 03 04 00", true)]
    [InlineData("07 05 04 00 00 00 00 00", false)] // some room (one byte) but not enough for an address
    [InlineData("07 07 03 00 00 00 00 00", false)] // pointer before the first slot
    [InlineData("07 02 00 00", false)]             // too short for a pointer
    // Timestamp, flag 0 (a timestamp per entry) and 1 (address and timestamp).
    [InlineData("44 08 05 00 00 00 00 00", true)]
    [InlineData("44 08 09 E0 01 02 03 04", true)]  // full, overflow 14: one more is 15
    [InlineData("44 08 09 F0 01 02 03 04", false)] // full, overflow 15: "the overflow count itself overflows"
    [InlineData("44 0C 09 01 00 00 00 00 00 00 00 00", false)] // flag 1: four bytes left, an entry needs eight
    [InlineData("44 0C 05 01 00 00 00 00 00 00 00 00", true)]
    [InlineData("44 08 04 00 00 00 00 00", false)] // pointer before the first slot
    [InlineData("44 03 05 00", false)]             // too short for its flags
    // Timestamp, flag 3 (prespecified addresses): full is full, no overflow counted; unknown flags are left alone.
    [InlineData("44 0C 0D F3 0A 00 00 01 00 00 00 00", true)]
    [InlineData("44 08 05 02 00 00 00 00", true)]
    public void Record_route_and_timestamp_are_refused_only_where_rfc_791_calls_them_errors(string options, bool valid)
    {
        var bytes = Convert.FromHexString(options.Replace(" ", ""));
        var padded = bytes.Concat(new byte[(4 - bytes.Length % 4) % 4]).ToArray();
        var packet = Build.Ipv4(Net.PeerIp, Net.UsIp, 17, new byte[8], options: padded);

        Assert.Equal(valid, Ipv4Packet.TryParse(packet, true, out _, out var reason));
        if (!valid)
        {
            Assert.Equal(DropReason.Malformed, reason);
        }
    }

    [Theory]
    [InlineData("83 07 04 0A 01 01 01 00", true)]          // loose
    [InlineData("01 01 89 07 04 0A 01 01 01 00 00 00", true)] // strict, after no-ops
    [InlineData("07 07 04 00 00 00 00 01 83 03 04 00", true)] // after a record route and a no-op
    [InlineData("07 07 04 00 00 00 00 00", false)]
    [InlineData("00 83 03 04", false)]                      // after the end of the list: not an option
    public void Source_routes_are_found_anywhere_in_the_list(string options, bool found) =>
        Assert.Equal(found, Ipv4Options.HasSourceRoute(Convert.FromHexString(options.Replace(" ", ""))));
}
