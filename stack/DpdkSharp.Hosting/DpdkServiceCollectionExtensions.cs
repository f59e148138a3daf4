using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DpdkSharp.Hosting;

/// <summary>
/// <c>services.AddDpdk(builder.Configuration.GetSection("Dpdk"))</c> or <c>services.AddDpdk(o => { ... })</c>:
/// the host owns a DPDK stack for its lifetime (<see cref="DpdkNetwork"/>).
/// </summary>
/// <remarks>
/// The options are read and checked when AddDpdk is called, not when the host starts: DPDK's EAL starts once per
/// process, so there is nothing to reload, and a mistake throws at the line that made it.
/// </remarks>
public static class DpdkServiceCollectionExtensions
{
    /// <summary>
    /// Registers the DPDK stack with options bound from <paramref name="configuration"/> (a section such as
    /// <c>Dpdk</c> with <c>Device</c>, <c>Address</c> and the other <see cref="DpdkOptions"/> names).
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configuration">The section holding the options.</param>
    /// <returns>The services.</returns>
    /// <exception cref="ArgumentException">The section is missing, names an unknown setting, or holds a value that cannot be used; the message names the section and the setting.</exception>
    /// <exception cref="InvalidOperationException">AddDpdk was already called on these services.</exception>
    public static IServiceCollection AddDpdk(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var path = configuration is IConfigurationSection section ? section.Path : "(root)";
        if (configuration is IConfigurationSection { Value: null } empty && !empty.GetChildren().Any())
        {
            throw new ArgumentException($"Configuration section '{path}' for AddDpdk is missing or empty: it needs at least Device and Address.", nameof(configuration));
        }
        var options = new DpdkOptions();
        try
        {
            // A misspelt key would otherwise be ignored and its default used without a word.
            configuration.Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);
            options.Validate();
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            throw new ArgumentException($"Configuration section '{path}' for AddDpdk: {e.Message}", nameof(configuration), e);
        }
        return services.AddDpdk(options);
    }

    /// <summary>Registers the DPDK stack with options set in code.</summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Sets the device, address and the rest (<see cref="DpdkOptions"/>).</param>
    /// <returns>The services.</returns>
    /// <exception cref="ArgumentException">The options are not valid (<see cref="DpdkOptions.Validate"/>).</exception>
    /// <exception cref="InvalidOperationException">AddDpdk was already called on these services.</exception>
    public static IServiceCollection AddDpdk(this IServiceCollection services, Action<DpdkOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new DpdkOptions();
        configure(options);
        return services.AddDpdk(options);
    }

    /// <summary>
    /// Registers the DPDK stack with these options (a subclass can carry a host's own settings, as the ASP.NET Core
    /// transport's do): the <see cref="DpdkNetwork"/>, started before and stopped after every hosted service, logging
    /// through the host's <see cref="ILoggerFactory"/> (DPDK's own log included) and publishing the stack's meters
    /// (<see cref="NetMetrics.MeterName"/>) through the host's <see cref="IMeterFactory"/>.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="options">The options; checked here (<see cref="DpdkOptions.Validate"/>) and registered as they are.</param>
    /// <returns>The services.</returns>
    /// <exception cref="ArgumentException">The options are not valid.</exception>
    /// <exception cref="InvalidOperationException">AddDpdk was already called on these services.</exception>
    public static IServiceCollection AddDpdk(this IServiceCollection services, DpdkOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        if (services.Any(d => d.ServiceType == typeof(DpdkNetwork)))
        {
            throw new InvalidOperationException("AddDpdk was already called on this host: one DPDK stack per host (and per process).");
        }
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton(sp => new DpdkNetwork(options, sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance, sp.GetService<IMeterFactory>()));
        services.AddHostedService<DpdkNetworkService>();
        return services;
    }
}
