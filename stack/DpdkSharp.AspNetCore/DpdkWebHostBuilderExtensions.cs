using System.Diagnostics.Metrics;
using DpdkSharp.Hosting;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DpdkSharp.AspNetCore;

/// <summary>The one-line setup: <c>builder.WebHost.UseDpdk(o => { o.Device = "net_tap0,iface=dtap0"; o.Address = "10.77.0.2/24"; })</c>.</summary>
public static class DpdkWebHostBuilderExtensions
{
    /// <summary>
    /// Runs Kestrel on DPDK: the host owns the DPDK stack for its lifetime (<c>AddDpdk</c> of DpdkSharp.Hosting: a
    /// <see cref="DpdkNetwork"/> started before Kestrel binds and stopped after it drained its connections), and
    /// Kestrel's IPv4 endpoints on the interface's address or on any address (<c>ListenAnyIP</c>,
    /// <c>Listen(IPAddress.Any, port)</c>) accept the stack's TCP connections; other endpoints (loopback, Unix
    /// sockets) stay on the kernel's. The stack logs through the host's <see cref="ILogger"/> and publishes its
    /// metrics through the host's <see cref="IMeterFactory"/> under the meter <c>DpdkSharp.Net</c>. One such host per
    /// process (see <see cref="DpdkNetwork"/>).
    /// </summary>
    /// <param name="builder">The web host builder (<c>WebApplicationBuilder.WebHost</c>).</param>
    /// <param name="configure">Sets the device, address and the rest (<see cref="DpdkTransportOptions"/>).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The options are not valid (thrown when the builder configures its services: at once for <c>WebApplicationBuilder.WebHost</c>).</exception>
    /// <exception cref="InvalidOperationException">UseDpdk (or AddDpdk) was already called on this host.</exception>
    public static IWebHostBuilder UseDpdk(this IWebHostBuilder builder, Action<DpdkTransportOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        return builder.ConfigureServices(services =>
        {
            if (services.Any(d => d.ServiceType == typeof(DpdkTransportOptions)))
            {
                throw new InvalidOperationException("UseDpdk was already called on this host: one DPDK stack per host (and per process).");
            }
            var options = new DpdkTransportOptions();
            configure(options);
            services.AddDpdk(options);
            services.AddSingleton(options);
            // Registered after Kestrel's socket transport: Kestrel asks the last registered factory first.
            services.AddSingleton<IConnectionListenerFactory, DpdkConnectionListenerFactory>();
        });
    }
}
