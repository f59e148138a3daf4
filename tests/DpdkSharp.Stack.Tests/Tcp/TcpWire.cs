using System.Buffers.Binary;

namespace DpdkSharp.Stack.Tests.Tcp;

/// <summary>
/// A TCP segment in an Ethernet and IPv4 frame, field by field, for tests that hand-craft or
/// mutate segments: <see cref="Parse"/> a captured frame, change any field (the data offset and
/// options may be malformed), <see cref="Write"/> it back with correct checksums (or not).
/// </summary>
internal struct WireSegment
{
    public const int FrameHeaders = 14 + 20;

    public MacAddress SourceMac, DestinationMac;
    public Ipv4Address Source, Destination;
    public ushort SourcePort, DestinationPort;
    public uint Sequence, Acknowledgment;
    public TcpFlags Flags;
    public ushort Window, Urgent;
    /// <summary>The header length in 32-bit words; null for the one the options need.</summary>
    public int? DataOffset;
    /// <summary>Option bytes as they go on the wire (zero-padded to a multiple of 4 when written).</summary>
    public byte[] Options;
    public byte[] Payload;

    /// <summary>A segment from the peer (<see cref="Net.PeerIp"/>, B of a <see cref="SimulatedPair"/>) to us (<see cref="Net.UsIp"/>, A).</summary>
    public static WireSegment FromPeer(ushort sourcePort, ushort destinationPort, uint sequence, uint acknowledgment, TcpFlags flags,
        ushort window = 65535, byte[]? options = null, byte[]? payload = null) => new()
        {
            SourceMac = Net.PeerMac,
            DestinationMac = Net.UsMac,
            Source = Net.PeerIp,
            Destination = Net.UsIp,
            SourcePort = sourcePort,
            DestinationPort = destinationPort,
            Sequence = sequence,
            Acknowledgment = acknowledgment,
            Flags = flags,
            Window = window,
            Options = options ?? [],
            Payload = payload ?? [],
        };

    /// <summary>The segment in a frame (Ethernet from the peer's MAC to ours, IPv4 without options); null when it is not TCP over IPv4.</summary>
    public static WireSegment? Parse(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < FrameHeaders + 20 || BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != 0x0800 || frame[14] != 0x45 || frame[14 + 9] != 6)
        {
            return null;
        }
        int ipLength = BinaryPrimitives.ReadUInt16BigEndian(frame[16..]);
        var tcp = frame.Slice(FrameHeaders, Math.Min(ipLength, frame.Length - 14) - 20);
        int offset = tcp[12] >> 4;
        if (offset < 5 || offset * 4 > tcp.Length)
        {
            return null;
        }
        return new WireSegment
        {
            DestinationMac = MacAddress.Read(frame),
            SourceMac = MacAddress.Read(frame[6..]),
            Source = Ipv4Address.Read(frame[26..]),
            Destination = Ipv4Address.Read(frame[30..]),
            SourcePort = BinaryPrimitives.ReadUInt16BigEndian(tcp),
            DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(tcp[2..]),
            Sequence = BinaryPrimitives.ReadUInt32BigEndian(tcp[4..]),
            Acknowledgment = BinaryPrimitives.ReadUInt32BigEndian(tcp[8..]),
            Flags = (TcpFlags)tcp[13],
            Window = BinaryPrimitives.ReadUInt16BigEndian(tcp[14..]),
            Urgent = BinaryPrimitives.ReadUInt16BigEndian(tcp[18..]),
            Options = tcp[20..(offset * 4)].ToArray(),
            Payload = tcp[(offset * 4)..].ToArray(),
        };
    }

    /// <summary>The frame's length for <see cref="Write"/>.</summary>
    public readonly int FrameLength => FrameHeaders + 20 + ((Options.Length + 3) & ~3) + Payload.Length;

    /// <summary>Writes the frame; the TCP checksum is right unless <paramref name="tcpChecksum"/> is false (the IPv4 one always is). Returns its length.</summary>
    public readonly int Write(Span<byte> frame, bool tcpChecksum = true)
    {
        int options = (Options.Length + 3) & ~3;
        int tcpLength = 20 + options + Payload.Length;
        DestinationMac.Write(frame);
        SourceMac.Write(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], 0x0800);
        var ip = frame.Slice(14, 20);
        ip.Clear();
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + tcpLength));
        ip[6] = 0x40; // Don't Fragment
        ip[8] = 64;
        ip[9] = 6;
        Source.Write(ip[12..]);
        Destination.Write(ip[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum.Compute(ip));
        var tcp = frame.Slice(FrameHeaders, tcpLength);
        BinaryPrimitives.WriteUInt16BigEndian(tcp, SourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], DestinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], Sequence);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], Acknowledgment);
        tcp[12] = (byte)((DataOffset ?? (20 + options) / 4) << 4);
        tcp[13] = (byte)Flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], Window);
        tcp[16] = 0;
        tcp[17] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[18..], Urgent);
        tcp.Slice(20, options).Clear();
        Options.CopyTo(tcp[20..]);
        Payload.CopyTo(tcp[(20 + options)..]);
        ushort checksum = InternetChecksum.Finish(InternetChecksum.Sum(tcp, InternetChecksum.PseudoHeaderSum(Source, Destination, IpProtocol.Tcp, tcpLength)));
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], tcpChecksum ? checksum : (ushort)~checksum);
        return FrameHeaders + tcpLength;
    }

    /// <summary>The frame as a new array.</summary>
    public readonly byte[] ToFrame(bool tcpChecksum = true)
    {
        var frame = new byte[FrameLength];
        Write(frame, tcpChecksum);
        return frame;
    }

    /// <summary>Timestamps option bytes (NOP, NOP, TS) with these values.</summary>
    public static byte[] TimestampOption(uint value, uint echo)
    {
        var o = new byte[12];
        o[0] = 1;
        o[1] = 1;
        o[2] = TcpOptions.KindTimestamps;
        o[3] = 10;
        BinaryPrimitives.WriteUInt32BigEndian(o.AsSpan(4), value);
        BinaryPrimitives.WriteUInt32BigEndian(o.AsSpan(8), echo);
        return o;
    }
}

/// <summary>Stands between a simulated link and a core: shows the test every frame the core receives, then hands it on.</summary>
internal sealed class FrameTap(IFrameReceiver inner, Action<ReadOnlySpan<byte>> seen) : IFrameReceiver
{
    public RxDisposition Receive(ReadOnlySpan<byte> frame, Instant now, RxChecksumStatus checksum = RxChecksumStatus.Unknown)
    {
        seen(frame);
        return inner.Receive(frame, now, checksum);
    }

    public RxDisposition Receive(PacketBuffer buffer, int length, Instant now, RxChecksumStatus checksum, out bool kept) =>
        throw new NotSupportedException("The simulated pairs' cores use separate pools: frames are never lent.");
}
