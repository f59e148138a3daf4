namespace DpdkSharp.Stack.Sockets;

/// <summary>A handle to a UDP endpoint: slot index plus generation, so a stale handle after close is refused.</summary>
public readonly record struct UdpHandle(int Index, int Generation);

/// <summary>What <see cref="UdpEndpointTable.TryReceive"/> returned (named apart from System.Net.Sockets.UdpReceiveResult, which a user may import too).</summary>
public readonly record struct UdpReceiveInfo(int BytesCopied, int DatagramLength, Ipv4Endpoint Remote)
{
    /// <summary>Whether the datagram was longer than the buffer (the rest is discarded).</summary>
    public bool Truncated => BytesCopied < DatagramLength;
}
