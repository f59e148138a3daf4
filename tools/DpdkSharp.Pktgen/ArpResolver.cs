using System.Diagnostics;
using DpdkSharp.Runtime;
using DpdkSharp.Wire;

namespace DpdkSharp.Pktgen;

/// <summary>The destination's MAC address learned by ARP, and what it took.</summary>
/// <param name="Mac">The hardware address the destination answered with.</param>
/// <param name="Requests">ARP requests sent (1 when the first was answered).</param>
/// <param name="Elapsed">From the first request to the answer.</param>
/// <param name="OtherFrames">Frames received meanwhile that were not the answer (freed).</param>
public sealed record ArpResolution(MacAddress Mac, int Requests, TimeSpan Elapsed, long OtherFrames);

/// <summary>No ARP answer came from the destination within the attempts allowed.</summary>
public sealed class ArpUnresolvedException(string message) : InvalidOperationException(message);

/// <summary>
/// Resolves the destination's MAC address by ARP (RFC 826) on a started port before the workers start: a broadcast
/// request, then a bounded wait for the answer, a bounded number of times. Polls every receive queue (RSS sends
/// non-IP frames to any of them, usually 0); frames that are not the answer are freed and counted.
/// </summary>
public static class ArpResolver
{
    /// <summary>Sends up to <paramref name="attempts"/> requests for <paramref name="target"/>, each waiting <paramref name="wait"/> for the answer.</summary>
    /// <param name="port">The port, started, with <paramref name="queues"/> queue pairs nobody else polls yet.</param>
    /// <param name="queues">Receive queues to poll.</param>
    /// <param name="pool">Where the requests come from.</param>
    /// <param name="ownMac">The requests' sender hardware address (the frames' source).</param>
    /// <param name="ownIp">The requests' sender protocol address.</param>
    /// <param name="target">The address to resolve.</param>
    /// <param name="attempts">Requests at most.</param>
    /// <param name="wait">How long to wait for the answer to each request.</param>
    /// <exception cref="ArpUnresolvedException">No answer after <paramref name="attempts"/> requests.</exception>
    public static ArpResolution Resolve(Port port, int queues, Mempool pool, MacAddress ownMac, Ipv4Address ownIp, Ipv4Address target,
        int attempts, TimeSpan wait)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(queues, 1);
        var clock = Stopwatch.StartNew();
        long others = 0;
        Span<nint> slots = stackalloc nint[32];
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            SendRequest(port, pool, ownMac, ownIp, target);
            var deadline = clock.Elapsed + wait;
            while (clock.Elapsed < deadline)
            {
                var idle = true;
                for (var q = 0; q < queues; q++)
                {
                    var burst = new MbufBurst(slots);
                    if (port.GetRxQueue(q).Receive(ref burst) == 0)
                    {
                        continue;
                    }

                    idle = false;
                    MacAddress? found = null;
                    foreach (var m in burst)
                    {
                        if (found is null && AnswerFrom(m.Data, target) is { } mac)
                        {
                            found = mac;
                        }
                        else
                        {
                            others++;
                        }
                    }

                    burst.FreeAll();
                    if (found is { } answer)
                    {
                        return new ArpResolution(answer, attempt, clock.Elapsed, others);
                    }
                }

                if (idle)
                {
                    Thread.Sleep(1); // nothing in flight yet: no need to spin a core while the peer thinks
                }
            }
        }

        throw new ArpUnresolvedException(
            $"No ARP answer for {target} on port {port.Id} ({port.Name}) after {attempts} request(s) {wait.TotalMilliseconds:F0} ms apart " +
            $"({others} other frame(s) received). Is the destination on this link with that address (a reflect instance answers for its --src-ip)? " +
            "Give --dst-mac to send without ARP.");
    }

    /// <summary>
    /// The target's MAC if <paramref name="frame"/> is ARP from it: a reply, or a request it sent (either tells its
    /// address, RFC 826 "Packet Reception"). Checked field by field: the bytes come from the wire.
    /// </summary>
    internal static MacAddress? AnswerFrom(ReadOnlySpan<byte> frame, Ipv4Address target)
    {
        if (!ArpResponder.IsArp(frame) || !ArpPacket.TryParse(frame[EthernetFrame.HeaderLength..], out var arp, out _)
            || arp.SenderIp != target || arp.SenderMac.IsMulticast || arp.SenderMac.IsZero)
        {
            return null;
        }

        return arp.SenderMac;
    }

    private static void SendRequest(Port port, Mempool pool, MacAddress ownMac, Ipv4Address ownIp, Ipv4Address target)
    {
        Span<nint> slot = stackalloc nint[1];
        var burst = new MbufBurst(slot);
        var m = pool.Alloc();
        var room = m.DataRoom;
        // Padded to Ethernet's minimum (60 bytes without FCS) with zeros, as hosts send it.
        room[..EthernetFrame.MinimumFrameLength].Clear();
        var l2 = EthernetFrame.WriteHeader(room, MacAddress.Broadcast, ownMac, EtherType.Arp);
        ArpPacket.Write(room[l2..], ArpOperation.Request, ownMac, ownIp, MacAddress.Zero, target);
        m.SetLength(EthernetFrame.MinimumFrameLength);
        burst.TryAdd(m);
        if (port.GetTxQueue(0).Transmit(ref burst) == 0)
        {
            burst.FreeAll(); // the queue is full: this attempt's wait passes without a request, the next one tries again
        }
    }
}
