using System.Buffers.Binary;
using System.Security.Cryptography;

namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// The keyed hash of a connection's addresses and ports that initial sequence numbers
/// (RFC 6528 §3), ephemeral ports (RFC 6056 §3.3.4) and SYN cookies (RFC 4987 §3.6) are made
/// from: HMAC-SHA-256 over a buffer on the stack, so it allocates nothing.
/// </summary>
/// <remarks>
/// Addresses of either family go in as they are on the wire (4 bytes for IPv4, 16 for IPv6), each
/// with its length, so no two tuples give the same input. A domain byte first keeps the uses of
/// one key apart, as if each had a key of its own.
/// </remarks>
internal static class TcpTupleHash
{
    /// <summary>The length of a generated key (RFC 6528 §3 asks for a secret of at least 128 bits).</summary>
    public const int KeyLength = 32;

    /// <summary>The shortest key accepted: 128 bits.</summary>
    public const int MinKeyLength = 16;

    /// <summary>A copy of <paramref name="key"/>, or a new random one (<see cref="RandomNumberGenerator"/>) when it is null.</summary>
    public static byte[] KeyOrRandom(byte[]? key)
    {
        if (key is null)
        {
            return RandomNumberGenerator.GetBytes(KeyLength);
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(key.Length, MinKeyLength, nameof(key));
        return key.ToArray();
    }

    /// <summary>The first 64 bits of HMAC-SHA-256(key, domain ‖ tuple ‖ extra).</summary>
    public static ulong Compute(ReadOnlySpan<byte> key, byte domain, in TcpTuple tuple, uint extra)
    {
        Span<byte> local = stackalloc byte[IpAddress.MaxLength];
        Span<byte> remote = stackalloc byte[IpAddress.MaxLength];
        return Compute(key, domain, local[..tuple.LocalAddress.Write(local)], tuple.LocalPort,
            remote[..tuple.RemoteAddress.Write(remote)], tuple.RemotePort, extra);
    }

    /// <summary>The same over addresses as bytes; empty ones for a hash of the key alone (<see cref="EphemeralPorts"/>' table).</summary>
    public static ulong Compute(ReadOnlySpan<byte> key, byte domain,
        ReadOnlySpan<byte> localAddress, ushort localPort, ReadOnlySpan<byte> remoteAddress, ushort remotePort, uint extra)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(localAddress.Length, IpAddress.MaxLength, nameof(localAddress));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(remoteAddress.Length, IpAddress.MaxLength, nameof(remoteAddress));
        Span<byte> data = stackalloc byte[1 + 2 * (1 + IpAddress.MaxLength) + 2 + 2 + 4];
        int n = 0;
        data[n++] = domain;
        data[n++] = (byte)localAddress.Length;
        localAddress.CopyTo(data[n..]);
        n += localAddress.Length;
        data[n++] = (byte)remoteAddress.Length;
        remoteAddress.CopyTo(data[n..]);
        n += remoteAddress.Length;
        BinaryPrimitives.WriteUInt16BigEndian(data[n..], localPort);
        BinaryPrimitives.WriteUInt16BigEndian(data[(n + 2)..], remotePort);
        BinaryPrimitives.WriteUInt32BigEndian(data[(n + 4)..], extra);
        n += 8;

        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, data[..n], mac);
        return BinaryPrimitives.ReadUInt64LittleEndian(mac);
    }
}
