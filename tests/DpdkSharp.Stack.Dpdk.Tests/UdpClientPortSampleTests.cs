using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using DpdkSharp.Stack.Dpdk.Tests.Infrastructure;

namespace DpdkSharp.Stack.Dpdk.Tests;

/// <summary>
/// samples/UdpClientPort: a UdpClient program and its port to DPDK differ only in their construction lines, and both
/// run: on kernel sockets over loopback, and on net_tap with the kernel in a namespace as the client.
/// </summary>
public sealed class UdpClientPortSampleTests
{
    private const string Marker = "// port:";

    [Fact]
    public void The_DPDK_port_differs_from_the_UdpClient_program_only_in_lines_marked_as_the_port()
    {
        var kernel = Body(File.ReadAllLines(SamplePath("KernelEcho.cs")));
        var dpdk = Body(File.ReadAllLines(SamplePath("DpdkEcho.cs")));
        Assert.True(kernel.Count > 10, "KernelEcho.RunAsync not found");
        Assert.Equal(kernel, dpdk);
        Assert.Contains("new UdpClient(options.Port)", File.ReadAllText(SamplePath("KernelEcho.cs")));
        Assert.Contains("new ReactorUdpClient(stack.Reactor, options.Port)", File.ReadAllText(SamplePath("DpdkEcho.cs")));
    }

    [Fact]
    public void The_UdpClient_program_echoes_on_kernel_sockets()
    {
        const int port = 17777;
        using var sample = SampleProcess.Start(SampleDll, "--kernel", "--port", port.ToString(), "--seconds", "60");
        using var client = new UdpClient();
        client.Client.ReceiveTimeout = 5000;
        var message = Encoding.ASCII.GetBytes("hello, kernel");
        client.Send(message, new IPEndPoint(IPAddress.Loopback, port));
        IPEndPoint? from = null;
        Assert.Equal(message, client.Receive(ref from));
        Assert.Equal(0, sample.Stop());
        Assert.Contains("stopped: 1 datagrams, 13 bytes echoed", sample.Log);
    }

    [Fact]
    public void Its_DPDK_port_echoes_the_kernels_UDP_on_net_tap_and_stops_with_every_mbuf_back()
    {
        Shell.RequireRoot();
        string iface = $"dport{Environment.ProcessId}", netns = $"dpdksharp-port-{Environment.ProcessId}";
        using var sample = SampleProcess.Start(SampleDll, "--iface", iface, "--address", "10.81.0.2/24", "--port", "7", "--seconds", "60");
        try
        {
            Shell.Check("ip", "netns", "add", netns);
            Shell.Check("ip", "link", "set", iface, "netns", netns);
            Shell.Check("ip", "-n", netns, "addr", "add", "10.81.0.1/24", "dev", iface);
            Shell.Check("ip", "-n", netns, "link", "set", iface, "up");
            var echo = Shell.Run("bash", ["-c", $"printf 'hello, DPDK' | ip netns exec {netns} socat -t 2 -T 5 - UDP4:10.81.0.2:7"], TimeSpan.FromSeconds(20));
            Assert.True(echo.ExitCode == 0, echo.All + sample.Log);
            Assert.Equal("hello, DPDK", echo.Output);
            Assert.True(sample.Stop() == 0, sample.Log);
        }
        finally
        {
            Shell.Run("ip", "netns", "del", netns);
        }
        Assert.Contains("stopped: 1 datagrams, 11 bytes echoed", sample.Log);
        Assert.Contains("stack stopped: mbufs not returned 0", sample.Log);
    }

    /// <summary>RunAsync's body without the lines marked as the port's.</summary>
    private static List<string> Body(string[] lines) =>
        lines.SkipWhile(l => !l.Contains("public static async Task RunAsync(", StringComparison.Ordinal)).Skip(1)
            .Where(l => !l.Contains(Marker, StringComparison.Ordinal))
            .ToList();

    private static string SampleDll => SampleProcess.Dll("UdpClientPort", "DpdkSharp.Samples.UdpClientPort.dll");

    private static string SamplePath(string file, [CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "samples", "UdpClientPort", file));
}
