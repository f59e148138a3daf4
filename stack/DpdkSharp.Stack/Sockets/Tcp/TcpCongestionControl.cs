namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// The built-in congestion controllers, as factories for <see cref="TcpSocketOptions.CongestionControl"/>
/// (<c>CongestionControl = TcpCongestionControl.NewReno</c>). Each call makes a new instance:
/// one per connection.
/// </summary>
public static class TcpCongestionControl
{
    /// <summary>CUBIC (RFC 9438), the default, as in Linux.</summary>
    public static ITcpCongestionControl Cubic() => new CubicCongestionControl();

    /// <summary>Reno's window (RFC 5681 §3.1) for NewReno (RFC 6582) and SACK (RFC 6675) recovery.</summary>
    public static ITcpCongestionControl NewReno() => new NewRenoCongestionControl();
}
