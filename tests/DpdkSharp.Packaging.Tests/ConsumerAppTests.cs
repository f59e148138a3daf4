using System.Diagnostics;
using DpdkSharp.Packaging.Tests.Infrastructure;

namespace DpdkSharp.Packaging.Tests;

/// <summary>
/// The packages as a new user meets them: a fresh console app outside the repository (so the repository's
/// Directory.Build.props does not apply) references DpdkSharp.Stack.Dpdk by version from the feed, builds, and runs
/// as root a UDP and a TCP echo on net_tap; the kernel, from a network namespace made here, sends datagrams and a TCP stream with socat and
/// gets everything back. The namespace and the TAP interface are gone at the end.
/// </summary>
[Collection(PackedFeedCollection.Name)]
public sealed class ConsumerAppTests(PackedFeed feed)
{
    private const string KernelIp = "10.79.0.1";
    private const string StackIp = "10.79.0.2";
    private const int EchoPort = 7;
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public void A_fresh_console_app_restores_DpdkSharp_Stack_Dpdk_from_the_feed_builds_and_echoes_the_kernels_UDP_on_net_tap()
    {
        var app = feed.NewFolder("consumer");
        ConsumerProject.Write(app, feed, "DpdkSharp.Stack.Dpdk", "Consumer");

        var build = Tool.Check("dotnet", ["build", "-c", "Release", "-nologo", "-v:n"], BuildTimeout, app, feed.Environment);
        var output = ConsumerProject.Output(app);
        Assert.True(File.Exists(ConsumerProject.Shim(output)), build.All);
        // Restored from the feed into this test's package folder, nothing from the repository's build.
        var package = Path.Combine(feed.NuGetPackages, "dpdksharp.bindings", feed.Version);
        Assert.True(Directory.Exists(package), build.All);
        // DpdkSharpRegenerateBindings is off: nothing generated, the generator (and with it libclang) never ran, and
        // the app has the package's own bindings and shim.
        Assert.DoesNotContain("DpdkSharp: generating", build.Output);
        Assert.False(Directory.Exists(Path.Combine(app, "obj", "dpdksharp")), build.All);
        Assert.Equal(File.ReadAllBytes(Path.Combine(package, "lib", "net10.0", "DpdkSharp.Bindings.dll")),
            File.ReadAllBytes(Path.Combine(output, "DpdkSharp.Bindings.dll")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(package, "runtimes", "linux-x64", "native", "libdpdksharp_shim.so")),
            File.ReadAllBytes(ConsumerProject.Shim(output)));

        var suffix = $"{Environment.ProcessId % 100000}";
        var iface = $"dpkg{suffix}";
        var netns = $"dpdksharp-pkg-{suffix}";
        using var server = new ConsumerProcess(Path.Combine(output, "Consumer.dll"),
            ["--iface", iface, "--address", $"{StackIp}/24", "--port", $"{EchoPort}", "--seconds", "90"], app, feed.Environment);
        string Log() => server.Log;

        var echoed = new List<string>();
        try
        {
            Assert.True(server.WaitReady(TimeSpan.FromSeconds(60)), $"the app did not get ready:\n{Log()}");

            Tool.Check("ip", ["netns", "add", netns], TimeSpan.FromSeconds(10));
            Tool.Check("ip", ["link", "set", iface, "netns", netns], TimeSpan.FromSeconds(10));
            Tool.Check("ip", ["-n", netns, "addr", "add", $"{KernelIp}/24", "dev", iface], TimeSpan.FromSeconds(10));
            Tool.Check("ip", ["-n", netns, "link", "set", iface, "up"], TimeSpan.FromSeconds(10));

            // Small, a full frame's worth, and beyond the MTU (fragmented by the kernel, reassembled by the stack).
            string[] datagrams = ["hello from the kernel", new string('a', 1000), new string('b', 1472), Pattern(3000)];
            foreach (var datagram in datagrams)
            {
                var reply = Tool.Run("ip", ["netns", "exec", netns, "socat", "-t", "1", "-T", "3", "-", $"UDP4:{StackIp}:{EchoPort}"],
                    TimeSpan.FromSeconds(15), input: datagram);
                Assert.True(reply.Output == datagram, $"{datagram.Length} bytes sent, {reply.Output.Length} back:\n{reply.All}\n{Log()}");
                echoed.Add(reply.Output);
            }

            // TCP from the packages too: 200 kB through socat, echoed, closed by both sides.
            var stream = Pattern(200_000);
            var tcp = Tool.Run("ip", ["netns", "exec", netns, "socat", "-t", "10", "-T", "20", "-", $"TCP4:{StackIp}:{EchoPort}"],
                TimeSpan.FromSeconds(60), input: stream);
            Assert.True(tcp.Output == stream, $"TCP: {stream.Length} bytes sent, {tcp.Output.Length} back:\n{tcp.All}\n{Log()}");
        }
        finally
        {
            server.Stop();   // the app stops: sockets, interface, port (the TAP goes), pools
            Tool.Run("ip", ["netns", "del", netns], TimeSpan.FromSeconds(10));
        }

        Assert.True(server.ExitCode == 0, $"exit {server.ExitCode}:\n{Log()}");
        Assert.Equal(4, echoed.Count);
        var log = Log();
        Assert.Contains($"bindings: generated {feed.DpdkVersion}, loaded DPDK {feed.DpdkVersion}", log);
        Assert.Contains("stopped: 4 datagrams echoed, 200000 TCP bytes echoed", log);
        Assert.Contains("pools in use: rx 0, tx 0", log);
        // Another DPDK is refused with a message that says how to get bindings for it.
        var guard = server.Lines.Single(l => l.StartsWith("guard:", StringComparison.Ordinal));
        Assert.Contains($"generated for DPDK {feed.DpdkVersion}", guard);
        Assert.Contains("'DPDK 21.11.0'", guard);
        Assert.Contains("<DpdkSharpRegenerateBindings>true</DpdkSharpRegenerateBindings>", guard);
        Assert.DoesNotContain(netns, Tool.Check("ip", ["netns", "list"], TimeSpan.FromSeconds(10)).Output);
        Assert.DoesNotContain(iface, Tool.Check("ip", ["-o", "link", "show"], TimeSpan.FromSeconds(10)).Output);
    }

    private static string Pattern(int length) =>
        string.Create(length, 0, (span, _) => { for (var i = 0; i < span.Length; i++) { span[i] = (char)('a' + i % 26); } });
}
