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

    /// <summary>
    /// How the reactor waits when there is nothing to do: the device's own way (a receive interrupt,
    /// see <see cref="IReactorIdle"/>), read once after <see cref="AttachThread"/>; null lets the
    /// reactor nap (<see cref="ReactorOptions.IdleSleep"/>).
    /// </summary>
    IReactorIdle? Idle => null;
}

/// <summary>
/// A device's way of sleeping until it has traffic (for DPDK: RX interrupts in an epoll set, see
/// <c>DpdkSharp.Runtime.Polling.RxWaitSet</c>), so an idle reactor burns no CPU and still answers
/// within microseconds instead of after a nap.
/// </summary>
public interface IReactorIdle
{
    /// <summary>
    /// Reports one loop iteration (<paramref name="work"/>: frames received plus commands run) on the
    /// reactor thread; may sleep, per the device's policy, until traffic arrives, <see cref="Wake"/>
    /// is called or <paramref name="maxSleep"/> (the reactor's next timer) passes.
    /// </summary>
    void AfterIteration(int work, TimeSpan maxSleep);

    /// <summary>Ends the current or next sleep, from any thread (an application command is waiting).</summary>
    void Wake();
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
