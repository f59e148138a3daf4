namespace DpdkSharp.Runtime;

/// <summary>
/// A network virtual device (<see cref="EalOptions.VirtualDevices"/>) that DPDK failed to probe: the EAL starts
/// without it (DPDK carries on past a failed probe), so it has no port. <see cref="Port.FindByName"/> for its name
/// reports this instead of "no port named ...".
/// </summary>
/// <param name="Name">The device name, e.g. <c>net_tap0</c>.</param>
/// <param name="Argument">The <c>--vdev</c> argument as given, e.g. <c>net_tap0,iface=dtap0</c>.</param>
/// <param name="Reason">The likely reason and what to do about it.</param>
/// <param name="DpdkMessages">DPDK's own messages about the failure, oldest first (empty when DPDK's log level hid them).</param>
public sealed record VirtualDeviceProbeFailure(string Name, string Argument, string Reason, IReadOnlyList<string> DpdkMessages)
{
    /// <summary>One sentence for a log or an exception: the device, the likely reason and what DPDK said.</summary>
    public string Message =>
        $"Virtual device '{Name}' (--vdev {Argument}) failed to probe: {Reason}."
        + (DpdkMessages.Count == 0 ? "" : $" DPDK said: {string.Join(" | ", DpdkMessages)}");
}
