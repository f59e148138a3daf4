using System.Globalization;
using DpdkSharp.Runtime;
using Xunit.Abstractions;

namespace DpdkSharp.Pktgen.Tests;

/// <summary>Capture through DPDK's rte_pcapng: the file holds the frames sent and received, timestamped in nanoseconds.</summary>
public sealed class CaptureTests(PktgenFixture fixture, ITestOutputHelper output) : PktgenTest(fixture)
{
    [Fact]
    public void A_sendrecv_run_captured_to_pcapng_holds_every_frame_sent_and_received_with_direction_and_nanosecond_timestamps()
    {
        var path = Path.Combine(Path.GetTempPath(), $"pktgen-{Guid.NewGuid():N}.pcapng");
        try
        {
            var settings = new PktgenSettings { Mode = PktgenMode.SendRecv, RatePps = 2000, Flows = 4, Sizes = [64, 1518], OnEalLcores = false };
            var before = DateTimeOffset.UtcNow;
            IntervalReport final;
            long written;
            using (var capture = PcapngWriter.Create(path, comment: "pktgen capture test"))
            using (var reflect = new PktgenSession(settings with { Mode = PktgenMode.Reflect }, Fixture.Peer, Fixture.Pool))
            using (var sendrecv = new PktgenSession(settings, Fixture.Generator, Fixture.Pool, capture))
            {
                reflect.Start();
                sendrecv.Start();
                Thread.Sleep(1500);
                final = sendrecv.Stop(TimeSpan.FromMilliseconds(300));
                reflect.Stop(TimeSpan.Zero);
                Assert.Equal(0, capture.PacketsDropped);
                written = capture.PacketsWritten;
            }

            var after = DateTimeOffset.UtcNow;
            var file = PcapngFile.Read(path);
            output.WriteLine($"{file.BlockTypes.Count} blocks, interfaces {string.Join(", ", file.Interfaces)}, {file.Packets.Count} packets; {final.ToConsoleLine()}");
            Assert.Equal(PcapngFile.SectionHeader, file.BlockTypes[0]);
            var generator = Fixture.Generator.Id;
            Assert.True(file.Interfaces.Count > generator, "no interface block for the generator's port");
            Assert.Equal(9, file.Interfaces[generator].TimestampResolution); // nanoseconds
            Assert.Equal(written, file.Packets.Count);
            var outbound = file.Packets.Where(p => (p.Flags & 3) == (uint)PcapngDirection.Outbound).ToList();
            var inbound = file.Packets.Where(p => (p.Flags & 3) == (uint)PcapngDirection.Inbound).ToList();
            Assert.Equal(final.Totals.TxPackets, outbound.Count);
            Assert.Equal(final.Totals.RxPackets, inbound.Count);
            var templates = new FrameTemplates(settings.Sizes, Fixture.Generator.MacAddress, settings.DestinationMac, settings.SourceIp,
                settings.DestinationIp, settings.DestinationPort, settings.Seed);
            foreach (var packet in outbound)
            {
                Assert.Equal(generator, packet.InterfaceId);
                Assert.Equal(packet.Data.Length, (int)packet.OriginalLength);
                Assert.True(PacketFormat.TryRead(packet.Data, templates, out _, out _, out _), "a captured frame is not one the generator made");
                var time = DateTimeOffset.UnixEpoch.AddTicks((long)(packet.Timestamp / 100));
                Assert.InRange(time, before.AddSeconds(-1), after.AddSeconds(1));
            }

            // Sequence numbers of flow 0 as captured going out: 0, 1, 2, ... (capture keeps the order frames were made in).
            var flow0 = outbound.Select(p => PacketFormat.TryRead(p.Data, templates, out var flow, out var sequence, out _) ? (flow, sequence) : default)
                .Where(f => f.flow == 0).Select(f => f.sequence).ToList();
            Assert.Equal(Enumerable.Range(0, flow0.Count).Select(i => (uint)i), flow0);

            ReadWithTshark(path, file, settings);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Wireshark's own reader (tshark) takes the file as ours does: every packet, in order, on its interface, with its
    /// length, addresses, port and nanosecond timestamp.
    /// </summary>
    private void ReadWithTshark(string path, PcapngFile file, PktgenSettings settings)
    {
        Assert.True(File.Exists("/usr/bin/tshark"), "tshark is missing: bash eng/setup.sh installs it");
        var result = MultiProcess.ToolProcess.Check("/usr/bin/tshark", ["-r", path, "-T", "fields", "-E", "separator=,", "-e", "frame.interface_id",
            "-e", "frame.len", "-e", "ip.src", "-e", "ip.dst", "-e", "udp.dstport", "-e", "frame.time_epoch"], TimeSpan.FromSeconds(60));
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        output.WriteLine($"tshark: {lines.Length} packets; first: {lines.FirstOrDefault()}");
        Assert.Equal(file.Packets.Count, lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            var packet = file.Packets[i];
            var fields = lines[i].Split(',');
            Assert.Equal(packet.InterfaceId.ToString(CultureInfo.InvariantCulture), fields[0]);
            Assert.Equal(packet.Data.Length.ToString(CultureInfo.InvariantCulture), fields[1]);
            var seconds = decimal.Parse(fields[5], CultureInfo.InvariantCulture);
            Assert.Equal((decimal)packet.Timestamp, seconds * 1_000_000_000m);
            if ((packet.Flags & 3) == (uint)PcapngDirection.Outbound)
            {
                Assert.Equal((settings.SourceIp.ToString(), settings.DestinationIp.ToString()), (fields[2], fields[3]));
                Assert.Equal(settings.DestinationPort.ToString(CultureInfo.InvariantCulture), fields[4]);
            }
        }
    }
}
