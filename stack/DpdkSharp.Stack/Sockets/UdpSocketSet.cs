using System.Net.Sockets;

namespace DpdkSharp.Stack.Sockets;

/// <summary>The <see cref="UdpSocket"/>s of one reactor, indexed by their endpoint slot. Reactor thread only.</summary>
internal sealed class UdpSocketSet(UdpEndpointTable table) : ISocketSet
{
    private readonly UdpSocket?[] _sockets = new UdpSocket?[table.Capacity];

    public void Register(UdpSocket socket, UdpHandle handle) => _sockets[handle.Index] = socket;

    public void Unregister(UdpHandle handle) => _sockets[handle.Index] = null;

    /// <summary>Readiness events of the UDP table go to the sockets, which complete waiting receives.</summary>
    public void DispatchReady()
    {
        while (table.TryDequeueReady(out var handle))
        {
            var socket = _sockets[handle.Index];
            if (socket is not null && socket.Handle == handle)
            {
                socket.OnReady();
            }
        }
    }

    public void CloseAll(SocketError error)
    {
        foreach (var socket in _sockets)
        {
            socket?.CloseOnReactor(error);
        }
    }
}
