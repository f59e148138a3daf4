using DpdkSharp.Runtime;

namespace DpdkSharp.Stack.Dpdk.Tests;

/// <summary>The device's receive checksum verdicts as the core reads them (no DPDK needed: the flags are values).</summary>
public sealed class ChecksumStatusTests
{
    public static TheoryData<MbufFlags, MbufFlags, RxChecksumStatus> Fields()
    {
        // Each two-bit field: no verdict, bad, good, and both bits (DPDK's NONE: checked, no verdict to give).
        var ip = new[] { (MbufFlags.None, RxChecksumStatus.Unknown), (MbufFlags.RxIpChecksumBad, RxChecksumStatus.Ipv4Bad),
            (MbufFlags.RxIpChecksumGood, RxChecksumStatus.Ipv4Good), (MbufFlags.RxIpChecksumBad | MbufFlags.RxIpChecksumGood, RxChecksumStatus.Unknown) };
        var l4 = new[] { (MbufFlags.None, RxChecksumStatus.Unknown), (MbufFlags.RxL4ChecksumBad, RxChecksumStatus.L4Bad),
            (MbufFlags.RxL4ChecksumGood, RxChecksumStatus.L4Good), (MbufFlags.RxL4ChecksumBad | MbufFlags.RxL4ChecksumGood, RxChecksumStatus.Unknown) };
        var data = new TheoryData<MbufFlags, MbufFlags, RxChecksumStatus>();
        foreach (var (ipFlags, ipStatus) in ip)
        {
            foreach (var (l4Flags, l4Status) in l4)
            {
                data.Add(ipFlags, l4Flags, ipStatus | l4Status);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Fields))]
    public void Each_field_gives_its_own_verdict_and_other_flags_change_nothing(MbufFlags ip, MbufFlags l4, RxChecksumStatus expected)
    {
        Assert.Equal(expected, PortQueueDevice.ChecksumStatusOf(ip | l4));
        Assert.Equal(expected, PortQueueDevice.ChecksumStatusOf(ip | l4 | MbufFlags.RxVlan | MbufFlags.RxRssHash));
    }
}
