using DpdkSharp.AspNetCore;
using DpdkSharp.Hosting;
using DpdkSharp.Samples.HelloHttp;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// A minimal API app on DPDK's userspace TCP with one line (UseDpdk), or on kernel sockets without
// --iface: the same endpoints, Kestrel's own HTTP/1.1, HTTP/2 and TLS either way. It prints a line
// starting "ready:" once it accepts connections; SIGTERM/SIGINT (or --seconds) stops it gracefully
// (open connections get their FIN) and it exits 0 once the stack is down with every mbuf returned.
// Ports: --port serves HTTP/1.1, --tls-port HTTP/1.1 and HTTP/2 chosen by ALPN, --h2c-port HTTP/2 with
// prior knowledge (h2c): Kestrel speaks cleartext HTTP/2 only on an endpoint configured for HTTP/2 alone.
// --headers-timeout N sets Kestrel's keep-alive and request-headers timeouts (a slow client is cut off after N s).
// --inline runs Kestrel and the endpoints on the transport's I/O thread (the reactor, or the sockets' I/O threads:
// UnsafePreferInlineScheduling of either transport); safe here because no endpoint blocks.
// --vdev DEVARGS runs on any virtual device instead of a TAP (eng/http-bench.sh: net_memif, server role, with --mac;
// net_memif has no RX interrupts in DPDK 22.11, so it needs --rx-mode poll).
// Usage: DpdkSharp.Samples.HelloHttp [--iface dhttp0 | --vdev net_memif0,role=server,...] [--mac 02:..] [--address 10.79.0.2/24] [--port 8080] [--h2c-port 8081] [--tls-port 8443] [--seconds N] [--lcores 0] [--headers-timeout N] [--rx-mode poll|interrupt|adaptive] [--inline]
var options = HelloOptions.Parse(args);
if (options is null)
{
    return 2;
}
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
builder.Logging.SetMinimumLevel(LogLevel.Warning)
    .AddFilter("DpdkSharp", LogLevel.Information)
    .AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
// A stop waits at most 5 s for requests in flight (Kestrel then aborts them), not the default 30 s.
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
if ((options.Vdev ?? (options.Interface is string iface ? $"net_tap0,iface={iface}" : null)) is string device)
{
    builder.WebHost.UseDpdk(o =>
    {
        o.Device = device;
        o.Address = options.Address;
        o.Mac = options.Mac;
        o.Lcores = options.Lcores;
        if (options.RxMode is { } rxMode)
        {
            o.RxMode = rxMode;
        }
        o.UnsafePreferInlineScheduling = options.Inline;
    });
}
else if (options.Inline)
{
    // Kestrel's own switch; DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 in the environment inlines the runtime's completions too.
    builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = true);
}
var certificate = SelfSignedCertificate.Create(options.Address.Split('/')[0]);
builder.WebHost.ConfigureKestrel(kestrel =>
{
    if (options.HeadersTimeout > 0)
    {
        kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(options.HeadersTimeout);
        kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(options.HeadersTimeout);
    }
    kestrel.ListenAnyIP(options.Port, listen => listen.Protocols = HttpProtocols.Http1);
    kestrel.ListenAnyIP(options.H2cPort, listen => listen.Protocols = HttpProtocols.Http2);
    kestrel.ListenAnyIP(options.TlsPort, listen =>
    {
        listen.Protocols = HttpProtocols.Http1AndHttp2;
        listen.UseHttps(certificate);
    });
});

var app = builder.Build();
// Requests served and bytes allocated from "ready" to the stop: eng/bench.sh http reports allocations per request.
long requests = 0;
app.Use((context, next) =>
{
    Interlocked.Increment(ref requests);
    return next(context);
});
Endpoints.Map(app);
await app.StartAsync();
var network = app.Services.GetService<DpdkNetwork>();
var where = network is null ? "kernel sockets" : $"DPDK on {options.Interface ?? options.Vdev} ({network.Options.Address}, MAC {network.Interface.Core.Mac})";
Console.WriteLine($"ready: HTTP/1.1 on port {options.Port}, h2c on port {options.H2cPort}, HTTPS on port {options.TlsPort}, {where}");
long allocatedAtReady = GC.GetTotalAllocatedBytes(precise: true);
if (options.Seconds > 0)
{
    _ = Task.Delay(TimeSpan.FromSeconds(options.Seconds)).ContinueWith(_ => app.Lifetime.StopApplication(), TaskScheduler.Default);
}
// The host stops on SIGTERM/SIGINT (its console lifetime) or --seconds: Kestrel drains, then the stack stops.
await app.WaitForShutdownAsync();
Console.WriteLine($"served: {Interlocked.Read(ref requests)} requests, {GC.GetTotalAllocatedBytes(precise: true) - allocatedAtReady} bytes allocated since ready");
await app.DisposeAsync();
if (network is null)
{
    Console.WriteLine("stopped: kernel sockets");
    return 0;
}
Console.WriteLine($"stopped: mbufs not returned {network.MbufsInUseAtStop}");
return network.MbufsInUseAtStop == 0 ? 0 : 1;
