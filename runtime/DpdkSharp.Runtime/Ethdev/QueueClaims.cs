namespace DpdkSharp.Runtime;

public readonly partial struct Port
{
    /// <summary>
    /// Claims queue pair <paramref name="queue"/> of this port for <paramref name="owner"/> (a reactor, a polling
    /// loop), so that nothing else in the process polls it: DPDK's queues are not thread-safe, and two loops on one
    /// queue each get some of its packets, silently. The stack's <c>PortQueueDevice</c> claims its queue; a custom
    /// pipeline may too. Released by disposing the claim, or by <see cref="Close"/>.
    /// </summary>
    /// <param name="queue">The queue index (the receive and transmit queue of that index).</param>
    /// <param name="owner">Who holds it, named in the refusal of a second claim.</param>
    /// <exception cref="InvalidOperationException">The queue is already claimed; the message names the holder.</exception>
    public PortQueueClaim ClaimQueue(int queue, string owner)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(queue);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(queue, ushort.MaxValue);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        return QueueClaims.Claim(this, (ushort)queue, owner);
    }
}

/// <summary>A queue pair of a port claimed by one owner (<see cref="Port.ClaimQueue"/>); disposing releases it.</summary>
public sealed class PortQueueClaim : IDisposable
{
    internal PortQueueClaim(Port port, ushort queue, string owner)
    {
        Port = port;
        Queue = queue;
        Owner = owner;
    }

    /// <summary>The port.</summary>
    public Port Port { get; }

    /// <summary>The queue index.</summary>
    public int Queue { get; }

    /// <summary>Who holds the claim.</summary>
    public string Owner { get; }

    /// <summary>Releases the claim (idempotent; a claim released by <see cref="Port.Close"/> stays released).</summary>
    public void Dispose() => QueueClaims.Release(this);

    /// <inheritdoc/>
    public override string ToString() => $"{Port} queue {Queue} (held by '{Owner}')";
}

/// <summary>The process's claimed (port, queue) pairs.</summary>
internal static class QueueClaims
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<(ushort Port, ushort Queue), PortQueueClaim> Claims = [];

    internal static PortQueueClaim Claim(Port port, ushort queue, string owner)
    {
        lock (Gate)
        {
            if (Claims.TryGetValue((port.Id, queue), out var held))
            {
                throw new InvalidOperationException(
                    $"Queue {queue} of {port} is already polled by '{held.Owner}'; '{owner}' would share it, and DPDK queues are not thread-safe: " +
                    "each reactor or loop needs a queue of its own (configure more with PortConfig.RxQueues/TxQueues), or dispose the first one.");
            }
            var claim = new PortQueueClaim(port, queue, owner);
            Claims.Add((port.Id, queue), claim);
            return claim;
        }
    }

    internal static void Release(PortQueueClaim claim)
    {
        lock (Gate)
        {
            var key = (claim.Port.Id, (ushort)claim.Queue);
            if (Claims.TryGetValue(key, out var held) && ReferenceEquals(held, claim))
            {
                Claims.Remove(key);
            }
        }
    }

    internal static void ReleasePort(ushort port)
    {
        lock (Gate)
        {
            foreach (var key in Claims.Keys.Where(k => k.Port == port).ToList())
            {
                Claims.Remove(key);
            }
        }
    }
}
