using DpdkSharp.Runtime.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace DpdkSharp.Runtime.Tests;

/// <summary>Errors that say what is wrong and what to do, each in a fresh process (they need an EAL of their own).</summary>
public sealed class ErrorTests
{
    [Fact]
    public void An_unknown_EAL_option_is_reported_in_a_line_without_the_EALs_usage_text()
    {
        var result = ChildProcess.RunScenario("bad-argument", "--bogus-option");
        Assert.True(result.ExitCode == 0, result.Output);
        var line = Assert.Single(result.Output.Split('\n'), l => l.StartsWith("DpdkException", StringComparison.Ordinal));
        Assert.Contains("unrecognized option '--bogus-option'", line);
        Assert.Contains("arguments: dpdksharp", line);
        Assert.DoesNotContain("Usage:", result.Output);
        Assert.DoesNotContain("EAL common options", result.Output);
        Assert.True(result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length <= 2, result.Output);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_bad_EAL_option_value_is_reported_with_the_EALs_reason_whether_or_not_its_log_is_routed(bool logged)
    {
        string[] args = logged ? ["--logged", "--iova-mode", "sideways"] : ["--iova-mode", "sideways"];
        var result = ChildProcess.RunScenario("bad-argument", args);
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("Invalid argument (errno 22); EAL: invalid parameters for --iova-mode; ", result.Output);
        Assert.DoesNotContain("Usage:", result.Output);
    }

    [Fact]
    public void Help_among_the_extra_arguments_is_refused_before_the_EAL_exits_the_process()
    {
        var e = Assert.Throws<ArgumentException>(() => EalArguments.Build(new EalOptions { ExtraArguments = ["--help"] }, hugepagesAvailable: false));
        Assert.Contains("exits the process", e.Message);
    }

    [Fact]
    public void A_vdev_with_a_malformed_argument_is_named_as_failed_to_probe_with_DPDKs_words_and_DPDKs_log_reaches_the_ILogger()
    {
        var result = ChildProcess.RunScenario("failed-probe", "net_null0,bogus=1");
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("PROBE FAILURES 1", result.Output);
        Assert.Contains("RING FOUND True", result.Output);
        var line = Assert.Single(result.Output.Split('\n'), l => l.StartsWith("DpdkException", StringComparison.Ordinal));
        Assert.Contains("Virtual device 'net_null0' (--vdev net_null0,bogus=1) failed to probe", line);
        Assert.Contains("arguments ('bogus=1') were refused", line);
        Assert.Contains("DPDK said: ", line);
        Assert.Contains("failed to initialize net_null0 device", line);
        // DPDK's own line, through rte_openlog_stream, as an ILogger entry at DPDK's level (ERR).
        Assert.Contains(result.Output.Split('\n'), l => l.StartsWith($"LOG|DpdkSharp.Dpdk|{LogLevel.Error}|", StringComparison.Ordinal)
            && l.Contains("failed to initialize net_null0 device", StringComparison.Ordinal));
        // And the runtime's own summary of it.
        Assert.Contains(result.Output.Split('\n'), l => l.StartsWith($"LOG|DpdkSharp.Runtime|{LogLevel.Error}|Virtual device 'net_null0'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_TAP_vdev_without_CAP_NET_ADMIN_is_named_as_failed_to_probe_for_want_of_the_capability()
    {
        var iface = $"dtnocap{Environment.ProcessId % 100000}";
        var result = ChildProcess.RunScenarioUnder(["setpriv", "--inh-caps=-net_admin", "--bounding-set=-net_admin"],
            "failed-probe", $"net_tap0,iface={iface}");
        Assert.True(result.ExitCode == 0, result.Output);
        var line = Assert.Single(result.Output.Split('\n'), l => l.StartsWith("DpdkException", StringComparison.Ordinal));
        Assert.Contains("Virtual device 'net_tap0'", line);
        Assert.Contains("CAP_NET_ADMIN", line);
        Assert.Contains("run as root, or give the program the capability", line);
        Assert.Contains("Unable to create TAP interface", line); // DPDK's words
    }

    [Fact]
    public void A_pool_whose_mbufs_a_port_still_holds_does_not_replace_the_users_exception_when_using_blocks_unwind()
    {
        var result = ChildProcess.RunScenario("teardown-under-exception");
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("IN USE WHILE STARTED 8", result.Output); // the ring held mbufs when the error came
        Assert.Contains("CAUGHT TimeoutException the user's own error", result.Output);
        Assert.Contains("PORT VALID AFTER False", result.Output); // Port.Dispose stopped and closed it
        Assert.Contains("POOL FREED False 8", result.Output); // kept, so those mbufs stay valid
        Assert.Contains("InvalidOperationException port 1 (net_null0) is not configured", result.Output);
    }

    [Fact]
    public void DPDKs_levels_map_onto_LogLevel_and_net_taps_known_noise_is_recognised()
    {
        Assert.Equal(LogLevel.Critical, DpdkLog.MapLevel((uint)DpdkLogLevel.Emergency));
        Assert.Equal(LogLevel.Critical, DpdkLog.MapLevel((uint)DpdkLogLevel.Critical));
        Assert.Equal(LogLevel.Error, DpdkLog.MapLevel((uint)DpdkLogLevel.Error));
        Assert.Equal(LogLevel.Warning, DpdkLog.MapLevel((uint)DpdkLogLevel.Warning));
        Assert.Equal(LogLevel.Information, DpdkLog.MapLevel((uint)DpdkLogLevel.Notice));
        Assert.Equal(LogLevel.Information, DpdkLog.MapLevel((uint)DpdkLogLevel.Info));
        Assert.Equal(LogLevel.Debug, DpdkLog.MapLevel((uint)DpdkLogLevel.Debug));
        Assert.True(DpdkLog.IsKnownNoise("qdisc_create_multiq(): Could not add multiq qdisc (2): No such file or directory"));
        Assert.True(DpdkLog.IsKnownNoise("eth_dev_tap_create():  Disabling rte flow support: No such file or directory(2)"));
        Assert.False(DpdkLog.IsKnownNoise("vdev_probe(): failed to initialize net_tap0 device"));
    }
}

/// <summary>Queue claims, on the shared EAL's ports.</summary>
public sealed class QueueClaimTests(DpdkFixture fixture) : DpdkTest(fixture)
{
    [Fact]
    public void A_second_claim_on_a_claimed_queue_is_refused_naming_the_holder_and_allowed_once_it_is_released()
    {
        var ring = Fixture.Ring0Port;
        var first = ring.ClaimQueue(0, "reactor-a");
        var e = Assert.Throws<InvalidOperationException>(() => ring.ClaimQueue(0, "reactor-b"));
        Assert.Contains("already polled by 'reactor-a'", e.Message);
        Assert.Contains("'reactor-b'", e.Message);
        using (Fixture.Ring1Port.ClaimQueue(0, "another port")) // other ports' queues are their own
        {
        }
        first.Dispose();
        first.Dispose(); // idempotent
        using var again = ring.ClaimQueue(0, "reactor-b");
        Assert.Equal("reactor-b", again.Owner);
        first.Dispose(); // a stale claim does not release the new holder's
        Assert.Throws<InvalidOperationException>(() => ring.ClaimQueue(0, "reactor-c"));
    }
}
