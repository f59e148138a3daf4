// The web app the packaging test builds OUTSIDE the repository from the packed feed (its project, on the Web SDK,
// references DpdkSharp.AspNetCore by version; its appsettings.json is written by the test): nothing here comes from the
// repo's build. Kestrel runs on DPDK with the settings of the "Dpdk" section, a minimal API answers HTTP, and a
// hosted service echoes UDP on the same stack, as DpdkSharp.Hosting's documentation shows. It runs until its standard
// input closes (or --seconds pass), stops gracefully and prints whether every mbuf came back.
// "config-check" instead reads a "Dpdk" section with a misspelt key through DpdkSharp.Hosting's AddDpdk and prints
// the error a user would get, without starting DPDK.
// Usage: WebConsumer [--seconds S] | WebConsumer config-check
using System.Net;
using DpdkSharp.AspNetCore;
using DpdkSharp.Hosting;
using DpdkSharp.Stack.Sockets;

if (args is ["config-check"])
{
    var check = Host.CreateApplicationBuilder();
    check.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Dpdk:Device"] = "net_tap0,iface=unused0",
        ["Dpdk:Address"] = "10.79.1.2/24",
        ["Dpdk:RxMdoe"] = "Interrupt",
    });
    try
    {
        check.Services.AddDpdk(check.Configuration.GetSection("Dpdk"));
        Console.WriteLine("config-check: accepted");
    }
    catch (ArgumentException e)
    {
        Console.WriteLine($"config-check: {e.Message}");
    }
    return 0;
}

var seconds = args is ["--seconds", var s] ? int.Parse(s) : 90;
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
builder.WebHost.UseDpdk(o => builder.Configuration.GetSection("Dpdk").Bind(o, binder => binder.ErrorOnUnknownConfiguration = true));
var port = builder.Configuration.GetValue<int>("HttpPort");
builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenAnyIP(port));
builder.Services.AddHostedService<UdpEcho>();

var app = builder.Build();
app.MapGet("/hello", () => "hello from DpdkSharp");
app.MapPost("/echo", async (HttpRequest request) =>
{
    using var body = new MemoryStream();
    await request.Body.CopyToAsync(body);
    return Results.Bytes(body.ToArray(), "application/octet-stream");
});

await app.StartAsync();
var network = app.Services.GetRequiredService<DpdkNetwork>();
Console.WriteLine($"ready: HTTP on {network.Options.Address} port {port}, rx mode {network.Options.RxMode}");

var stdinClosed = Task.Run(() => { while (Console.In.ReadLine() is not null) { } });
var inTime = stdinClosed.Wait(TimeSpan.FromSeconds(seconds));
await app.StopAsync();
Console.WriteLine($"stopped: {UdpEcho.Echoed} datagrams echoed, mbufs in use at stop {network.MbufsInUseAtStop}{(inTime ? "" : " (time limit)")}");
await app.DisposeAsync();
return inTime ? 0 : 3;

/// <summary>DpdkSharp.Hosting's documented hosted service: a UDP echo on the running stack.</summary>
internal sealed class UdpEcho(DpdkNetwork network, IConfiguration configuration) : BackgroundService
{
    private static long _echoed;

    public static long Echoed => Interlocked.Read(ref _echoed);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var udp = new UdpSocket(network.Reactor);
        udp.Bind(new IPEndPoint(IPAddress.Any, configuration.GetValue<int>("UdpPort")));
        var buffer = new byte[2048];
        try
        {
            while (true)
            {
                var received = await udp.ReceiveFromAsync(buffer, stoppingToken);
                await udp.SendToAsync(buffer.AsMemory(0, received.ReceivedBytes), received.RemoteEndPoint, stoppingToken);
                Interlocked.Increment(ref _echoed);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host stops.
        }
    }
}
