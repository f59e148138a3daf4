using DpdkSharp.Packaging.Tests.Infrastructure;

namespace DpdkSharp.Packaging.Tests;

/// <summary>
/// DpdkSharp.AspNetCore as a new user meets it: a fresh web app (Web SDK) outside the repository references it by
/// version from the feed, reads its DPDK settings from appsettings.json, and runs as root Kestrel on net_tap with a
/// hosted UDP echo beside it (DpdkSharp.Hosting's documented pattern). From a network namespace made here, curl gets
/// a page and has 256 kB echoed, and socat has a datagram echoed; the app stops gracefully with every mbuf back. The
/// same app shows the error a misspelt setting gets from AddDpdk.
/// </summary>
[Collection(PackedFeedCollection.Name)]
public sealed class WebConsumerAppTests(PackedFeed feed)
{
    private const string KernelIp = "10.79.2.1";
    private const string StackIp = "10.79.2.2";
    private const int HttpPort = 8080;
    private const int UdpPort = 7;
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public void A_fresh_web_app_restores_DpdkSharp_AspNetCore_from_the_feed_takes_appsettings_and_serves_curl_and_UDP_on_net_tap()
    {
        Tool.Require("curl", "the kernel's HTTP client");
        var app = feed.NewFolder("webconsumer");
        ConsumerProject.Write(app, feed, "DpdkSharp.AspNetCore", "WebConsumer", sdk: "Microsoft.NET.Sdk.Web");
        var suffix = $"{Environment.ProcessId % 100000}";
        var iface = $"dweb{suffix}";
        var netns = $"dpdksharp-web-{suffix}";
        File.WriteAllText(Path.Combine(app, "appsettings.json"), $$"""
            {
              "Dpdk": { "Device": "net_tap0,iface={{iface}}", "Address": "{{StackIp}}/24", "RxMode": "Interrupt", "Lcores": "0" },
              "HttpPort": {{HttpPort}},
              "UdpPort": {{UdpPort}},
              "Logging": { "LogLevel": { "Default": "Warning", "DpdkSharp.Hosting": "Information" } }
            }
            """);

        var build = Tool.Check("dotnet", ["build", "-c", "Release", "-nologo", "-v:n"], BuildTimeout, app, feed.Environment);
        var output = ConsumerProject.Output(app);
        Assert.True(File.Exists(ConsumerProject.Shim(output)), build.All);
        Assert.True(File.Exists(Path.Combine(output, "appsettings.json")), build.All);
        Assert.True(Directory.Exists(Path.Combine(feed.NuGetPackages, "dpdksharp.aspnetcore", feed.Version)), build.All);

        var check = Tool.Check("dotnet", [Path.Combine(output, "Consumer.dll"), "config-check"], TimeSpan.FromSeconds(60), app, feed.Environment);
        Assert.Contains("config-check: ", check.Output);
        Assert.Contains("RxMdoe", check.Output);
        Assert.Contains("Dpdk", check.Output);

        using var server = new ConsumerProcess(Path.Combine(output, "Consumer.dll"), ["--seconds", "120"], app, feed.Environment);
        string Log() => server.Log;

        var body = Path.Combine(app, "body.bin");
        var echoedBody = Path.Combine(app, "echoed.bin");
        var bytes = new byte[256 * 1024];
        new Random(11).NextBytes(bytes);
        File.WriteAllBytes(body, bytes);
        try
        {
            Assert.True(server.WaitReady(TimeSpan.FromSeconds(60)), $"the app did not get ready:\n{Log()}");
            Assert.Contains($"ready: HTTP on {StackIp}/24 port {HttpPort}, rx mode Interrupt", Log());

            Tool.Check("ip", ["netns", "add", netns], TimeSpan.FromSeconds(10));
            Tool.Check("ip", ["link", "set", iface, "netns", netns], TimeSpan.FromSeconds(10));
            Tool.Check("ip", ["-n", netns, "addr", "add", $"{KernelIp}/24", "dev", iface], TimeSpan.FromSeconds(10));
            Tool.Check("ip", ["-n", netns, "link", "set", iface, "up"], TimeSpan.FromSeconds(10));

            var hello = Tool.Run("ip", ["netns", "exec", netns, "curl", "-sS", "--max-time", "15", $"http://{StackIp}:{HttpPort}/hello"],
                TimeSpan.FromSeconds(30));
            Assert.True(hello.Output == "hello from DpdkSharp", $"{hello.All}\n{Log()}");

            var echo = Tool.Run("ip", ["netns", "exec", netns, "curl", "-sS", "--max-time", "30", "--data-binary", $"@{body}",
                "-H", "Content-Type: application/octet-stream", "-o", echoedBody, $"http://{StackIp}:{HttpPort}/echo"], TimeSpan.FromSeconds(45));
            Assert.True(echo.ExitCode == 0, $"{echo.All}\n{Log()}");
            Assert.Equal(bytes, File.ReadAllBytes(echoedBody));

            var datagram = "hello over UDP from the kernel";
            var reply = Tool.Run("ip", ["netns", "exec", netns, "socat", "-t", "1", "-T", "3", "-", $"UDP4:{StackIp}:{UdpPort}"],
                TimeSpan.FromSeconds(15), input: datagram);
            Assert.True(reply.Output == datagram, $"{reply.All}\n{Log()}");
        }
        finally
        {
            server.Stop(); // the app stops: Kestrel drains, the stack stops, the TAP goes, the pools are freed
            Tool.Run("ip", ["netns", "del", netns], TimeSpan.FromSeconds(10));
        }

        Assert.True(server.ExitCode == 0, $"exit {server.ExitCode}:\n{Log()}");
        Assert.Contains("stopped: 1 datagrams echoed, mbufs in use at stop 0", Log());
        Assert.DoesNotContain(netns, Tool.Check("ip", ["netns", "list"], TimeSpan.FromSeconds(10)).Output);
        Assert.DoesNotContain(iface, Tool.Check("ip", ["-o", "link", "show"], TimeSpan.FromSeconds(10)).Output);
    }
}
