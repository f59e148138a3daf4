namespace DpdkSharp.Stack;

/// <summary>
/// The device side of a <see cref="Reactor"/>: one receive queue and one transmit queue of a port
/// (a DPDK port queue in production). It also provides the buffers and sink the interface core
/// builds frames with, so rented buffers and the transmit queue belong to the same device.
/// Called only from the reactor's thread.
/// </summary>
public interface IReactorDevice
{
    /// <summary>Where the core rents transmit buffers.</summary>
    IPacketBufferPool Pool { get; }

    /// <summary>Where the core hands finished frames; may buffer them until <see cref="Flush"/>.</summary>
    IFrameSink Sink { get; }

    /// <summary>
    /// Receives one burst and passes each frame to <paramref name="receiver"/>, then frees the
    /// receive buffers (the receiver only borrows them). Returns how many frames arrived.
    /// </summary>
    int ReceiveBurst(IFrameReceiver receiver, long nowNanoseconds);

    /// <summary>Hands every buffered transmit frame to the device (end of each reactor iteration).</summary>
    void Flush();

    /// <summary>
    /// Called on the reactor's thread before its first burst; returns what to dispose on that
    /// thread after its last (for DPDK: the thread's lcore registration, which gives it mempool caches).
    /// </summary>
    IDisposable? AttachThread() => null;
}
