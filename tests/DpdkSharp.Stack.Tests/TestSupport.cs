global using static DpdkSharp.Stack.Tests.T;
using System.Buffers.Binary;

namespace DpdkSharp.Stack.Tests;

/// <summary>Time for the cores: tests count nanoseconds in a long and pass them as an <see cref="Instant"/>.</summary>
internal static class T
{
    public const long Ms = 1_000_000;
    public const long Sec = 1_000_000_000;

    /// <summary>The instant <paramref name="nanoseconds"/> after the clock's zero.</summary>
    public static Instant At(long nanoseconds) => new(nanoseconds);
}

/// <summary>A sink that keeps a copy of every frame and gives the buffer back at once.</summary>
internal sealed class CaptureSink(IPacketBufferPool pool) : IFrameSink
{
    public List<byte[]> Frames { get; } = [];
    public List<TxFrameInfo> Infos { get; } = [];
    public bool Refuse { get; set; }

    public bool Transmit(PacketBuffer buffer, int length, in TxFrameInfo info)
    {
        if (!Refuse)
        {
            Frames.Add(pool.GetSpan(buffer)[..length].ToArray());
            Infos.Add(info);
        }
        pool.Return(buffer);
        return !Refuse;
    }

    public byte[] Single()
    {
        Assert.Single(Frames);
        return Frames[0];
    }

    public List<byte[]> Take()
    {
        var frames = Frames.ToList();
        Frames.Clear();
        Infos.Clear();
        return frames;
    }
}

/// <summary>A sink that only counts (for the allocation test).</summary>
internal sealed class CountingSink(IPacketBufferPool pool) : IFrameSink
{
    public long Count;

    public bool Transmit(PacketBuffer buffer, int length, in TxFrameInfo info)
    {
        Count++;
        pool.Return(buffer);
        return true;
    }
}

/// <summary>Addresses and core factories shared by the tests.</summary>
internal static class Net
{
    public static readonly MacAddress UsMac = MacAddress.Parse("02:00:00:00:00:01");
    public static readonly MacAddress PeerMac = MacAddress.Parse("52:54:00:12:34:56");
    public static readonly MacAddress OtherMac = MacAddress.Parse("52:54:00:ab:cd:ef");
    public static readonly Ipv4Address UsIp = Ipv4Address.Parse("10.0.0.1");
    public static readonly Ipv4Address PeerIp = Ipv4Address.Parse("10.0.0.2");
    public static readonly Ipv4Address GatewayIp = Ipv4Address.Parse("10.0.0.254");

    public static InterfaceOptions Options(Func<InterfaceOptions, InterfaceOptions>? change = null)
    {
        var o = new InterfaceOptions { Mac = UsMac, Address = UsIp, PrefixLength = 24, PublishMetrics = false };
        return change is null ? o : change(o);
    }

    public static (NetworkInterfaceCore Core, CaptureSink Sink, ArrayPacketBufferPool Pool) Core(
        Func<InterfaceOptions, InterfaceOptions>? change = null, int buffers = 512, int bufferSize = 2048)
    {
        var pool = new ArrayPacketBufferPool(buffers, bufferSize);
        var sink = new CaptureSink(pool);
        return (new NetworkInterfaceCore(Options(change), pool, sink), sink, pool);
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(hex);
}

/// <summary>
/// An independent frame builder for tests: plain loops and a textbook RFC 1071 checksum, so the
/// tests do not check the stack against itself.
/// </summary>
internal static class Build
{
    public static ushort RefChecksum(ReadOnlySpan<byte> data, uint initial = 0)
    {
        uint sum = initial;
        for (int i = 0; i + 1 < data.Length; i += 2)
        {
            sum += (uint)(data[i] << 8 | data[i + 1]);
        }
        if ((data.Length & 1) != 0)
        {
            sum += (uint)data[^1] << 8;
        }
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (ushort)~sum;
    }

    public static byte[] Ethernet(MacAddress dst, MacAddress src, ushort type, ReadOnlySpan<byte> payload, ushort? vlan = null, bool pad = true)
    {
        int header = vlan is null ? 14 : 18;
        int length = header + payload.Length;
        var f = new byte[pad ? Math.Max(60, length) : length];
        dst.Write(f);
        src.Write(f.AsSpan(6));
        int o = 12;
        if (vlan is ushort v)
        {
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), 0x8100);
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(14), v);
            o = 16;
        }
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(o), type);
        payload.CopyTo(f.AsSpan(header));
        return f;
    }

    public static byte[] Ipv4(Ipv4Address src, Ipv4Address dst, byte protocol, ReadOnlySpan<byte> payload,
        ushort id = 1, byte ttl = 64, bool df = false, bool mf = false, int offset = 0, byte[]? options = null)
    {
        int ihl = 20 + (options?.Length ?? 0);
        var p = new byte[ihl + payload.Length];
        p[0] = (byte)(0x40 | ihl / 4);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), (ushort)p.Length);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), id);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(6), (ushort)((df ? 0x4000 : 0) | (mf ? 0x2000 : 0) | (offset / 8)));
        p[8] = ttl;
        p[9] = protocol;
        src.Write(p.AsSpan(12));
        dst.Write(p.AsSpan(16));
        options?.CopyTo(p.AsSpan(20));
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(10), RefChecksum(p.AsSpan(0, ihl)));
        payload.CopyTo(p.AsSpan(ihl));
        return p;
    }

    public static byte[] Udp(Ipv4Address src, Ipv4Address dst, ushort sport, ushort dport, ReadOnlySpan<byte> payload, bool checksum = true)
    {
        var u = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(u, sport);
        BinaryPrimitives.WriteUInt16BigEndian(u.AsSpan(2), dport);
        BinaryPrimitives.WriteUInt16BigEndian(u.AsSpan(4), (ushort)u.Length);
        payload.CopyTo(u.AsSpan(8));
        if (checksum)
        {
            var pseudo = new byte[12 + u.Length];
            src.Write(pseudo);
            dst.Write(pseudo.AsSpan(4));
            pseudo[9] = 17;
            BinaryPrimitives.WriteUInt16BigEndian(pseudo.AsSpan(10), (ushort)u.Length);
            u.CopyTo(pseudo.AsSpan(12));
            ushort c = RefChecksum(pseudo);
            BinaryPrimitives.WriteUInt16BigEndian(u.AsSpan(6), c == 0 ? (ushort)0xFFFF : c);
        }
        return u;
    }

    public static byte[] Icmp(byte type, byte code, ushort id, ushort seq, ReadOnlySpan<byte> body)
    {
        var m = new byte[8 + body.Length];
        m[0] = type;
        m[1] = code;
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(4), id);
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(6), seq);
        body.CopyTo(m.AsSpan(8));
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(2), RefChecksum(m));
        return m;
    }

    public static byte[] Arp(ushort op, MacAddress sha, Ipv4Address spa, MacAddress tha, Ipv4Address tpa)
    {
        var a = new byte[28];
        BinaryPrimitives.WriteUInt16BigEndian(a, 1);
        BinaryPrimitives.WriteUInt16BigEndian(a.AsSpan(2), 0x0800);
        a[4] = 6;
        a[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(a.AsSpan(6), op);
        sha.Write(a.AsSpan(8));
        spa.Write(a.AsSpan(14));
        tha.Write(a.AsSpan(18));
        tpa.Write(a.AsSpan(24));
        return a;
    }

    /// <summary>An IPv4 frame from the peer to us.</summary>
    public static byte[] FromPeer(byte protocol, ReadOnlySpan<byte> l4, ushort id = 1, bool df = false, bool mf = false, int offset = 0, byte ttl = 64) =>
        Ethernet(Net.UsMac, Net.PeerMac, 0x0800, Ipv4(Net.PeerIp, Net.UsIp, protocol, l4, id, ttl, df, mf, offset));

    public static byte[] UdpFromPeer(ushort sport, ushort dport, ReadOnlySpan<byte> payload) =>
        FromPeer(17, Udp(Net.PeerIp, Net.UsIp, sport, dport, payload));

    public static byte[] ArpReplyFromPeer() =>
        Ethernet(Net.UsMac, Net.PeerMac, 0x0806, Arp(2, Net.PeerMac, Net.PeerIp, Net.UsMac, Net.UsIp));
}
