using DpdkSharp.Runtime;
using DpdkSharp.Wire;
using Xunit.Abstractions;

namespace DpdkSharp.Pktgen.Tests;

/// <summary>The destination MAC by ARP: a generator's resolver against a reflect session over the net_ring pair.</summary>
public sealed class ArpTests(PktgenFixture fixture, ITestOutputHelper output) : PktgenTest(fixture)
{
    private static readonly Ipv4Address GeneratorIp = Ipv4Address.Parse("198.18.0.1");
    private static readonly Ipv4Address ReflectorIp = Ipv4Address.Parse("198.18.0.2");
    // The ring pair's ports share one MAC: each end says which is its own, as --src-mac does.
    private static readonly MacAddress GeneratorMac = MacAddress.Parse("02:00:00:00:00:01");
    private static readonly MacAddress ReflectorMac = MacAddress.Parse("02:00:00:00:00:02");

    [Fact]
    public void The_generator_resolves_the_reflectors_mac_and_the_reflector_answers_only_for_its_own_address()
    {
        using var reflect = new PktgenSession(
            new PktgenSettings { Mode = PktgenMode.Reflect, SourceIp = ReflectorIp, SourceMac = ReflectorMac, OnEalLcores = false },
            Fixture.Peer, Fixture.Pool);
        reflect.Start();
        var resolved = ArpResolver.Resolve(Fixture.Generator, 1, Fixture.Pool, GeneratorMac, GeneratorIp, ReflectorIp,
            attempts: 5, wait: TimeSpan.FromMilliseconds(500));
        var unresolved = Assert.Throws<ArpUnresolvedException>(() => ArpResolver.Resolve(Fixture.Generator, 1, Fixture.Pool,
            GeneratorMac, GeneratorIp, Ipv4Address.Parse("198.18.0.99"), attempts: 3, wait: TimeSpan.FromMilliseconds(100)));
        var totals = reflect.Stop(TimeSpan.FromMilliseconds(100)).Totals;
        var lateAnswers = DrainGenerator(); // a reply to an earlier request that came after a later one was sent
        output.WriteLine($"resolved {resolved}; reflector answered {totals.ArpAnswered}, ignored {totals.ArpIgnored}; late answers {lateAnswers}");
        output.WriteLine(unresolved.Message);

        Assert.Equal(ReflectorMac, resolved.Mac);
        Assert.InRange(resolved.Requests, 1, 5);
        Assert.Equal(resolved.Requests, totals.ArpAnswered);
        Assert.Equal(resolved.Requests - 1, lateAnswers);
        Assert.Equal(3, totals.ArpIgnored); // the requests for 198.18.0.99 go nowhere: not reflected, not answered
        Assert.Equal(0, totals.TxSkipped);
        Assert.Contains("198.18.0.99", unresolved.Message);
        Assert.Contains("after 3 request(s)", unresolved.Message);
        Assert.Contains("--dst-mac", unresolved.Message);
    }

    [Fact]
    public void Arp_frames_that_are_truncated_replies_or_for_another_address_are_neither_answered_nor_taken_as_the_answer()
    {
        var ownMac = MacAddress.Parse("02:00:00:00:00:02");
        var asker = MacAddress.Parse("02:00:00:00:00:01");
        var request = Frame(ArpOperation.Request, asker, GeneratorIp, ReflectorIp);
        Assert.Equal(ArpAnswer.Replied, ArpResponder.Answer(request, ownMac, ReflectorIp));
        Assert.True(EthernetFrame.TryParse(request, out var eth) && eth.Destination == asker && eth.Source == ownMac);
        Assert.Equal(ownMac, ArpResolver.AnswerFrom(request, ReflectorIp)); // the reply it became answers the asker

        Assert.Equal(ArpAnswer.Ignored, ArpResponder.Answer(Frame(ArpOperation.Request, asker, GeneratorIp, Ipv4Address.Parse("198.18.0.3")), ownMac, ReflectorIp));
        Assert.Equal(ArpAnswer.Ignored, ArpResponder.Answer(Frame(ArpOperation.Reply, asker, GeneratorIp, ReflectorIp), ownMac, ReflectorIp));
        Assert.Equal(ArpAnswer.Ignored, ArpResponder.Answer(Frame(ArpOperation.Request, MacAddress.Broadcast, GeneratorIp, ReflectorIp), ownMac, ReflectorIp));
        var truncated = Frame(ArpOperation.Request, asker, GeneratorIp, ReflectorIp).AsSpan(0, EthernetFrame.HeaderLength + 20).ToArray();
        Assert.Equal(ArpAnswer.Ignored, ArpResponder.Answer(truncated, ownMac, ReflectorIp));
        Assert.Null(ArpResolver.AnswerFrom(truncated, GeneratorIp));
        Assert.Null(ArpResolver.AnswerFrom(Frame(ArpOperation.Reply, asker, Ipv4Address.Parse("198.18.0.3"), ReflectorIp), ReflectorIp));
    }

    private static byte[] Frame(ArpOperation op, MacAddress sender, Ipv4Address senderIp, Ipv4Address target)
    {
        var frame = new byte[EthernetFrame.MinimumFrameLength];
        var l2 = EthernetFrame.WriteHeader(frame, MacAddress.Broadcast, sender, EtherType.Arp);
        ArpPacket.Write(frame.AsSpan(l2), op, sender, senderIp, MacAddress.Zero, target);
        return frame;
    }

    private int DrainGenerator()
    {
        Span<nint> slots = stackalloc nint[32];
        var replies = 0;
        var burst = new MbufBurst(slots);
        while (Fixture.Generator.GetRxQueue(0).Receive(ref burst) > 0)
        {
            foreach (var m in burst)
            {
                replies += ArpResolver.AnswerFrom(m.Data, ReflectorIp) is null ? 0 : 1;
            }

            burst.FreeAll();
        }

        return replies;
    }
}
