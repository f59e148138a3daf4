using System.Diagnostics;
using DpdkSharp.AspNetCore.Tests.Infrastructure;

namespace DpdkSharp.AspNetCore.Tests;

/// <summary>One HelloHttp on DPDK (net_tap) shared by the tests of this class; the kernel in a namespace is the client.</summary>
public sealed class DpdkAppFixture : IDisposable
{
    public HelloHttpApp App { get; } = HelloHttpApp.StartOnDpdk();

    public void Dispose() => App.Dispose();
}

/// <summary>One HelloHttp on DPDK with Kestrel and the endpoints run inline on the reactor (--inline: UnsafePreferInlineScheduling).</summary>
public sealed class DpdkInlineAppFixture : IDisposable
{
    public HelloHttpApp App { get; } = HelloHttpApp.StartOnDpdk("--inline");

    public void Dispose() => App.Dispose();
}

/// <summary>Real clients (curl, wrk) from the kernel against Kestrel on the stack's TCP, Kestrel on the thread pool.</summary>
public sealed class HttpOnDpdkTests(DpdkAppFixture fixture) : HttpOnDpdkTestsBase, IClassFixture<DpdkAppFixture>
{
    protected override HelloHttpApp App => fixture.App;
}

/// <summary>
/// The same clients with Kestrel inline on the reactor: the input flush runs Kestrel, whose flushes, back pressure
/// (the 100 MB download, the echo) and completion then happen inside the transport's handler run.
/// </summary>
public sealed class HttpOnDpdkInlineTests(DpdkInlineAppFixture fixture) : HttpOnDpdkTestsBase, IClassFixture<DpdkInlineAppFixture>
{
    protected override HelloHttpApp App => fixture.App;
}

/// <summary>Real clients (curl, wrk) from the kernel against Kestrel on the stack's TCP.</summary>
public abstract class HttpOnDpdkTestsBase
{
    private const string Base = $"http://{HelloHttpApp.AppAddress}";

    /// <summary>The app under test.</summary>
    protected abstract HelloHttpApp App { get; }

    [Fact]
    public void Curl_gets_plain_text_over_HTTP_1_1()
    {
        var r = App.Curl("-w", "|%{http_version}|%{http_code}", $"{Base}:{HelloHttpApp.HttpPort}/");
        Assert.True(r.ExitCode == 0, r.All + App.Log);
        Assert.Equal("Hello from DpdkSharp\n|1.1|200", r.Output);
    }

    [Fact]
    public void Curl_gets_json_over_HTTP_2_with_prior_knowledge()
    {
        var r = App.Curl("--http2-prior-knowledge", "-w", "|%{http_version}", $"{Base}:{HelloHttpApp.H2cPort}/json");
        Assert.True(r.ExitCode == 0, r.All + App.Log);
        Assert.Equal("{\"message\":\"Hello, World!\"}|2", r.Output);
    }

    [Fact]
    public void Curl_gets_json_over_HTTPS_with_HTTP_2_chosen_by_ALPN_and_the_self_signed_certificate()
    {
        var r = App.Curl("-k", "--http2", "-v", "-w", "|%{http_version}", $"https://{HelloHttpApp.AppAddress}:{HelloHttpApp.TlsPort}/json");
        Assert.True(r.ExitCode == 0, r.All + App.Log);
        Assert.Equal("{\"message\":\"Hello, World!\"}|2", r.Output);
        Assert.Contains("ALPN: server accepted h2", r.Error);
        Assert.Contains("CN=DpdkSharp HelloHttp", r.Error);
    }

    [Fact]
    public void A_100_MB_download_arrives_intact_by_sha256()
    {
        const long size = 100L * 1024 * 1024;
        var watch = Stopwatch.StartNew();
        var (sha, exit) = App.DownloadSha256($"{Base}:{HelloHttpApp.HttpPort}/bytes/{size}", TimeSpan.FromSeconds(120));
        Console.WriteLine($"100 MB in {watch.Elapsed.TotalSeconds:F2} s ({size / watch.Elapsed.TotalSeconds / 1e6:F1} MB/s)");
        Assert.True(exit == 0, $"curl exited {exit}\n{App.Log}");
        Assert.Equal(HelloHttpApp.ExpectedBytesSha256(size), sha);
    }

    [Fact]
    public void A_posted_body_is_streamed_back_intact_over_HTTP_1_1_and_HTTP_2()
    {
        var file = Path.GetTempFileName();
        try
        {
            var body = new byte[3 * 1024 * 1024 + 17];
            Random.Shared.NextBytes(body);
            File.WriteAllBytes(file, body);
            var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body));
            // HTTP/2 uploads go through nghttp, not curl: Debian 12's curl 7.88.1 resends a DATA frame when its socket
            // stalls mid-upload (Kestrel then resets the stream: "More data received than specified in the
            // Content-Length header"), which a loaded machine provokes; nghttp sends the body once.
            var clients = new[]
            {
                $"curl -sS -m 50 --http1.1 --data-binary @{file} -H 'Content-Type: application/octet-stream' {Base}:{HelloHttpApp.HttpPort}/echo",
                $"timeout 50 nghttp -d {file} -H 'content-type: application/octet-stream' {Base}:{HelloHttpApp.H2cPort}/echo",
            };
            foreach (var client in clients)
            {
                var r = App.Client(TimeSpan.FromSeconds(60), "bash", "-c", $"set -o pipefail; {client} | sha256sum | cut -d' ' -f1");
                Assert.True(r.ExitCode == 0, client + "\n" + r.All + App.Log);
                Assert.Equal(expected, r.Output.Trim());
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_client_that_disconnects_mid_response_leaves_the_others_served()
    {
        // A download of 10 GB cut off after 2 s: the client closes mid-response, the server's writes then meet a reset.
        using var quitter = App.StartClient("curl", "-sS", "-m", "2", "-o", "/dev/null", $"{Base}:{HelloHttpApp.HttpPort}/bytes/10000000000");
        Thread.Sleep(500);
        for (int i = 0; i < 10; i++)
        {
            var r = App.Curl($"{Base}:{HelloHttpApp.HttpPort}/");
            Assert.True(r.ExitCode == 0 && r.Output == "Hello from DpdkSharp\n", r.All + App.Log);
        }
        Assert.True(quitter.WaitForExit(TimeSpan.FromSeconds(20)), "the cut-off client did not end");
        Assert.Equal(28, quitter.ExitCode); // curl: operation timed out, i.e. it left mid-response
        var after = App.DownloadSha256($"{Base}:{HelloHttpApp.HttpPort}/bytes/1000000", TimeSpan.FromSeconds(30));
        Assert.Equal((HelloHttpApp.ExpectedBytesSha256(1_000_000), 0), after);
    }

    [Fact]
    public void Wrk_with_100_connections_for_3_seconds_sees_no_socket_errors_and_only_2xx_responses()
    {
        var r = App.Client(TimeSpan.FromSeconds(60), "wrk", "-t2", "-c100", "-d3s", "--latency", $"{Base}:{HelloHttpApp.HttpPort}/");
        Console.WriteLine(r.All);
        Assert.True(r.ExitCode == 0, r.All + App.Log);
        Assert.DoesNotContain("Socket errors", r.Output);
        Assert.DoesNotContain("Non-2xx", r.Output);
        var line = r.Output.Split('\n').Single(l => l.StartsWith("Requests/sec:", StringComparison.Ordinal));
        Assert.True(double.Parse(line["Requests/sec:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture) > 100, line);
    }

    [Theory]
    [InlineData("h2c", 20000, 10, 32)]
    [InlineData("h2 over TLS", 5000, 4, 16)]
    public void H2load_with_many_concurrent_streams_gets_every_response_with_no_errors(string mode, int requests, int clients, int streams)
    {
        string url = mode == "h2c" ? $"{Base}:{HelloHttpApp.H2cPort}/" : $"https://{HelloHttpApp.AppAddress}:{HelloHttpApp.TlsPort}/";
        var r = App.Client(TimeSpan.FromSeconds(120), "h2load", "-n", $"{requests}", "-c", $"{clients}", "-m", $"{streams}", url);
        Console.WriteLine(r.All);
        Assert.True(r.ExitCode == 0, r.All + App.Log);
        Assert.Contains($"requests: {requests} total, {requests} started, {requests} done, {requests} succeeded, 0 failed, 0 errored, 0 timeout", r.Output);
        Assert.Contains($"status codes: {requests} 2xx", r.Output);
        Assert.Contains(mode == "h2c" ? "Application protocol: h2c" : "Application protocol: h2", r.Output);
    }
}
