using System.Buffers;
using System.Net;
using System.Net.Sockets;
using DpdkSharp.Hosting;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace DpdkSharp.AspNetCore;

/// <summary>
/// Kestrel's transport on the stack: binds the IPv4 endpoints the interface owns (its address, or any
/// address) to <see cref="TcpSocketListener"/>s. Through <see cref="IConnectionListenerFactorySelector"/>
/// it declines what it cannot serve (Unix sockets, loopback, IPv6 addresses), which Kestrel then gives
/// to the transport registered before it (the kernel sockets one).
/// </summary>
internal sealed class DpdkConnectionListenerFactory : IConnectionListenerFactory, IConnectionListenerFactorySelector, IDisposable
{
    private readonly DpdkNetwork _network;
    private readonly DpdkTransportOptions _options;
    private readonly IPAddress _address;
    private readonly ILogger _logger;
    private readonly MemoryPool<byte> _pool;
    private readonly bool _ownsPool;

    public DpdkConnectionListenerFactory(DpdkNetwork network, DpdkTransportOptions options, ILoggerFactory loggerFactory, IServiceProvider services)
    {
        _network = network;
        _options = options;
        _address = IPAddress.Parse(options.Address!.Split('/')[0]); // checked by Validate when UseDpdk ran
        _logger = loggerFactory.CreateLogger("DpdkSharp.AspNetCore.Connections");
        // Kestrel's pinned block pool when Kestrel registered its factory (it does in .NET 10), else the shared array pool.
        if (services.GetService(typeof(IMemoryPoolFactory<byte>)) is IMemoryPoolFactory<byte> factory)
        {
            _pool = factory.Create(new MemoryPoolOptions { Owner = "dpdk" });
            _ownsPool = true;
        }
        else
        {
            _pool = MemoryPool<byte>.Shared;
        }
    }

    public bool CanBind(EndPoint endpoint) =>
        endpoint is IPEndPoint ip && (ip.Address.Equals(IPAddress.Any) || ip.Address.Equals(IPAddress.IPv6Any) || ip.Address.Equals(_address));

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (!CanBind(endpoint))
        {
            throw new NotSupportedException($"The DPDK transport listens on its interface's IPv4 address ({_address}) or on any address, not on {endpoint}.");
        }
        var ip = (IPEndPoint)endpoint;
        if (ip.Port == 0)
        {
            throw new NotSupportedException("The DPDK transport needs an explicit port: the stack's listeners do not pick ephemeral ports.");
        }
        // The stack runs by now: its hosted service starts it before any other starts (Kestrel binds in its own).
        var options = _options.SocketOptions ?? TcpSocketOptions.Default;
        // Kestrel's socket transport turns Nagle off too: responses go out when flushed.
        var listener = new TcpSocketListener(_network.Reactor, ip.Port, options with { NoDelay = true });
        try
        {
            listener.Start(_options.Backlog);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse)
        {
            throw new AddressInUseException(e.Message, e);
        }
        _logger.LogInformation("Listening on {EndPoint} (DPDK)", listener.LocalEndPoint);
        return ValueTask.FromResult<IConnectionListener>(new DpdkConnectionListener(listener, _pool, _options.UnsafePreferInlineScheduling, _logger));
    }

    public void Dispose()
    {
        if (_ownsPool)
        {
            _pool.Dispose();
        }
    }
}
