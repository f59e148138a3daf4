namespace DpdkSharp.Stack.Tests;

/// <summary>The ARP cache on its own: it answers and fills outboxes, and never sends or frees anything itself.</summary>
public class ArpCacheTests
{
    private static QueuedFrame Frame(int n) => new(new PacketBuffer(n), 60, default);

    [Fact]
    public void An_unknown_address_queues_asks_for_one_request_and_releases_on_learning()
    {
        var cache = new ArpCache(new ArpOptions());
        Assert.Equal(NeighborAnswer.NotFound, cache.Lookup(Net.PeerIp, At(0), out _));
        Assert.Equal(NeighborAnswer.QueuedSendRequest, cache.Enqueue(Net.PeerIp, At(0), Frame(1)));
        Assert.Equal(NeighborAnswer.Queued, cache.Enqueue(Net.PeerIp, At(T.Ms), Frame(2))); // the retry timer runs
        Assert.Equal(2, cache.QueuedFrames);
        Assert.False(cache.TryTakeReleased(out _, out _));

        Assert.True(cache.Learn(Net.PeerIp, Net.PeerMac, createIfMissing: false, At(2 * T.Ms)));
        Assert.True(cache.TryTakeReleased(out var first, out var mac));
        Assert.Equal((1, Net.PeerMac), ((int)first.Buffer.Handle, mac));
        Assert.True(cache.TryTakeReleased(out var second, out _));
        Assert.Equal(2, (int)second.Buffer.Handle);
        Assert.Equal(0, cache.QueuedFrames);
        Assert.Equal(NeighborAnswer.Found, cache.Lookup(Net.PeerIp, At(3 * T.Ms), out mac));
        Assert.Equal(Net.PeerMac, mac);
    }

    [Fact]
    public void Retries_go_to_the_request_outbox_and_give_up_by_dropping_what_waits()
    {
        var cache = new ArpCache(new ArpOptions { MaxRequests = 2 });
        Assert.Equal(NeighborAnswer.QueuedSendRequest, cache.Enqueue(Net.PeerIp, At(0), Frame(7)));
        cache.Poll(At(1 * T.Sec));
        Assert.True(cache.TryTakeRequest(out var target));
        Assert.Equal(Net.PeerIp, target);
        Assert.False(cache.TryTakeRequest(out _));
        cache.Poll(At(2 * T.Sec)); // two requests sent: resolution failed
        Assert.False(cache.TryTakeRequest(out _));
        Assert.True(cache.TryTakeDropped(out var dropped, out var reason));
        Assert.Equal((7, DropReason.ArpTimeout), ((int)dropped.Buffer.Handle, reason));
        Assert.Equal(ArpEntryState.Free, cache.GetState(Net.PeerIp));
    }

    [Fact]
    public void A_full_queue_pushes_its_oldest_frame_out_and_a_near_expiry_use_asks_for_a_refresh()
    {
        var cache = new ArpCache(new ArpOptions { MaxQueuedPerEntry = 1 });
        cache.Enqueue(Net.PeerIp, At(0), Frame(1));
        cache.Enqueue(Net.PeerIp, At(0), Frame(2));
        Assert.True(cache.TryTakeDropped(out var oldest, out var reason));
        Assert.Equal((1, DropReason.ArpQueueFull), ((int)oldest.Buffer.Handle, reason));

        cache.Learn(Net.PeerIp, Net.PeerMac, false, At(0));
        cache.TryTakeReleased(out _, out _);
        // Lifetime 60 s, refresh window 10 s: at 55 s a use is answered and a unicast poll requested, once per retry interval.
        Assert.Equal(NeighborAnswer.FoundRefresh, cache.Lookup(Net.PeerIp, At(55 * T.Sec), out _));
        Assert.Equal(NeighborAnswer.Found, cache.Lookup(Net.PeerIp, At(55 * T.Sec + T.Ms), out _));
    }

    [Fact]
    public void Repeated_lookups_follow_every_change_to_the_entry_they_found()
    {
        // The cache answers a repeated lookup without its index; each change below must still be seen at once.
        var cache = new ArpCache(new ArpOptions());
        var otherMac = MacAddress.Parse("02:00:00:00:00:99");
        cache.Learn(Net.PeerIp, Net.PeerMac, createIfMissing: true, At(0));
        Assert.Equal(NeighborAnswer.Found, cache.Lookup(Net.PeerIp, At(T.Ms), out var mac));
        Assert.Equal(NeighborAnswer.Found, cache.Lookup(Net.PeerIp, At(2 * T.Ms), out mac));
        Assert.Equal(Net.PeerMac, mac);

        cache.Learn(Net.PeerIp, otherMac, createIfMissing: false, At(3 * T.Ms)); // the peer moved (a new MAC)
        Assert.Equal(NeighborAnswer.Found, cache.Lookup(Net.PeerIp, At(4 * T.Ms), out mac));
        Assert.Equal(otherMac, mac);

        Assert.True(cache.Remove(Net.PeerIp));
        Assert.Equal(NeighborAnswer.NotFound, cache.Lookup(Net.PeerIp, At(5 * T.Ms), out _));

        cache.AddStatic(Net.PeerIp, Net.PeerMac);
        Assert.Equal(NeighborAnswer.Found, cache.Lookup(Net.PeerIp, At(6 * T.Ms), out mac));
        Assert.Equal(Net.PeerMac, mac);
        Assert.Equal(NeighborAnswer.Found, cache.Lookup(Net.PeerIp, At(3600 * T.Sec), out _)); // static: never expires
    }

    [Fact]
    public void A_lookup_answered_quickly_still_asks_for_the_refresh_and_sees_the_expiry()
    {
        var cache = new ArpCache(new ArpOptions());
        cache.Learn(Net.PeerIp, Net.PeerMac, createIfMissing: true, At(0));
        Assert.Equal(NeighborAnswer.Found, cache.Lookup(Net.PeerIp, At(T.Sec), out _));
        Assert.Equal(NeighborAnswer.Found, cache.Lookup(Net.PeerIp, At(49 * T.Sec), out _));
        // Lifetime 60 s, refresh window 10 s: the first use inside the window asks for a unicast poll.
        Assert.Equal(NeighborAnswer.FoundRefresh, cache.Lookup(Net.PeerIp, At(51 * T.Sec), out _));
        Assert.Equal(NeighborAnswer.NotFound, cache.Lookup(Net.PeerIp, At(61 * T.Sec), out _));
    }
}
