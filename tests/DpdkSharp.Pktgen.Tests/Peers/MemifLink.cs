using System.Globalization;

namespace DpdkSharp.Pktgen.Peers;

/// <summary>
/// A net_memif link between two processes: its control socket in a fresh temporary directory (a file, not
/// DPDK 22.11's default abstract name, so it goes away with the directory and can be seen listening), and the
/// <c>--vdev</c> argument of each end. The server must be listening before the client starts its port: a 22.11
/// client that finds no server fails <c>rte_eth_dev_start</c> rather than retrying.
/// </summary>
public sealed class MemifLink : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("dpdksharp-memif-");

    /// <summary>A link whose rings hold 2^<paramref name="log2RingSize"/> frames each way.</summary>
    /// <param name="log2RingSize">
    /// memif's <c>rsize</c>: the tests use large rings so that a peer the shared machine preempts for a while
    /// delays frames rather than dropping them.
    /// </param>
    public MemifLink(int log2RingSize = 12)
    {
        Log2RingSize = log2RingSize;
        SocketPath = Path.Combine(_directory.FullName, "memif.sock");
    }

    /// <summary>The control socket's path.</summary>
    public string SocketPath { get; }

    /// <summary>log2 of the ring size.</summary>
    public int Log2RingSize { get; }

    /// <summary>The <c>--vdev</c> value of the server end.</summary>
    public string ServerVdev => Vdev("server");

    /// <summary>The <c>--vdev</c> value of the client end.</summary>
    public string ClientVdev => Vdev("client");

    private string Vdev(string role) => string.Create(CultureInfo.InvariantCulture,
        $"net_memif0,role={role},id=0,socket={SocketPath},socket-abstract=no,rsize={Log2RingSize}");

    /// <summary>
    /// Waits until the server listens on the socket (<c>/proc/net/unix</c> shows the path with the listening flag),
    /// or throws with <paramref name="describeServer"/>'s text when <paramref name="timeout"/> passes or
    /// <paramref name="serverExited"/> says the server is gone.
    /// </summary>
    public void WaitUntilListening(TimeSpan timeout, Func<bool> serverExited, Func<string> describeServer)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!IsListening())
        {
            if (serverExited() || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException(
                    $"The memif server never listened on {SocketPath} ({(serverExited() ? "it exited" : $"{timeout.TotalSeconds} s")}):\n{describeServer()}");
            }

            Thread.Sleep(50);
        }
    }

    // Lines of /proc/net/unix: Num RefCount Protocol Flags Type St Inode Path; __SO_ACCEPTCON (0x10000) marks a listener.
    private bool IsListening() => File.ReadLines("/proc/net/unix").Skip(1)
        .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Any(f => f.Length >= 8 && f[7] == SocketPath && (int.Parse(f[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture) & 0x10000) != 0);

    /// <inheritdoc/>
    public void Dispose() => _directory.Delete(recursive: true);
}
