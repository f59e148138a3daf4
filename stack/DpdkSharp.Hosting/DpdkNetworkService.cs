using Microsoft.Extensions.Hosting;

namespace DpdkSharp.Hosting;

/// <summary>
/// Ties the <see cref="DpdkNetwork"/> to the host's lifetime: it starts before any hosted service starts (so
/// before a BackgroundService opens sockets, or Kestrel binds) and stops after every one stopped (so after they
/// closed their sockets and connections), whatever the order the services were registered in.
/// </summary>
internal sealed class DpdkNetworkService(DpdkNetwork network) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        network.Start();
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        network.Stop();
        return Task.CompletedTask;
    }
}
