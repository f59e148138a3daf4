using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace DpdkSharp.Pktgen;

/// <summary>
/// <c>--prometheus http://127.0.0.1:9464/</c>: the meter <see cref="PktgenMetrics.MeterName"/> served for Prometheus
/// to scrape at <c>/metrics</c> on that host and port (OpenTelemetry's Prometheus exporter on an HttpListener). A scrape
/// reads the observable instruments, which read the last merged report: it costs the workers nothing.
/// </summary>
internal static class PrometheusEndpoint
{
    /// <summary>
    /// Checks the URL before the run starts: absolute http with a host and port. Its path, when not just '/', is
    /// where the scrape is served instead of /metrics.
    /// </summary>
    public static Uri CheckUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || uri.IsDefaultPort)
        {
            throw new ArgumentException($"--prometheus takes an http URL with a port, e.g. http://127.0.0.1:9464/ (got '{url}').");
        }

        return uri;
    }

    /// <summary>Starts serving; disposing the provider stops the listener.</summary>
    public static MeterProvider Start(Uri url) =>
        Sdk.CreateMeterProviderBuilder()
            .AddMeter(PktgenMetrics.MeterName)
            .AddPrometheusHttpListener(options =>
            {
                options.Host = url.Host;
                options.Port = url.Port;
                if (url.AbsolutePath != "/")
                {
                    options.ScrapeEndpointPath = url.AbsolutePath;
                }
            })
            .Build();
}
