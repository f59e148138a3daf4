using System.Globalization;
using DpdkSharp.AspNetCore.Tests.Infrastructure;
using DpdkSharp.Stack.Dpdk.Tests.Infrastructure;

namespace DpdkSharp.AspNetCore.Tests;

/// <summary>
/// HelloHttp on a net_memif port (--vdev, server role), the HTTP benchmark's path: the load generator (bench/http)
/// in a process of its own reaches it through its own stack on the link's client end.
/// </summary>
public sealed class MemifTests
{
    [Fact]
    public void HelloHttp_on_memif_answers_the_load_generator_over_its_stack()
    {
        var directory = Directory.CreateTempSubdirectory("dpdksharp-memif-http-");
        try
        {
            var link = $"id=0,socket={Path.Combine(directory.FullName, "memif.sock")},socket-abstract=no";
            // net_memif has no RX interrupts in DPDK 22.11: the app polls. Its lcore and the generator's apart when there are two CPUs.
            using var app = HelloHttpApp.StartOnVdev($"net_memif0,role=server,{link}", "10.84.0.2/24", "02:00:00:00:54:02", "--rx-mode", "poll");
            string clientLcore = Environment.ProcessorCount > 1 ? "1" : "0";
            // 4 connections, 1 s not pipelined, 1 s pipelined (16 per batch), then quit (the generator's stack stops; exit 1 if an mbuf is missing).
            var run = Shell.Run("bash", ["-c",
                $"printf 'run 1 1\\nrun 16 1\\nquit\\n' | dotnet '{HelloHttpApp.LoadGeneratorDll()}' stack 10.84.0.2:{HelloHttpApp.HttpPort} 4 " +
                $"'net_memif0,role=client,{link}' 10.84.0.1/24 02:00:00:00:54:01 {clientLcore}"], TimeSpan.FromSeconds(60));
            Assert.True(run.ExitCode == 0, run.All + app.Log);
            var results = run.Output.Split('\n').Where(l => l.StartsWith("result ", StringComparison.Ordinal)).ToArray();
            Assert.True(results.Length == 2, run.All);
            foreach (var result in results)
            {
                // result <rps> <p50> <p99> <2xx> <other> <failed connections>
                var f = result.Split(' ').Skip(1).Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToArray();
                Assert.True(f[3] > 0 && f[4] == 0 && f[5] == 0, run.All + app.Log);
            }
            Assert.Contains("mbufs not returned 0", run.All, StringComparison.Ordinal);
            Assert.True(app.Stop(TimeSpan.FromSeconds(30)) == 0, app.Log);
            Assert.Contains("stopped: mbufs not returned 0", app.Log, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
