using System.Diagnostics.Metrics;
using System.Net;
using DpdkSharp.Stack.Dpdk.Tests.Infrastructure;
using DpdkSharp.Tests.Shared;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DpdkSharp.Hosting.Tests;

/// <summary>
/// A generic host with AddDpdk from configuration, on net_tap with the kernel in a namespace as the peer: the one
/// DPDK host this test process may run (the EAL starts once per process).
/// </summary>
public sealed class HostedStackTests
{
    private const string StackIp = "10.80.0.2", KernelIp = "10.80.0.1";

    [Fact]
    public async Task A_generic_host_configured_from_configuration_echoes_the_kernels_UDP_closes_TCP_with_a_FIN_and_gets_every_mbuf_back()
    {
        Shell.RequireRoot();
        string iface = $"dhost{Environment.ProcessId}", netns = $"dpdksharp-host-{Environment.ProcessId}";
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Dpdk:Device"] = $"net_tap0,iface={iface}",
            ["Dpdk:Address"] = $"{StackIp}/24",
            ["Dpdk:MbufCount"] = "2047",
            ["Dpdk:TcpShutdownTimeout"] = "00:00:05",
        });
        var logs = new CapturingLoggerFactory();
        builder.Services.AddSingleton<ILoggerFactory>(logs);
        builder.Services.AddDpdk(builder.Configuration.GetSection("Dpdk"));
        builder.Services.AddHostedService<UdpEchoService>();
        builder.Services.AddHostedService<TcpHoldService>();
        using var host = builder.Build();
        var network = host.Services.GetRequiredService<DpdkNetwork>();
        var meterFactory = host.Services.GetRequiredService<IMeterFactory>();
        var published = new HashSet<string>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, _) =>
        {
            if (instrument.Meter.Name == NetMetrics.MeterName && instrument.Meter.Scope == meterFactory)
            {
                lock (published)
                {
                    published.Add(instrument.Name);
                }
            }
        };
        meters.Start();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await host.StartAsync(timeout.Token);
        System.Diagnostics.Process? tcpClient = null;
        try
        {
            Assert.True(network.IsRunning);
            Shell.Check("ip", "netns", "add", netns);
            Shell.Check("ip", "link", "set", iface, "netns", netns);
            Shell.Check("ip", "-n", netns, "addr", "add", $"{KernelIp}/24", "dev", iface);
            Shell.Check("ip", "-n", netns, "link", "set", iface, "up");

            var echo = Shell.Run("bash", ["-c", $"printf 'hello, host' | ip netns exec {netns} socat -t 2 -T 5 - UDP4:{StackIp}:7"], TimeSpan.FromSeconds(20));
            Assert.True(echo.ExitCode == 0, echo.All);
            Assert.Equal("hello, host", echo.Output);

            // A connection the service keeps open: the host's stop must close it with a FIN (socat -u then sees EOF and exits 0).
            tcpClient = Shell.Start("ip", ["netns", "exec", netns, "socat", "-u", "-T", "60", $"TCP4:{StackIp}:7", "STDOUT"]);
            Assert.True(SpinWait.SpinUntil(() => TcpHoldService.Accepted > 0, TimeSpan.FromSeconds(20)), "the TCP connection was not accepted");
            Assert.False(tcpClient.HasExited);
        }
        finally
        {
            await host.StopAsync(timeout.Token);
            tcpClient?.WaitForExit(TimeSpan.FromSeconds(20));
            Shell.Run("ip", "netns", "del", netns);
        }
        Assert.True(tcpClient!.HasExited, "the kernel's TCP client got no FIN");
        Assert.Equal(0, tcpClient.ExitCode);
        Assert.Equal(0L, network.Interface.Core.TcpCounters.ResetsSent);
        Assert.False(network.IsRunning);
        Assert.Equal(0, network.MbufsInUseAtStop);
        Assert.DoesNotContain(iface, Shell.Check("ip", "-o", "link", "show")); // the port closed: the kernel removed the TAP

        Assert.Contains("dpdksharp.net.rx.packets", published);          // the interface's meter, made by the host's factory
        Assert.Contains("dpdksharp.net.port.rx.missed", published);      // the port's
        var lines = logs.Entries.ToArray();
        Assert.Contains(lines, l => l.Category == DpdkNetwork.LogCategory && l.Message.StartsWith("DPDK stack started", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Category == DpdkNetwork.LogCategory && l.Message.Contains("mbufs not returned 0"));
        Assert.Contains(lines, l => l.Category == DpdkInterface.LogCategory); // the interface logs through the host too
    }

    /// <summary>A UDP echo on port 7, opened once the host runs: the shape a user's service has.</summary>
    private sealed class UdpEchoService(DpdkNetwork network) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            using var udp = new UdpSocket(network.Reactor);
            udp.Bind(new IPEndPoint(IPAddress.Any, 7));
            var buffer = new byte[2048];
            try
            {
                while (true)
                {
                    var r = await udp.ReceiveFromAsync(buffer, stoppingToken);
                    await udp.SendToAsync(buffer.AsMemory(0, r.ReceivedBytes), r.RemoteEndPoint, stoppingToken);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>Accepts TCP connections on port 7 and leaves them open: closing them is the stack's stop's job.</summary>
    private sealed class TcpHoldService(DpdkNetwork network) : BackgroundService
    {
        private static int s_accepted;

        public static int Accepted => Volatile.Read(ref s_accepted);

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            var listener = new TcpSocketListener(network.Reactor, 7);
            listener.Start();
            var held = new List<TcpConnection>();
            try
            {
                while (true)
                {
                    held.Add(await listener.AcceptTcpClientAsync(stoppingToken));
                    Interlocked.Increment(ref s_accepted);
                }
            }
            catch (OperationCanceledException)
            {
            }
            listener.Stop();
        }
    }
}
