using DpdkSharp.Pktgen.Peers;
using Xunit.Abstractions;

namespace DpdkSharp.Pktgen.Tests;

/// <summary>
/// The tool's sendrecv in another process, across net_memif, against the reflector that misbehaves on purpose in
/// this one: what it injects shows up in the tool's own summary, each fault exactly as often as it was done.
/// </summary>
public sealed class MemifInjectionTests(PktgenFixture fixture, ITestOutputHelper output) : PktgenTest(fixture)
{
    [Fact]
    public void Reordered_duplicated_and_corrupted_frames_are_each_counted_by_sendrecv_in_another_process()
    {
        using var stop = new CancellationTokenSource();
        var reflector = new MisbehavingReflector(Fixture.Memif, Fixture.Pool);
        var thread = new Thread(() => reflector.Run(stop.Token)) { Name = "misbehaving reflector" };
        thread.Start();
        PktgenSummary s;
        try
        {
            // One flow: one sequence, so each injected fault is one event in it.
            using var sendrecv = PktgenProcess.Start("sendrecv", PeerEal.For(PeerTiming.Cpus, Fixture.MemifLink.ClientVdev),
                ["sendrecv", "--rate-pps", "10000", "--duration", "3", "--src-ports", "1024", .. PeerTiming.TolerantSendrecv]);
            s = sendrecv.WaitForSummary(PeerTiming.Startup + TimeSpan.FromSeconds(60));
        }
        finally
        {
            // The generator has gone: the last, incomplete group (fewer than four) cannot go back and is freed.
            stop.Cancel();
            thread.Join();
        }

        output.WriteLine(s.Json);
        output.WriteLine($"reflector: swapped {reflector.Swapped}, duplicated {reflector.Duplicated}, corrupted {reflector.Corrupted}, undelivered {reflector.Undelivered}");
        Assert.True(reflector.Swapped > 100 && reflector.Duplicated > 100 && reflector.Corrupted > 100, "the reflector had too little to do");
        Assert.InRange(reflector.Undelivered, 0, 3);
        Assert.Equal(reflector.Swapped, s.Reordered);
        Assert.Equal(reflector.Duplicated, s.Duplicates);
        Assert.Equal(reflector.Corrupted, s.Bad);
        Assert.Equal(0, s.TooOld);
        // A corrupted frame arrives but does not count as arrived; an undelivered one never arrives.
        Assert.Equal(reflector.Corrupted + reflector.Undelivered, s.Lost);
    }
}
