namespace DpdkSharp.Stack.Interface;

/// <summary>Multicast group membership (RFC 1112 §7.2) and the IGMPv2 host that reports it (RFC 2236).</summary>
public sealed partial class NetworkInterfaceCore
{
    /// <summary>
    /// Receives <paramref name="group"/> from now on and reports it (IGMP, at once when the interface is up). Joins are
    /// counted, like sockets' IP_ADD_MEMBERSHIP on one interface: the group stays until as many
    /// <see cref="LeaveGroup"/> calls. The all-systems group (224.0.0.1) is always received and never reported.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="group"/> is not a multicast address.</exception>
    public void JoinGroup(Ipv4Address group, Instant now)
    {
        if (!group.IsMulticast)
        {
            throw new ArgumentException($"{group} is not an IPv4 multicast address (224.0.0.0/4).", nameof(group));
        }
        if (group == IgmpMessage.AllSystems)
        {
            return;
        }
        _groupJoins[group] = _groupJoins.GetValueOrDefault(group) + 1;
        if (_groupJoins[group] == 1)
        {
            _groups = [.. _groups, group];
            _igmp?.Join(group, now);
            if (_igmp is not null && now >= _igmp.NextDeadline)
            {
                SendDueIgmpReports(now);
            }
        }
    }

    /// <summary>
    /// Undoes one <see cref="JoinGroup"/>; after the last, the group is no longer received, and a Leave Group goes to all
    /// routers if our report was its last (RFC 2236 §3). Leaving a group not joined does nothing.
    /// </summary>
    public void LeaveGroup(Ipv4Address group, Instant now)
    {
        if (!_groupJoins.TryGetValue(group, out int joins))
        {
            return;
        }
        if (joins > 1)
        {
            _groupJoins[group] = joins - 1;
            return;
        }
        _groupJoins.Remove(group);
        _groups = Array.FindAll(_groups, g => g != group);
        if (_igmp?.Leave(group, now) == true)
        {
            SendIgmp(IgmpType.LeaveGroup, group, IgmpMessage.AllRouters);
        }
    }

    /// <summary>The groups received now, all systems (224.0.0.1) first.</summary>
    public IReadOnlyList<Ipv4Address> Groups => Array.AsReadOnly(_groups);

    /// <summary>
    /// Takes the interface down: a Leave Group for every group whose last report was ours (RFC 2236 §3), then nothing
    /// more is reported. The reactor calls it as it stops; a core driven by hand calls it before <see cref="Dispose"/>.
    /// </summary>
    public void Stop(Instant now)
    {
        if (_igmp is null)
        {
            return;
        }
        foreach (var group in _igmp.Stop(now))
        {
            SendIgmp(IgmpType.LeaveGroup, group, IgmpMessage.AllRouters);
        }
    }

    /// <summary>Sends the reports <see cref="IgmpHost"/> has due.</summary>
    private void SendDueIgmpReports(Instant now)
    {
        while (_igmp!.TryTakeDue(now, out var group, out bool version1))
        {
            // RFC 2236 §3: a report goes to the group it reports.
            SendIgmp(version1 ? IgmpType.Version1MembershipReport : IgmpType.Version2MembershipReport, group, group);
        }
    }

    /// <summary>
    /// An IGMP message delivered to us with IGMP enabled (a query to all systems or to a joined group, another member's report). RFC 2236
    /// §2.3: the checksum covers the whole message; RFC 3376 §7.1: a query of 9 to 11 bytes is ignored (counted
    /// malformed). Reports only count when sent to the group they report, as every host sends them (RFC 2236 §3).
    /// </summary>
    private RxDisposition ReceiveIgmp(in Ipv4Meta meta, ReadOnlySpan<byte> payload, Instant now)
    {
        if (!IgmpMessage.TryParse(payload, out var message, out var reason))
        {
            return RxDrop(reason);
        }
        _counters.CountRx(NetLayer.Igmp, payload.Length);
        switch (message.Type)
        {
            case IgmpType.MembershipQuery:
                var version = message.QueryVersion;
                if (version == IgmpQueryVersion.Unknown)
                {
                    return RxDrop(DropReason.Malformed);
                }
                _igmp!.OnQuery(message.Group, message.MaxResponseTime, version == IgmpQueryVersion.Version1, now);
                return RxDisposition.Consumed;
            case IgmpType.Version1MembershipReport or IgmpType.Version2MembershipReport when meta.Destination == message.Group:
                _igmp!.OnReport(message.Group);
                return RxDisposition.Consumed;
            case IgmpType.Version1MembershipReport or IgmpType.Version2MembershipReport or IgmpType.LeaveGroup or IgmpType.Version3MembershipReport:
                return RxDisposition.Consumed; // for routers, or a report sent elsewhere than its group: nothing for a host to do
            default:
                return RxDrop(DropReason.UnsupportedProtocol);
        }
    }

    /// <summary>
    /// An IGMP message from our address with IP TTL 1 and the Router Alert option (RFC 2236 §2), to
    /// <paramref name="destination"/>'s multicast MAC (RFC 1112 §6.4: no ARP for a group).
    /// </summary>
    private void SendIgmp(IgmpType type, Ipv4Address group, Ipv4Address destination)
    {
        if (!_pool.TryRent(out var buffer))
        {
            _counters.CountDrop(DropReason.NoBuffer, DropStage.Transmit);
            return;
        }
        var span = _pool.GetSpan(buffer);
        ReadOnlySpan<byte> routerAlert = [Ipv4Options.RouterAlert, Ipv4Options.RouterAlertLength, 0, 0];
        int headerLength = Ipv4Packet.MinHeaderLength + routerAlert.Length;
        IgmpMessage.Write(span[(_l2Length + headerLength)..], type, 0, group);
        int length = WriteIpv4Headers(span, MacAddress.ForIpv4Multicast(destination), _address, destination, IpProtocol.Igmp,
            IgmpMessage.Length, _nextId++, ttl: 1, dontFragment: false, more: false, offset: 0, routerAlert);
        _counters.CountTx(NetLayer.Igmp, IgmpMessage.Length);
        Transmit(buffer, length, TxInfo(l4Offload: false, headerLength));
    }
}
