namespace DpdkSharp.Stack;

/// <summary>
/// The device side of a <see cref="Reactor"/>: one receive queue and one transmit queue of a port
/// (a DPDK port queue in production, an in-memory device in tests). It also provides the buffers
/// and sink the interface core builds frames with, so rented buffers and the transmit queue belong
/// to the same device. Called only from the reactor's thread.
/// </summary>
public interface IReactorDevice
{
    /// <summary>Where the core rents transmit buffers.</summary>
    IPacketBufferPool Pool { get; }

    /// <summary>Where the core hands finished frames; may buffer them until <see cref="Flush"/>.</summary>
    IFrameSink Sink { get; }

    /// <summary>
    /// Receives one burst and passes each frame to <paramref name="receiver"/>, then frees the
    /// receive buffers the receiver did not keep. Returns how many frames arrived.
    /// </summary>
    /// <remarks>
    /// The receiver is a struct (the reactor passes <see cref="InterfaceReceiver"/>), so each frame
    /// reaches the interface core through a direct call, without interface dispatch or a downcast:
    /// the device's code is specialised for the receiver's type.
    /// </remarks>
    int ReceiveBurst<TReceiver>(ref TReceiver receiver, Instant now) where TReceiver : struct, IFrameReceiver;

    /// <summary>Hands every buffered transmit frame to the device (end of each reactor iteration).</summary>
    void Flush();

    /// <summary>
    /// Called on the reactor's thread before its first burst; returns what to dispose on that
    /// thread after its last (for DPDK: the thread's lcore registration, which gives it mempool caches).
    /// </summary>
    IDisposable? AttachThread() => null;
}

/// <summary>An interface core as the frame receiver of a device's burst (see <see cref="IReactorDevice.ReceiveBurst"/>).</summary>
public readonly struct InterfaceReceiver(NetworkInterfaceCore core) : IFrameReceiver
{
    /// <summary>The core frames go to.</summary>
    public NetworkInterfaceCore Core => core;

    /// <inheritdoc/>
    public RxDisposition Receive(ReadOnlySpan<byte> frame, Instant now, RxChecksumStatus checksum = RxChecksumStatus.Unknown) =>
        core.Receive(frame, now, checksum);

    /// <inheritdoc/>
    public RxDisposition Receive(PacketBuffer buffer, int length, Instant now, RxChecksumStatus checksum, out bool kept) =>
        core.Receive(buffer, length, now, checksum, out kept);
}
