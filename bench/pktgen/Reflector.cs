using DpdkSharp.Pktgen.Peers;

namespace DpdkSharp.Bench.Pktgen;

/// <summary>
/// Our reflect as the memif server of the sendrecv search, kept across its trials: each trial's sendrecv connects,
/// runs and leaves (the runtime keeps the reflector's bursts and its peer's disconnect apart), which saves a process
/// start per trial. One that died anyway is replaced by the next trial.
/// </summary>
internal sealed class Reflector : IDisposable
{
    private readonly MemifLink _link;
    private readonly PktgenProcess _process;

    private Reflector(MemifLink link, PktgenProcess process)
    {
        _link = link;
        _process = process;
    }

    /// <summary>The client end's <c>--vdev</c>.</summary>
    public string ClientVdev => _link.ClientVdev;

    /// <summary>Whether it still runs.</summary>
    public bool Alive => !_process.Process.HasExited;

    /// <summary>Starts one on <paramref name="cpu"/> and waits until it listens.</summary>
    public static Reflector Start(string cpu, TimeSpan startup)
    {
        var link = new MemifLink(log2RingSize: 14);
        var process = PktgenProcess.Start("reflect", PeerEal.For(cpu, link.ServerVdev), ["reflect", "--duration", "0"]);
        try
        {
            link.WaitUntilListening(startup, () => process.Process.HasExited, process.Process.Describe);
            return new Reflector(link, process);
        }
        catch
        {
            process.Dispose();
            link.Dispose();
            throw;
        }
    }

    /// <summary>Stops it and returns its summary (which fails when it left mbufs out of its pool).</summary>
    public PktgenSummary Finish()
    {
        _process.Process.Interrupt();
        return _process.WaitForSummary(TimeSpan.FromSeconds(60));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _process.Dispose();
        _link.Dispose();
    }
}
