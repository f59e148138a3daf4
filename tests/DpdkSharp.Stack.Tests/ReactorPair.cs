using System.Net;

namespace DpdkSharp.Stack.Tests;

/// <summary>
/// Two reactors on their own threads joined by an <see cref="InMemoryDevice"/> pair from the
/// testing package: "us" (<see cref="Net.UsIp"/>) and "peer" (<see cref="Net.PeerIp"/>), the way a
/// user tests code of theirs without DPDK. Disposal checks every buffer went back to its pool.
/// </summary>
internal sealed class ReactorPair : IDisposable
{
    public static readonly IPAddress UsAddress = IPAddress.Parse(Net.UsIp.ToString());
    public static readonly IPAddress PeerAddress = IPAddress.Parse(Net.PeerIp.ToString());

    private readonly InMemoryDevice _deviceUs, _devicePeer;
    private readonly ImpairedDevice? _impaired;

    /// <param name="buffers">Buffers per device.</param>
    /// <param name="change">Changes both interfaces' options.</param>
    /// <param name="usReactor">How "us" runs its loop (shutdown timeout, say); the defaults when null.</param>
    /// <param name="usReceive">Loss, reordering, ... of what "us" receives; with <paramref name="usTransmit"/>, none when both are null.</param>
    /// <param name="usTransmit">Loss, reordering, ... of what "us" sends.</param>
    public ReactorPair(int buffers = 256, Func<InterfaceOptions, InterfaceOptions>? change = null, ReactorOptions? usReactor = null,
        Impairments? usReceive = null, Impairments? usTransmit = null)
    {
        change ??= o => o;
        (_deviceUs, _devicePeer) = InMemoryDevice.CreatePair(buffers: buffers);
        IReactorDevice us = _deviceUs;
        IPacketBufferPool usPool = _deviceUs.Pool;
        IFrameSink usSink = _deviceUs.Sink;
        if (usReceive is not null || usTransmit is not null)
        {
            _impaired = new ImpairedDevice(_deviceUs, usReceive, usTransmit);
            (us, usPool, usSink) = (_impaired, _impaired.Pool, _impaired.Sink);
        }
        Us = new Reactor(new NetworkInterfaceCore(change(Net.Options(o => o with
        {
            StaticNeighbors = [new(Net.PeerIp, Net.PeerMac)],
        })), usPool, usSink), us, (usReactor ?? new ReactorOptions()) with { ThreadName = "us" });
        Peer = new Reactor(new NetworkInterfaceCore(change(Net.Options(o => o with
        {
            Mac = Net.PeerMac,
            Address = Net.PeerIp,
            StaticNeighbors = [new(Net.UsIp, Net.UsMac)],
        })), _devicePeer.Pool, _devicePeer.Sink), _devicePeer, new ReactorOptions { ThreadName = "peer" });
        Us.Start();
        Peer.Start();
    }

    public Reactor Us { get; }

    public Reactor Peer { get; }

    public void Dispose()
    {
        Us.Dispose();
        Peer.Dispose();
        _impaired?.Dispose(); // frames it still holds go back to their pool
        Assert.Equal(0, _deviceUs.BufferPool.Outstanding);
        Assert.Equal(0, _devicePeer.BufferPool.Outstanding);
    }
}
