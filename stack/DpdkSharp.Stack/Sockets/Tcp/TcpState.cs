namespace DpdkSharp.Stack.Sockets;

/// <summary>The states of a TCP connection (RFC 9293 §3.3.2).</summary>
public enum TcpState
{
    /// <summary>No connection.</summary>
    Closed,
    /// <summary>Waiting for a connection request (a listener).</summary>
    Listen,
    /// <summary>SYN sent, waiting for the matching SYN (active open).</summary>
    SynSent,
    /// <summary>SYN received and answered, waiting for its acknowledgment.</summary>
    SynReceived,
    /// <summary>Open: data flows both ways.</summary>
    Established,
    /// <summary>Our FIN sent, waiting for its acknowledgment or the peer's FIN.</summary>
    FinWait1,
    /// <summary>Our FIN acknowledged, waiting for the peer's FIN.</summary>
    FinWait2,
    /// <summary>The peer's FIN received, waiting for the application to close.</summary>
    CloseWait,
    /// <summary>Both FINs crossed, waiting for the acknowledgment of ours.</summary>
    Closing,
    /// <summary>The peer closed first; our FIN sent, waiting for its acknowledgment.</summary>
    LastAck,
    /// <summary>Both sides closed; waiting 2×MSL so stray segments die before the 4-tuple is reused.</summary>
    TimeWait,
}
