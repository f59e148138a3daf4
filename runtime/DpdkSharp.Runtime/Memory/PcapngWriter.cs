using System.Runtime.InteropServices;
using DpdkSharp.Interop;

// rte_pcapng is experimental in 22.11; this file is its one user, and the API it calls is the 22.11 one.
#pragma warning disable DPDKEXP001
using DpdkSharp.Runtime.Native;

namespace DpdkSharp.Runtime;

/// <summary>Which way a captured packet went (the pcapng Enhanced Packet Block's direction flag).</summary>
public enum PcapngDirection
{
    /// <summary>Not said.</summary>
    Unknown = 0,
    /// <summary>Received.</summary>
    Inbound = 1,
    /// <summary>Transmitted.</summary>
    Outbound = 2,
}

/// <summary>
/// A pcapng capture file written by DPDK's own <c>rte_pcapng</c> (what <c>dpdk-dumpcap</c> writes): a section header,
/// an interface description per port that exists when the file is created (its name and MAC; the interface id is the
/// port id), and per packet an Enhanced Packet Block with a nanosecond timestamp, the direction and the queue.
/// Wireshark, tshark and tcpdump read it. <see cref="Write"/> copies the packets (the caller keeps them: capture
/// does not disturb the path it watches); the copies come from the writer's own pool and are written at once.
/// </summary>
/// <remarks>
/// Writes from several threads are serialised by a lock: capture is a debugging aid, not the fast path. Create the
/// writer after the ports (their interface blocks are written at creation). Built on DPDK's rte_pcapng API
/// (experimental in 22.11; its copy function changed in 23.11, which the shim's <c>pcapng_copy</c> covers). The packets of one <see cref="Write"/> share its timestamp.
/// </remarks>
public sealed unsafe partial class PcapngWriter : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Mempool _copies;
    private readonly uint _snapLength;
    private rte_pcapng_t* _pcapng;

    private PcapngWriter(rte_pcapng_t* pcapng, Mempool copies, uint snapLength, string path)
    {
        _pcapng = pcapng;
        _copies = copies;
        _snapLength = snapLength;
        Path = path;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Packets written.</summary>
    public long PacketsWritten { get; private set; }

    /// <summary>Packets not captured because the writer's copy pool was empty (more in flight than it holds).</summary>
    public long PacketsDropped { get; private set; }

    /// <summary>
    /// Creates (or truncates) <paramref name="path"/> and writes the section header and one interface description per
    /// port (<c>rte_pcapng_fdopen</c>).
    /// </summary>
    /// <param name="path">The capture file.</param>
    /// <param name="snapLength">Bytes kept of each packet; longer packets are cut (the block records their real length).</param>
    /// <param name="copies">How many copies may wait to be written at once: the size of the writer's pool.</param>
    /// <param name="comment">The section's comment, or null.</param>
    /// <exception cref="IOException">The file cannot be created.</exception>
    /// <exception cref="DpdkException">rte_pcapng refused (rte_errno), or the copy pool could not be made.</exception>
    public static PcapngWriter Create(string path, int snapLength = 2048, int copies = 1023, string? comment = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(snapLength, 64);
        Eal.EnsureInitialized();
        var dataRoom = (int)Dpdk.RTE_PKTMBUF_HEADROOM + (int)Dpdk.rte_pcapng_mbuf_size((uint)snapLength);
        var pool = Mempool.CreatePacketPool($"pcapng_{Environment.ProcessId}_{Interlocked.Increment(ref _created)}", copies, cacheSize: 0,
            dataRoomSize: dataRoom);
        var fd = -1;
        try
        {
            using (var native = new Utf8String(path))
            {
                fd = Open(native.Pointer, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0x1A4 /* 0644 */);
            }

            if (fd < 0)
            {
                throw new IOException($"Cannot create the capture file {path}: errno {Marshal.GetLastPInvokeError()}.");
            }

            rte_pcapng_t* pcapng;
            using (var os = new Utf8String(RuntimeInformation.OSDescription))
            using (var app = new Utf8String($"DpdkSharp {typeof(PcapngWriter).Assembly.GetName().Version}"))
            using (var text = new Utf8String(comment ?? ""))
            {
                pcapng = Dpdk.rte_pcapng_fdopen(fd, os.Pointer, null, app.Pointer, comment is null ? null : text.Pointer);
            }

            if (pcapng == null)
            {
                throw DpdkException.FromErrno("rte_pcapng_fdopen", path);
            }

            return new PcapngWriter(pcapng, pool, (uint)snapLength, path); // rte_pcapng owns the descriptor now
        }
        catch
        {
            if (fd >= 0)
            {
                Close(fd);
            }

            pool.Dispose();
            throw;
        }
    }

    private static int _created;

    /// <summary>
    /// Captures the packets of <paramref name="burst"/>, seen on <paramref name="port"/>'s queue <paramref name="queue"/>
    /// going <paramref name="direction"/>, timestamped now. The burst and its packets are left as they were. Returns
    /// how many were written.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The writer is closed.</exception>
    /// <exception cref="IOException">Writing the file failed.</exception>
    public int Write(Port port, int queue, ref MbufBurst burst, PcapngDirection direction)
    {
        var held = burst.Pointers;
        if (held.IsEmpty)
        {
            return 0;
        }

        const int Chunk = 64; // copies per write: a bounded stack buffer, whatever the burst's size
        var copies = stackalloc rte_mbuf*[Chunk];
        var timestamp = Dpdk.rte_rdtsc();
        var wallClock = RealTimeNanoseconds();
        var written = 0;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_pcapng == null, this);
            for (var start = 0; start < held.Length; start += Chunk)
            {
                var made = 0;
                var end = Math.Min(held.Length, start + Chunk);
                for (var i = start; i < end; i++)
                {
                    var copy = Dpdk.pcapng_copy(port.Id, (uint)queue, (rte_mbuf*)held[i], _copies.Pointer, _snapLength, timestamp,
                        (uint)direction);
                    if (copy == null)
                    {
                        PacketsDropped++;
                        continue;
                    }

                    // 22.11 turns the TSC into nanoseconds as delta * 1e9 / hz, which overflows 64 bits some seconds
                    // after the library loads (fixed in 23.07): the Enhanced Packet Block's timestamp (at offset 12,
                    // high word first) is set here from CLOCK_REALTIME, read once per call, in nanoseconds.
                    var block = (uint*)((byte*)copy->buf_addr + copy->data_off);
                    block[3] = (uint)(wallClock >> 32);
                    block[4] = (uint)wallClock;
                    copies[made++] = copy;
                }

                if (made == 0)
                {
                    continue;
                }

                // The header says rte_pcapng_write_packets frees the copies; its code does not (dpdk-dumpcap frees them
                // itself after writing): freed here, whatever the write did.
                var rc = Dpdk.rte_pcapng_write_packets(_pcapng, copies, (ushort)made);
                var error = rc < 0 ? DpdkException.FromErrno("rte_pcapng_write_packets") : null;
                Dpdk.rte_pktmbuf_free_bulk(copies, (uint)made);
                if (error is not null)
                {
                    throw new IOException($"Writing {made} packets to {Path} failed: {error.Message}", error);
                }

                PacketsWritten += made;
                written += made;
            }
        }

        return written;
    }

    /// <summary>Flushes and closes the file (<c>rte_pcapng_close</c>) and frees the copy pool.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_pcapng == null)
            {
                return;
            }

            Dpdk.rte_pcapng_close(_pcapng);
            _pcapng = null;
            _copies.Dispose();
        }
    }

    private static ulong RealTimeNanoseconds()
    {
        Timespec now;
        if (ClockGetTime(0 /* CLOCK_REALTIME */, &now) != 0)
        {
            throw new IOException($"clock_gettime failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return (ulong)now.Seconds * 1_000_000_000UL + (ulong)now.Nanoseconds;
    }

    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    private static partial int ClockGetTime(int clock, Timespec* time);

    private const int O_WRONLY = 0x1;
    private const int O_CREAT = 0x40;
    private const int O_TRUNC = 0x200;
    private const int O_CLOEXEC = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true)]
    private static partial int Open(sbyte* path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
