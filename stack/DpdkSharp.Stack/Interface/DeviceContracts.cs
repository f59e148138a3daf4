namespace DpdkSharp.Stack.Interface;

/// <summary>
/// An opaque handle to one transmit buffer of an <see cref="IPacketBufferPool"/>: an
/// <c>rte_mbuf*</c> in production, an index in tests. It is a plain value so the core can keep it
/// while a frame waits for ARP; the pool resolves it to memory.
/// </summary>
public readonly record struct PacketBuffer(nint Handle);

/// <summary>
/// Where the core gets buffers for frames it builds. Ownership: a rented buffer belongs to the
/// core until it hands it to <see cref="IFrameSink.Transmit"/> (then the sink owns it) or gives it
/// back with <see cref="Return"/>. The core never keeps a <see cref="Span{T}"/> from
/// <see cref="GetSpan"/> across calls, only the handle.
/// </summary>
public interface IPacketBufferPool
{
    /// <summary>Bytes writable from the start of <see cref="GetSpan"/> (data room minus headroom).</summary>
    int BufferSize { get; }

    /// <summary>Rents one buffer; false when the pool is empty (the core counts <see cref="DropReason.NoBuffer"/>).</summary>
    bool TryRent(out PacketBuffer buffer);

    /// <summary>
    /// The writable data area of a rented buffer (<see cref="BufferSize"/> bytes long), or of a
    /// buffer lent on receive (<see cref="IFrameReceiver.Receive(PacketBuffer, int, Instant, RxChecksumStatus, out bool)"/>:
    /// from the frame's first byte to the end of that buffer).
    /// </summary>
    Span<byte> GetSpan(PacketBuffer buffer);

    /// <summary>Gives back a buffer that will not be sent.</summary>
    void Return(PacketBuffer buffer);
}

/// <summary>Transmit offloads the core asks the device for, per frame.</summary>
[Flags]
public enum TxOffloadRequest : byte
{
    /// <summary>No offload: the frame is complete.</summary>
    None = 0,
    /// <summary>The IPv4 header checksum field is 0: the device computes it (RTE_MBUF_F_TX_IP_CKSUM).</summary>
    Ipv4Checksum = 1,
    /// <summary>The UDP checksum field holds the pseudo-header sum: the device finishes it (RTE_MBUF_F_TX_UDP_CKSUM).</summary>
    UdpChecksum = 2,
    /// <summary>The TCP checksum field holds the pseudo-header sum: the device finishes it (RTE_MBUF_F_TX_TCP_CKSUM).</summary>
    TcpChecksum = 4,
}

/// <summary>What the device needs to know about a frame to apply offloads (mbuf l2_len, l3_len, ol_flags).</summary>
public readonly record struct TxFrameInfo(ushort L2Length, ushort L3Length, TxOffloadRequest Offloads);

/// <summary>Where the core puts finished frames: a DPDK tx queue in production, an in-memory link in tests.</summary>
public interface IFrameSink
{
    /// <summary>
    /// Takes ownership of <paramref name="buffer"/>, whose first <paramref name="length"/> bytes are
    /// the frame. Returns false when the frame cannot be queued; the sink has then already freed
    /// the buffer (ownership passes in every case), and the core counts
    /// <see cref="DropReason.TransmitQueueFull"/>.
    /// </summary>
    bool Transmit(PacketBuffer buffer, int length, in TxFrameInfo info);
}

/// <summary>Device capabilities the core can rely on, set by the port layer from the device's offload flags.</summary>
[Flags]
public enum ChecksumOffloads
{
    /// <summary>The device computes no checksum.</summary>
    None = 0,
    /// <summary>The device computes IPv4 header checksums on transmit.</summary>
    Ipv4Tx = 1,
    /// <summary>The device computes UDP checksums on transmit (only for unfragmented datagrams).</summary>
    UdpTx = 2,
    /// <summary>The device computes TCP checksums on transmit.</summary>
    TcpTx = 4,
}

/// <summary>Per-frame checksum status from the device (mbuf RX_IP_CKSUM_* / RX_L4_CKSUM_* flags).</summary>
[Flags]
public enum RxChecksumStatus : byte
{
    /// <summary>Nothing known: the core verifies in software.</summary>
    Unknown = 0,
    /// <summary>The device verified the IPv4 header checksum.</summary>
    Ipv4Good = 1,
    /// <summary>The device found the IPv4 header checksum wrong.</summary>
    Ipv4Bad = 2,
    /// <summary>The device verified the UDP/TCP checksum.</summary>
    L4Good = 4,
    /// <summary>The device found the UDP/TCP checksum wrong.</summary>
    L4Bad = 8,
}

/// <summary>Anything that accepts received frames: the interface core, or a test double.</summary>
public interface IFrameReceiver
{
    /// <summary>Handles a frame the caller keeps owning (the receiver copies what it keeps).</summary>
    RxDisposition Receive(ReadOnlySpan<byte> frame, Instant now, RxChecksumStatus checksum = RxChecksumStatus.Unknown);

    /// <summary>
    /// Handles a frame lent in a buffer: its first <paramref name="length"/> bytes of
    /// <see cref="IPacketBufferPool.GetSpan"/> on the receiver's pool. The receiver may keep the
    /// buffer to send a frame in it (a reply built in place, without renting or copying): then
    /// <paramref name="kept"/> is true and ownership has passed to the receiver (and on to its
    /// <see cref="IFrameSink"/>); otherwise the caller still owns and frees it.
    /// </summary>
    /// <remarks>Lend only buffers the receiver's pool can resolve and return and its sink can send (for DPDK: any single-segment mbuf).</remarks>
    RxDisposition Receive(PacketBuffer buffer, int length, Instant now, RxChecksumStatus checksum, out bool kept);
}
