using System.Net.Sockets;

namespace DpdkSharp.Stack.Sockets;

/// <summary>The TCP connections and listeners of one reactor: readiness from the table goes to their socket objects. Reactor thread only.</summary>
internal sealed class TcpSocketSet(TcpEndpointTable table) : ISocketSet
{
    public void DispatchReady()
    {
        while (table.TryDequeueReady(out var tcb))
        {
            (tcb!.Owner as TcpConnection)?.OnReady();
        }
        while (table.TryDequeueReadyListener(out var listener))
        {
            (listener!.Owner as TcpSocketListener)?.OnReady();
        }
    }

    public void CloseAll(SocketError error)
    {
        foreach (var owner in table.Owners())
        {
            switch (owner)
            {
                case TcpConnection connection:
                    connection.CloseOnReactorStop(error);
                    break;
                case TcpSocketListener listener:
                    listener.FailWaiting(error);
                    break;
            }
        }
    }
}
