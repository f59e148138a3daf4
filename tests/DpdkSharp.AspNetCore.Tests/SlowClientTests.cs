using System.Text.RegularExpressions;
using DpdkSharp.AspNetCore.Tests.Infrastructure;

namespace DpdkSharp.AspNetCore.Tests;

/// <summary>Kestrel's limits hold on the DPDK transport: a client too slow with its headers is cut off and leaves nothing behind.</summary>
public sealed class SlowClientTests
{
    private const int HeadersTimeoutSeconds = 2;
    private const int Clients = 20;

    // Slowloris: each client sends a request line and then one header byte every 0.3 s, never finishing the headers.
    // It records, per connection, the seconds until the server closed it (EOF or a reset answering a byte sent after
    // the server's close), whether a 408 came first, and gives up after 20 s.
    private static readonly string Script = $$"""
        import select, socket, time
        socks = []
        for i in range({{Clients}}):
            s = socket.create_connection(("{{HelloHttpApp.AppAddress}}", {{HelloHttpApp.HttpPort}}), timeout=10)
            s.sendall(b"GET / HTTP/1.1\r\nHost: slow\r\n")
            socks.append(s)
        start = time.time()
        closed = {}
        got408 = 0
        while len(closed) < len(socks) and time.time() - start < 20:
            for s in socks:
                if s not in closed:
                    try:
                        s.send(b"X")
                    except OSError:
                        closed[s] = time.time() - start
            readable, _, _ = select.select([s for s in socks if s not in closed], [], [], 0.3)
            for s in readable:
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                if b" 408 " in data:
                    got408 += 1
                if not data:
                    closed[s] = time.time() - start
        times = sorted(closed.values())
        print("closed %d of %d, 408s %d, first %.1f s, last %.1f s" % (len(closed), len(socks), got408, times[0] if times else -1, times[-1] if times else -1))
        """;

    [Fact]
    public void Slow_headers_are_cut_off_by_Kestrels_timeout_and_leave_no_connection_behind()
    {
        using var app = HelloHttpApp.StartOnDpdk("--headers-timeout", $"{HeadersTimeoutSeconds}");
        var r = app.Client(TimeSpan.FromSeconds(60), "python3", "-c", Script);
        Console.WriteLine(r.All);
        Assert.True(r.ExitCode == 0, r.All + app.Log);
        var m = Regex.Match(r.Output, @"closed (\d+) of (\d+), 408s (\d+), first ([\d.]+) s, last ([\d.]+) s");
        Assert.True(m.Success, r.All);
        Assert.Equal(Clients, int.Parse(m.Groups[1].Value));
        // Kestrel checks its timeouts once a second: each connection ends between the limit and a few seconds after it, not before.
        double first = double.Parse(m.Groups[4].Value, System.Globalization.CultureInfo.InvariantCulture);
        double last = double.Parse(m.Groups[5].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(first >= HeadersTimeoutSeconds - 0.5, r.Output);
        Assert.True(last <= HeadersTimeoutSeconds + 8, r.Output);
        Assert.True(int.Parse(m.Groups[3].Value) > 0, "no 408 Request Timeout came: " + r.Output);
        // Nothing stays established on the kernel's side, and the server still serves.
        var ss = app.Client(TimeSpan.FromSeconds(10), "ss", "-Htn", "state", "established", $"( dport = :{HelloHttpApp.HttpPort} )");
        Assert.True(ss.ExitCode == 0 && ss.Output.Trim() == "", ss.All);
        var ok = app.Curl($"http://{HelloHttpApp.AppAddress}:{HelloHttpApp.HttpPort}/");
        Assert.True(ok.ExitCode == 0 && ok.Output == "Hello from DpdkSharp\n", ok.All + app.Log);
        Assert.Equal(0, app.Stop(TimeSpan.FromSeconds(30)));
        Assert.Contains("stopped: mbufs not returned 0", app.Log);
    }
}
