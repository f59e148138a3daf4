using DpdkSharp.AspNetCore.Tests.Infrastructure;

namespace DpdkSharp.AspNetCore.Tests;

/// <summary>The sample's own lifetime: SIGTERM with a response in flight, and the same app on kernel sockets.</summary>
public sealed class LifetimeTests
{
    [Fact]
    public void Sigterm_with_a_download_in_flight_stops_the_app_with_exit_code_0_and_every_mbuf_back()
    {
        using var app = HelloHttpApp.StartOnDpdk();
        var r = app.Curl($"http://{HelloHttpApp.AppAddress}:{HelloHttpApp.HttpPort}/");
        Assert.True(r.ExitCode == 0, r.All + app.Log);
        // 100 MB at 1 MB/s: still downloading when the app is told to stop.
        using var slow = app.StartClient("curl", "-sS", "-m", "60", "--limit-rate", "1M", "-o", "/dev/null", $"http://{HelloHttpApp.AppAddress}:{HelloHttpApp.HttpPort}/bytes/100000000");
        Thread.Sleep(1000);
        Assert.False(slow.HasExited, "the slow download ended early");
        int exit = app.Stop(TimeSpan.FromSeconds(45));
        Assert.True(exit == 0, $"exit code {exit}\n{app.Log}");
        Assert.Contains("stopped: mbufs not returned 0", app.Log);
        Assert.True(slow.WaitForExit(TimeSpan.FromSeconds(30)), "the slow client was left hanging");
        Assert.NotEqual(0, slow.ExitCode); // cut off by the server's shutdown, not finished
    }

    [Fact]
    public void Without_iface_the_same_app_serves_on_kernel_sockets()
    {
        using var app = HelloHttpApp.StartOnKernel(18080, 18081, 18443);
        Assert.Contains("kernel sockets", app.Log);
        var plain = app.Curl("-w", "|%{http_version}", "http://127.0.0.1:18080/");
        Assert.Equal("Hello from DpdkSharp\n|1.1", plain.Output);
        var h2 = app.Curl("-k", "--http2", "-w", "|%{http_version}", "https://127.0.0.1:18443/json");
        Assert.Equal("{\"message\":\"Hello, World!\"}|2", h2.Output);
        Assert.Equal(0, app.Stop(TimeSpan.FromSeconds(30)));
    }
}
