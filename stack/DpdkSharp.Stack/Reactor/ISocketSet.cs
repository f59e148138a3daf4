using System.Net.Sockets;

namespace DpdkSharp.Stack;

/// <summary>
/// The sockets of one protocol that a <see cref="Reactor"/> serves (UDP today, TCP next): the
/// reactor hands them readiness once per loop and closes them when it stops. Reactor thread only.
/// </summary>
internal interface ISocketSet
{
    /// <summary>Completes waiting operations of the sockets whose endpoints became ready.</summary>
    void DispatchReady();

    /// <summary>Fails every socket's pending operations with <paramref name="error"/> and closes its endpoint.</summary>
    void CloseAll(SocketError error);
}
