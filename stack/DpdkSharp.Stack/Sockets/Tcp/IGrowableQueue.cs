namespace DpdkSharp.Stack.Sockets;

/// <summary>A connection's send or receive queue as its growth sees it: a size, and a way to grow it.</summary>
internal interface IGrowableQueue
{
    /// <summary>The storage the queue has now, in bytes.</summary>
    int Capacity { get; }

    /// <summary>Grows the storage to at least <paramref name="capacity"/> bytes; false when the queue's limit forbids it.</summary>
    bool TryGrow(int capacity);
}
