using System.Buffers.Binary;

namespace DpdkSharp.Pktgen.Tests;

/// <summary>
/// Reads a pcapng file's block structure (the spec's, draft-ietf-opsawg-pcapng), little endian as rte_pcapng writes
/// it: enough to check what a capture holds field by field; CaptureTests also has tshark read the same file.
/// </summary>
internal sealed class PcapngFile
{
    public const uint SectionHeader = 0x0A0D0D0A;
    public const uint InterfaceDescription = 1;
    public const uint EnhancedPacket = 6;

    public sealed record Interface(string Name, byte TimestampResolution);

    public sealed record Packet(uint InterfaceId, ulong Timestamp, byte[] Data, uint OriginalLength, uint Flags);

    public List<uint> BlockTypes { get; } = [];

    public List<Interface> Interfaces { get; } = [];

    public List<Packet> Packets { get; } = [];

    public static PcapngFile Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var file = new PcapngFile();
        var offset = 0;
        while (offset < bytes.Length)
        {
            var type = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset));
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 4));
            if (length < 12 || length % 4 != 0 || offset + length > bytes.Length
                || BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + length - 4)) != length)
            {
                throw new InvalidDataException($"bad block at {offset}: type {type:x}, length {length}");
            }

            var body = bytes.AsSpan(offset + 8, length - 12);
            file.BlockTypes.Add(type);
            if (type == SectionHeader && BinaryPrimitives.ReadUInt32LittleEndian(body) != 0x1A2B3C4D)
            {
                throw new InvalidDataException("not a little-endian section");
            }

            if (type == InterfaceDescription)
            {
                var options = Options(body[8..]);
                file.Interfaces.Add(new Interface(
                    options.TryGetValue(2, out var name) ? System.Text.Encoding.UTF8.GetString(name).TrimEnd('\0') : "",
                    options.TryGetValue(9, out var resolution) ? resolution[0] : (byte)6));
            }
            else if (type == EnhancedPacket)
            {
                var captured = (int)BinaryPrimitives.ReadUInt32LittleEndian(body[12..]);
                var options = Options(body[(20 + (captured + 3) / 4 * 4)..]);
                file.Packets.Add(new Packet(
                    BinaryPrimitives.ReadUInt32LittleEndian(body),
                    ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(body[4..]) << 32) | BinaryPrimitives.ReadUInt32LittleEndian(body[8..]),
                    body.Slice(20, captured).ToArray(),
                    BinaryPrimitives.ReadUInt32LittleEndian(body[16..]),
                    options.TryGetValue(2, out var flags) ? BinaryPrimitives.ReadUInt32LittleEndian(flags) : 0));
            }

            offset += length;
        }

        return file;
    }

    // Options: code (u16), length (u16), value padded to 4; code 0 ends them.
    private static Dictionary<ushort, byte[]> Options(ReadOnlySpan<byte> options)
    {
        var result = new Dictionary<ushort, byte[]>();
        while (options.Length >= 4)
        {
            var code = BinaryPrimitives.ReadUInt16LittleEndian(options);
            var length = BinaryPrimitives.ReadUInt16LittleEndian(options[2..]);
            if (code == 0)
            {
                break;
            }

            result[code] = options.Slice(4, length).ToArray();
            options = options[(4 + (length + 3) / 4 * 4)..];
        }

        return result;
    }
}
