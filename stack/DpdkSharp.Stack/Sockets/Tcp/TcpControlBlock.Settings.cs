namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// Settings an application changes on an open connection, the socket options of
/// <see cref="System.Net.Sockets.TcpClient"/> (SO_KEEPALIVE, SO_SNDBUF, SO_RCVBUF). Reactor thread only.
/// </summary>
internal sealed partial class TcpControlBlock
{
    private bool _keepAliveOn;

    /// <summary>Keepalive probing (RFC 1122 §4.2.3.6) on or off from now on; the idle time counts from the last segment received.</summary>
    public bool KeepAlive
    {
        get => _keepAliveOn;
        set
        {
            _keepAliveOn = value;
            _keepaliveProbes = 0;
            ArmKeepalive();
        }
    }

    /// <summary>The receive queue's storage now (it grows with use: autotuning).</summary>
    public int ReceiveBufferCapacity => _recv.Capacity;

    /// <summary>The window last announced to the peer (RCV.WND, RFC 9293 §3.3.1): what it may send beyond RCV.NXT.</summary>
    public int AdvertisedWindow => _rcvAdvRight - _rcvNxt;

    /// <summary>The send queue's storage now (it grows with the congestion window).</summary>
    public int SendBufferCapacity => _send.Capacity;

    /// <summary>
    /// Fixes the receive queue at <paramref name="bytes"/>, as setting SO_RCVBUF does on Linux: it grows
    /// to that size now (the stack's memory bound permitting) and autotuning stops there. It never
    /// shrinks below the storage it already has, nor grows past <see cref="TcpSocketOptions.MaxReceiveBufferSize"/>:
    /// the window scale sent in the SYN (RFC 7323 §2.2) was chosen for that.
    /// </summary>
    public void SetReceiveBufferSize(int bytes)
    {
        int target = Math.Min(bytes, _recv.MaxCapacity);
        GrowWithinBound(_recv, target);
        _recv.LimitGrowth(target);
        AfterRead(); // a grown queue is a window to announce
    }

    /// <summary>
    /// Fixes the send queue at <paramref name="bytes"/> (SO_SNDBUF): it grows to that size now (memory
    /// bound permitting) and no further; never below what it holds, nor past <see cref="TcpSocketOptions.MaxSendBufferSize"/>.
    /// </summary>
    public void SetSendBufferSize(int bytes)
    {
        int target = Math.Min(bytes, _send.MaxCapacity);
        GrowWithinBound(_send, target);
        _send.LimitGrowth(target);
        if (_send.Free > 0)
        {
            _events |= TcpEvents.Writable;
        }
    }
}
