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

    /// <summary>
    /// Runs Kestrel and the application on the reactor thread: a request is parsed and answered in the reactor
    /// iteration that received it, with no hop to the thread pool and back (Kestrel's socket transport has the same
    /// switch, <c>SocketTransportOptions.UnsafePreferInlineScheduling</c>). Off by default.
    /// </summary>
    /// <remarks>
    /// Unsafe because application code then runs where packets are received: a request handler that blocks
    /// (synchronous I/O, <c>Task.Wait</c>, a contended lock, a long computation, TLS handshakes under load) stalls every
    /// connection of the reactor, and their timers, until it returns. Turn it on only for applications whose handlers
    /// only compute briefly and await; measure. Off, Kestrel's reads complete on the thread pool and the reactor
    /// never runs application code.
    /// </remarks>
    public bool UnsafePreferInlineScheduling { get; set; }

    /// <summary>Checks the stack's settings (<see cref="DpdkOptions.Validate"/>) and the transport's.</summary>
    /// <exception cref="ArgumentException">What is wrong, naming the setting and its value.</exception>
    public override void Validate()
    {
        base.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(Backlog, 1, nameof(Backlog));
        SocketOptions?.Validate();
    }
}
