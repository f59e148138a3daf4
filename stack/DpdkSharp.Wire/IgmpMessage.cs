using System.Buffers.Binary;

namespace DpdkSharp.Wire;

/// <summary>IGMP message types (RFC 2236 §2.1; the version 3 report of RFC 3376 §4.2).</summary>
public enum IgmpType : byte
{
    /// <summary>Membership Query, general (group 0) or group-specific; versions 1-3 differ by length and Max Resp Code.</summary>
    MembershipQuery = 0x11,
    /// <summary>Version 1 Membership Report (RFC 1112), sent while an IGMPv1 router is present (RFC 2236 §4).</summary>
    Version1MembershipReport = 0x12,
    /// <summary>Version 2 Membership Report.</summary>
    Version2MembershipReport = 0x16,
    /// <summary>Leave Group, sent to all routers (224.0.0.2).</summary>
    LeaveGroup = 0x17,
    /// <summary>Version 3 Membership Report (RFC 3376 §4.2), sent to 224.0.0.22.</summary>
    Version3MembershipReport = 0x22,
}

/// <summary>Which IGMP version a Membership Query is, from its length and Max Resp Code (RFC 3376 §7.1).</summary>
public enum IgmpQueryVersion
{
    /// <summary>Not a query the rules recognise (9 to 11 bytes): RFC 3376 §7.1 says ignore it.</summary>
    Unknown,
    /// <summary>8 bytes with Max Resp Code 0: an IGMPv1 router's query (RFC 2236 §4).</summary>
    Version1,
    /// <summary>8 bytes with a non-zero Max Resp Time.</summary>
    Version2,
    /// <summary>12 bytes or more (RFC 3376 §4.1).</summary>
    Version3,
}

/// <summary>
/// An IGMP message (RFC 2236 §2): type, Max Resp Time, checksum over the whole message, group
/// address; a version 3 query carries more after those 8 bytes (RFC 3376 §4.1). A view over the
/// caller's bytes.
/// </summary>
public readonly ref struct IgmpMessage
{
    /// <summary>Bytes of a version 1 or 2 message (and of the fields every version shares).</summary>
    public const int Length = 8;
    /// <summary>Bytes of the smallest version 3 query.</summary>
    public const int Version3QueryMinLength = 12;
    /// <summary>All systems on this subnet (224.0.0.1): general queries go there, and it is never reported (RFC 2236 §6).</summary>
    public static readonly Ipv4Address AllSystems = new(0xE000_0001);
    /// <summary>All routers on this subnet (224.0.0.2): Leave Group messages go there (RFC 2236 §3).</summary>
    public static readonly Ipv4Address AllRouters = new(0xE000_0002);

    private readonly ReadOnlySpan<byte> _b;

    private IgmpMessage(ReadOnlySpan<byte> bytes) => _b = bytes;

    /// <summary>The message type.</summary>
    public IgmpType Type => (IgmpType)_b[0];
    /// <summary>The Max Resp Time (Code) byte as received: tenths of a second in versions 1 and 2.</summary>
    public byte MaxResponseCode => _b[1];
    /// <summary>The group address: 0 in a general query.</summary>
    public Ipv4Address Group => Ipv4Address.Read(_b[4..]);
    /// <summary>The whole message's length (the IP payload).</summary>
    public int MessageLength => _b.Length;

    /// <summary>The query's version (RFC 3376 §7.1); meaningful for <see cref="IgmpType.MembershipQuery"/> only.</summary>
    public IgmpQueryVersion QueryVersion => _b.Length switch
    {
        Length => MaxResponseCode == 0 ? IgmpQueryVersion.Version1 : IgmpQueryVersion.Version2,
        >= Version3QueryMinLength => IgmpQueryVersion.Version3,
        _ => IgmpQueryVersion.Unknown,
    };

    /// <summary>
    /// How long a query lets a member wait before it reports: RFC 2236 §2.2 (tenths of a second), a version 1 query's
    /// 10 s (RFC 2236 §4: its field is 0), and RFC 3376 §4.1.1's floating-point Max Resp Code from 128 up.
    /// </summary>
    public TimeSpan MaxResponseTime
    {
        get
        {
            int code = MaxResponseCode;
            int tenths = QueryVersion switch
            {
                IgmpQueryVersion.Version1 => 100,
                IgmpQueryVersion.Version3 when code >= 128 => ((code & 0x0F) | 0x10) << (((code >> 4) & 0x07) + 3),
                _ => code,
            };
            return TimeSpan.FromMilliseconds(tenths * 100);
        }
    }

    /// <summary>
    /// Parses an IGMP message: at least 8 bytes whose checksum over the whole message holds (RFC 2236 §2.3; RFC 3376
    /// §4.1.2). On failure <paramref name="reason"/> says why.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out IgmpMessage message, out DropReason reason)
    {
        message = default;
        if (data.Length < Length)
        {
            reason = DropReason.Malformed;
            return false;
        }
        if (!InternetChecksum.IsValid(data))
        {
            reason = DropReason.BadChecksum;
            return false;
        }
        reason = default;
        message = new IgmpMessage(data);
        return true;
    }

    /// <summary>Writes an 8-byte message with its checksum; returns <see cref="Length"/>.</summary>
    public static int Write(Span<byte> destination, IgmpType type, byte maxResponseCode, Ipv4Address group)
    {
        var message = destination[..Length];
        BinaryPrimitives.WriteUInt64BigEndian(message, (ulong)type << 56 | (ulong)maxResponseCode << 48 | group.Value);
        BinaryPrimitives.WriteUInt16BigEndian(message[2..], InternetChecksum.Finish(InternetChecksum.Sum(message)));
        return Length;
    }
}
