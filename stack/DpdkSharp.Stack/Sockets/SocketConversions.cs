using System.Buffers;
using System.Net;
using System.Net.Sockets;

namespace DpdkSharp.Stack.Sockets;

/// <summary>Maps the core's types to System.Net's: endpoints and errors.</summary>
public static class SocketConversions
{
    /// <summary>
    /// The <see cref="SocketError"/> a Linux socket reports for the same condition (errno in
    /// brackets), so code written against System.Net.Sockets sees the same values.
    /// </summary>
    public static SocketError ToSocketError(this NetError error) => error switch
    {
        NetError.None => SocketError.Success,
        NetError.WouldBlock => SocketError.WouldBlock,                       // EAGAIN
        NetError.InvalidHandle => SocketError.NotSocket,                     // EBADF/ENOTSOCK
        NetError.InvalidArgument => SocketError.AddressNotAvailable,        // EADDRNOTAVAIL (bind to a foreign address)
        NetError.AddressInUse => SocketError.AddressAlreadyInUse,           // EADDRINUSE
        NetError.NoEphemeralPorts => SocketError.AddressNotAvailable,       // EADDRNOTAVAIL
        NetError.TooManyEndpoints => SocketError.TooManyOpenSockets,        // EMFILE
        NetError.NotConnected => SocketError.DestinationAddressRequired,    // EDESTADDRREQ: send() unconnected
        NetError.MessageTooLong => SocketError.MessageSize,                 // EMSGSIZE
        NetError.NoRoute => SocketError.NetworkUnreachable,                 // ENETUNREACH
        NetError.NoBuffers => SocketError.NoBufferSpaceAvailable,           // ENOBUFS
        NetError.ConnectionRefused => SocketError.ConnectionRefused,        // ECONNREFUSED
        NetError.HostUnreachable => SocketError.HostUnreachable,            // EHOSTUNREACH
        NetError.NetworkUnreachable => SocketError.NetworkUnreachable,      // ENETUNREACH
        NetError.ProtocolUnreachable => SocketError.ProtocolOption,         // ENOPROTOOPT (Linux's mapping)
        NetError.TimeExceeded => SocketError.HostUnreachable,               // EHOSTUNREACH (Linux's mapping)
        NetError.ParameterProblem => SocketError.ProtocolType,              // EPROTO
        _ => SocketError.SocketError,
    };

    /// <summary>An IPv4 <see cref="IPEndPoint"/> as the core's endpoint.</summary>
    /// <exception cref="ArgumentException">Not an IPv4 <see cref="IPEndPoint"/> (the stack is IPv4 only).</exception>
    public static Ipv4Endpoint ToIpv4Endpoint(this EndPoint endPoint)
    {
        if (endPoint is not IPEndPoint ip)
        {
            throw new ArgumentException($"Expected an IPEndPoint, got {endPoint?.GetType().Name ?? "null"}.", nameof(endPoint));
        }
        var address = ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new SocketException((int)SocketError.AddressFamilyNotSupported);
        }
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return new Ipv4Endpoint(Ipv4Address.Read(bytes), (ushort)ip.Port);
    }

    /// <summary>The core's endpoint as an <see cref="IPEndPoint"/> (allocates).</summary>
    public static IPEndPoint ToIPEndPoint(this Ipv4Endpoint endpoint) => new(endpoint.Address.ToIPAddress(), endpoint.Port);

    /// <summary>The core's address as an <see cref="IPAddress"/> (allocates).</summary>
    public static IPAddress ToIPAddress(this Ipv4Address address)
    {
        Span<byte> bytes = stackalloc byte[4];
        address.Write(bytes);
        return new IPAddress(bytes);
    }

    internal static SocketException Exception(NetError error) => new((int)error.ToSocketError());
}

/// <summary>
/// A <see cref="Memory{T}"/> over pinned memory the caller keeps alive: lets the synchronous
/// span overloads hand their buffer to the reactor, because they block until the reactor has
/// completed (or cancelled) the operation and no longer touches it.
/// </summary>
internal sealed unsafe class PinnedMemory : MemoryManager<byte>
{
    private byte* _pointer;
    private int _length;

    /// <summary>Points this wrapper at memory the caller keeps pinned while the result is in use.</summary>
    public Memory<byte> Reset(byte* pointer, int length)
    {
        _pointer = pointer;
        _length = length;
        return Memory;
    }

    public override Span<byte> GetSpan() => new(_pointer, _length);

    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
