using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DpdkSharp.Stack.Interface;

/// <summary>
/// The frame the core is receiving, from the device's call until the core returns: whether its
/// buffer is lent (and then which), where its link header ends, where the UDP payload a handler may
/// echo sits, and the reply built in place that a handler asked for. The receive path takes it by
/// reference; the core holds the one instance because a handler re-enters the core to send
/// (<see cref="NetworkInterfaceCore.SendUdp"/>) while the frame is still being received.
/// </summary>
internal struct RxFrame
{
    public LoanState Loan;
    /// <summary>The lent buffer (when <see cref="Loan"/> is not <see cref="LoanState.None"/>).</summary>
    public PacketBuffer Buffer;
    /// <summary>Bytes before the network header in the received frame (14, or 18 with one VLAN tag).</summary>
    public int L2Length;
    /// <summary>Bytes of the lent buffer from the frame's first byte to its end (the length of the pool's span for it).</summary>
    public int Room;
    /// <summary>Where the received UDP payload starts in the lent buffer; -1 when nothing may be built in place.</summary>
    public int PayloadOffset;
    /// <summary>
    /// The address of the received UDP payload while it is pinned for the handler (<see cref="NetworkInterfaceCore"/>'s
    /// ReceiveUdp): <see cref="IsLentPayload"/> compares against it, so a send from the handler finds its payload without
    /// asking the pool for the buffer again. Read only while <see cref="PayloadOffset"/> is set.
    /// </summary>
    public nint PayloadAddress;
    public int PayloadLength;
    /// <summary>The received datagram's addresses, ports and checksum (read when <see cref="PayloadOffset"/> is set).</summary>
    public ReceivedUdp Udp;
    /// <summary>The reply to build once the handler returns (<see cref="LoanState.ReplyPending"/>).</summary>
    public InPlaceReply Reply;

    /// <summary>Starts a frame in the caller's memory: nothing lent.</summary>
    public static RxFrame Borrowed => new() { PayloadOffset = -1 };

    /// <summary>
    /// Starts a frame in a buffer the device lends. Only the fields every frame reads are set (once per
    /// received frame: <see cref="Reply"/> is written before <see cref="LoanState.ReplyPending"/> makes it readable).
    /// </summary>
    public void Lend(PacketBuffer buffer, int room)
    {
        Loan = LoanState.Lent;
        Buffer = buffer;
        Room = room;
        L2Length = 0;
        PayloadOffset = -1;
    }

    /// <summary>Back to <see cref="Borrowed"/>: no buffer is referenced any more.</summary>
    public void EndLoan()
    {
        Loan = LoanState.None;
        Buffer = default;
        PayloadOffset = -1;
    }

    /// <summary>
    /// Whether the frame is in a lent buffer with its transport header where a frame of ours puts it
    /// (same link header length, no IP options, not reassembled), so a reply can be built around
    /// what follows without moving it.
    /// </summary>
    public readonly bool IsLentWhereOursGo(in Ipv4Meta meta, int ipHeaderLength, int ourL2Length) =>
        Loan == LoanState.Lent && !meta.Reassembled && ipHeaderLength == Ipv4Packet.MinHeaderLength && L2Length == ourL2Length;

    /// <summary>
    /// Whether <paramref name="payload"/> starts at the received UDP payload of the lent buffer (and is not longer). The
    /// address test is exact: the received payload is pinned at <see cref="PayloadAddress"/> while the handler runs, so no
    /// other object can be there.
    /// </summary>
    public readonly unsafe bool IsLentPayload(ReadOnlySpan<byte> payload) =>
        PayloadOffset >= 0 && payload.Length <= PayloadLength && !payload.IsEmpty
        && (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(payload)) == PayloadAddress;

    /// <summary>
    /// The lent buffer (what the pool's span for it is: from the frame's first byte, <see cref="Room"/> bytes), from the
    /// received payload at <see cref="PayloadOffset"/>: the reply is built without asking the pool for it again.
    /// </summary>
    public readonly Span<byte> LentBufferAround(ReadOnlySpan<byte> receivedPayload)
    {
        Debug.Assert(PayloadOffset >= 0);
        return MemoryMarshal.CreateSpan(ref Unsafe.Subtract(ref MemoryMarshal.GetReference(receivedPayload), PayloadOffset), Room);
    }
}

/// <summary>Where a lent receive buffer is in its life.</summary>
internal enum LoanState : byte
{
    /// <summary>The frame being handled is the caller's (or nothing is being handled).</summary>
    None,
    /// <summary>The frame is in a lent buffer the device frees afterwards.</summary>
    Lent,
    /// <summary>A handler asked to send the received payload back: the reply is built after it returns.</summary>
    ReplyPending,
    /// <summary>The buffer carries our reply and belongs to the sink now.</summary>
    Taken,
}

/// <summary>
/// The fields of a received UDP datagram that its in-place reply's checksum follows from (parsed once on receive, not
/// read back from the buffer): the addresses of its pseudo-header, its ports, and its checksum field.
/// </summary>
internal readonly record struct ReceivedUdp(Ipv4Address Source, Ipv4Address Destination, ushort SourcePort, ushort DestinationPort, ushort Checksum);

/// <summary>
/// A UDP reply to build in the lent receive buffer once the handler returns. Fields, written one by one where the reply
/// lives (<see cref="RxFrame.Reply"/>): a value built on the stack and then copied there cost a row of spills per datagram.
/// </summary>
internal struct InPlaceReply
{
    public Ipv4Endpoint Local;
    public Ipv4Endpoint Destination;
    public NextHop Hop;
    public int PayloadLength;
    public bool DontFragment;
}

/// <summary>A frame's link-layer destination: a known MAC, or a next hop for ARP to resolve.</summary>
internal readonly record struct NextHop(MacAddress Mac, Ipv4Address Address, bool Resolve);
