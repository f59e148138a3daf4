using DpdkSharp.Hosting;

namespace DpdkSharp.AspNetCore;

/// <summary>
/// What <see cref="DpdkWebHostBuilderExtensions.UseDpdk"/> sets up: the host's DPDK stack (every
/// <see cref="DpdkOptions"/> setting: device, addressing, lcores, pools, reactor) and the TCP options of the
/// connections Kestrel accepts on it.
/// </summary>
public sealed class DpdkTransportOptions : DpdkOptions
{
    /// <summary>TCP options of accepted connections; null for the stack's defaults. Nagle is always off, as in Kestrel's socket transport.</summary>
    public TcpSocketOptions? SocketOptions { get; set; }

    /// <summary>The SYN and accept queue length of each listener.</summary>
    public int Backlog { get; set; } = 512;

    /// <summary>Checks the stack's settings (<see cref="DpdkOptions.Validate"/>) and the transport's.</summary>
    /// <exception cref="ArgumentException">What is wrong, naming the setting and its value.</exception>
    public override void Validate()
    {
        base.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(Backlog, 1, nameof(Backlog));
        SocketOptions?.Validate();
    }
}
