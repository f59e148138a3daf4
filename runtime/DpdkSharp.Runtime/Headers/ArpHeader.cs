using System.Buffers.Binary;
using System.Net;

namespace DpdkSharp.Runtime.Headers;

/// <summary>An ARP packet for IPv4 over Ethernet (28 bytes).</summary>
public readonly ref struct ArpHeader
{
    /// <summary>Size in bytes.</summary>
    public const int Size = 28;
    /// <summary>ARP request opcode.</summary>
    public const ushort OpRequest = 1;
    /// <summary>ARP reply opcode.</summary>
    public const ushort OpReply = 2;

    private readonly Span<byte> _bytes;

    /// <summary>A view of the first <see cref="Size"/> bytes.</summary>
    public ArpHeader(Span<byte> bytes) => _bytes = HeaderBytes.Take(bytes, Size, "ARP");

    /// <summary>Hardware type (1 for Ethernet).</summary>
    public ushort HardwareType { get => Read(0); set => Write(0, value); }
    /// <summary>Protocol type (0x0800 for IPv4).</summary>
    public ushort ProtocolType { get => Read(2); set => Write(2, value); }
    /// <summary>Hardware address length (6).</summary>
    public byte HardwareLength { get => _bytes[4]; set => _bytes[4] = value; }
    /// <summary>Protocol address length (4).</summary>
    public byte ProtocolLength { get => _bytes[5]; set => _bytes[5] = value; }
    /// <summary>Operation: <see cref="OpRequest"/> or <see cref="OpReply"/>.</summary>
    public ushort Operation { get => Read(6); set => Write(6, value); }
    /// <summary>Sender MAC.</summary>
    public MacAddress SenderMac { get => new(_bytes[8..]); set => value.WriteTo(_bytes[8..]); }
    /// <summary>Sender IPv4 address.</summary>
    public IPAddress SenderIp { get => new(_bytes.Slice(14, 4)); set => value.TryWriteBytes(_bytes.Slice(14, 4), out _); }
    /// <summary>Target MAC.</summary>
    public MacAddress TargetMac { get => new(_bytes[18..]); set => value.WriteTo(_bytes[18..]); }
    /// <summary>Target IPv4 address.</summary>
    public IPAddress TargetIp { get => new(_bytes.Slice(24, 4)); set => value.TryWriteBytes(_bytes.Slice(24, 4), out _); }

    /// <summary>Fills the fixed fields for IPv4 over Ethernet and sets the operation.</summary>
    public void InitializeIpv4OverEthernet(ushort operation)
    {
        HardwareType = 1;
        ProtocolType = EtherTypes.Ipv4;
        HardwareLength = 6;
        ProtocolLength = 4;
        Operation = operation;
    }

    private ushort Read(int offset) => BinaryPrimitives.ReadUInt16BigEndian(_bytes[offset..]);
    private void Write(int offset, ushort value) => BinaryPrimitives.WriteUInt16BigEndian(_bytes[offset..], value);
}
