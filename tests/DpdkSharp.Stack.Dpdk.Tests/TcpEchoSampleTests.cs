using DpdkSharp.Stack.Dpdk.Tests.Infrastructure;

namespace DpdkSharp.Stack.Dpdk.Tests;

/// <summary>
/// samples/TcpEcho on net_tap with the kernel in a namespace as its client: SIGTERM while a connection is still
/// open stops it gracefully, which the kernel sees as a FIN (no RST), and the sample exits 0 with every mbuf back.
/// </summary>
public sealed class TcpEchoSampleTests
{
    // The kernel's client: echoes 200,000 bytes, says so, then waits for the server's end of the connection
    // without closing its own, and names what came: FIN (an orderly end), RST, or nothing within 20 s.
    private const string Client = """
        import socket
        s = socket.create_connection(("10.82.0.2", 7), timeout=20)
        data = bytes(i % 251 for i in range(200000))
        s.sendall(data)
        got = bytearray()
        while len(got) < len(data):
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
        print("echoed", len(got), bytes(got) == data, flush=True)
        try:
            print("FIN" if s.recv(1) == b"" else "DATA", flush=True)
        except ConnectionResetError:
            print("RST", flush=True)
        except socket.timeout:
            print("TIMEOUT", flush=True)
        """;

    [Fact]
    public async Task SIGTERM_with_a_connection_open_ends_it_with_a_FIN_and_exits_0_with_every_mbuf_back()
    {
        Shell.RequireRoot();
        string iface = $"dtcpe{Environment.ProcessId}", netns = $"dpdksharp-tcpecho-{Environment.ProcessId}";
        using var sample = SampleProcess.Start(SampleProcess.Dll("TcpEcho", "DpdkSharp.Samples.TcpEcho.dll"),
            "--iface", iface, "--address", "10.82.0.2/24", "--port", "7", "--seconds", "90");
        try
        {
            Shell.Check("ip", "netns", "add", netns);
            Shell.Check("ip", "link", "set", iface, "netns", netns);
            Shell.Check("ip", "-n", netns, "addr", "add", "10.82.0.1/24", "dev", iface);
            Shell.Check("ip", "-n", netns, "link", "set", iface, "up");
            using var client = Shell.Start("ip", ["netns", "exec", netns, "python3", "-c", Client]);
            var echoed = await ReadLineAsync(client, TimeSpan.FromSeconds(30));
            Assert.True(echoed == "echoed 200000 True", $"the client's echo: {echoed}\n{sample.Log}");

            Assert.True(sample.Stop() == 0, sample.Log);
            var end = await ReadLineAsync(client, TimeSpan.FromSeconds(25));
            Assert.True(end == "FIN", $"the kernel saw {end ?? "nothing"}, not a FIN\n{sample.Log}");
            await client.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        }
        finally
        {
            Shell.Run("ip", "netns", "del", netns);
        }
        Assert.Contains("stopped: 1 connections, 200000 bytes echoed, 1 ended early", sample.Log);
        Assert.Contains("resets sent 0", sample.Log);
        Assert.Contains("stack stopped: mbufs not returned 0", sample.Log);
    }

    /// <summary>The client's next line, or null when none came within <paramref name="timeout"/>.</summary>
    private static async Task<string?> ReadLineAsync(System.Diagnostics.Process client, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            return await client.StandardOutput.ReadLineAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
