using DpdkSharp.Runtime;

namespace DpdkSharp.Pktgen.Tests;

/// <summary>
/// A reflector that breaks the stream in known ways. It sends frames back in groups of four (whatever the timing of
/// the bursts) and does one thing to each group, in turn: swaps the first two (one reordered frame), sends the last
/// one twice (one duplicate), or flips a fill byte of the last one (one bad payload). So each shows up exactly once
/// per group in the generator's counters. What is left at the end (fewer than four) goes back untouched, if the
/// link still takes it: a generator in another process may have gone (<see cref="Undelivered"/>).
/// </summary>
internal sealed class MisbehavingReflector(Port port, Mempool pool)
{
    private const int Group = 4;

    public long Swapped { get; private set; }

    public long Duplicated { get; private set; }

    public long Corrupted { get; private set; }

    /// <summary>Frames the link did not take within a few seconds (its peer gone), freed.</summary>
    public long Undelivered { get; private set; }

    public void Run(CancellationToken stop)
    {
        using var registration = Lcore.RegisterCurrentThread();
        var rx = port.GetRxQueue(0);
        var tx = port.GetTxQueue(0);
        Span<nint> slots = stackalloc nint[Group + 1]; // a group and its duplicate
        var burst = new MbufBurst(slots[..Group]);
        long groups = 0;
        while (!stop.IsCancellationRequested)
        {
            rx.Receive(ref burst); // tops the group up: the burst has room for what is missing only
            if (burst.Count < Group)
            {
                continue;
            }

            foreach (var m in burst)
            {
                PacketFormat.Reflect(m.Data);
            }

            var send = new MbufBurst(slots);
            for (var i = 0; i < Group; i++)
            {
                send.TryAdd(burst[i]); // ownership moves to send: burst is reset below without freeing
            }

            switch (groups++ % 3)
            {
                case 0:
                    (slots[0], slots[1]) = (slots[1], slots[0]);
                    Swapped++;
                    break;
                case 1:
                    var copy = pool.Alloc();
                    copy.SetLength(send[Group - 1].DataLength);
                    send[Group - 1].Data.CopyTo(copy.Data);
                    send.TryAdd(copy);
                    Duplicated++;
                    break;
                default:
                    send[Group - 1].Data[^1] ^= 0xFF;
                    Corrupted++;
                    break;
            }

            TransmitAll(tx, ref send);
            burst = new MbufBurst(slots[..Group]);
        }

        foreach (var m in burst)
        {
            PacketFormat.Reflect(m.Data);
        }

        TransmitAll(tx, ref burst);
    }

    // Everything must arrive: retry what the ring refuses (it holds over a second at the test's rate), but not for
    // ever: a link whose peer has gone takes nothing.
    private void TransmitAll(TxQueue tx, ref MbufBurst burst)
    {
        var deadline = Environment.TickCount64 + 2000;
        while (!burst.IsEmpty && Environment.TickCount64 < deadline)
        {
            tx.Transmit(ref burst);
        }

        Undelivered += burst.Count;
        burst.FreeAll();
    }
}
