using System.Text;
using DpdkSharp.Interop;
using DpdkSharp.Runtime.Native;

namespace DpdkSharp.Runtime;

/// <summary>
/// Runs <c>rte_eal_init</c> with what it prints kept aside, and reads what went wrong out of it: a bad argument
/// in a line or two instead of the EAL's usage text, a virtual device that failed to probe by name with the
/// likely reason.
/// </summary>
internal static unsafe class EalStartup
{
    private const int CaptureLimit = 256 * 1024;

    /// <summary>
    /// What <c>rte_eal_init</c> returned and said: what it printed (<paramref name="Output"/>, as lines in
    /// <paramref name="Printed"/>: its usage text, getopt's complaints, its log when not routed) and its log
    /// messages routed into ILogger (<paramref name="Logged"/>).
    /// </summary>
    internal readonly record struct Outcome(int Result, int Errno, byte[] Output, IReadOnlyList<string> Printed, IReadOnlyList<string> Logged)
    {
        /// <summary>Every line, printed then logged.</summary>
        public IReadOnlyList<string> Lines => [.. Printed, .. Logged];
    }

    /// <summary>
    /// Calls <c>rte_eal_init</c> with file descriptors 1 and 2 captured (so the EAL's usage text never reaches the
    /// terminal) and DPDK's routed messages copied. The caller replays <see cref="Outcome.Output"/> on success.
    /// </summary>
    internal static Outcome Run(NativeArgv argv)
    {
        int savedOut, savedError;
        var file = Dpdk.stdio_capture_begin(&savedOut, &savedError);
        DpdkLog.BeginCapture();
        int result, errno;
        var output = Array.Empty<byte>();
        try
        {
            result = Dpdk.rte_eal_init(argv.Count, argv.Pointer);
            errno = result < 0 ? Dpdk.rte_errno_get() : 0;
        }
        finally
        {
            if (file >= 0)
            {
                var buffer = new byte[CaptureLimit];
                long total;
                fixed (byte* p = buffer)
                {
                    total = Dpdk.stdio_capture_end(file, savedOut, savedError, p, (nuint)buffer.Length);
                }
                output = buffer.AsSpan(0, (int)Math.Clamp(total, 0, buffer.Length)).ToArray();
            }
        }
        return new Outcome(result, errno, output, SplitLines(Encoding.UTF8.GetString(output)).ToList(), DpdkLog.EndCapture());
    }

    /// <summary>Writes what the EAL printed during a successful start to the real standard output, as it would have.</summary>
    internal static void Replay(byte[] output)
    {
        if (output.Length == 0)
        {
            return;
        }
        using var stdout = Console.OpenStandardOutput();
        stdout.Write(output);
    }

    /// <summary>
    /// Why <c>rte_eal_init</c> failed, in the EAL's own words minus its usage text: the lines printed before
    /// "Usage:" and the routed log messages, each once (getopt's "unrecognized option" comes twice: the EAL parses
    /// argv twice).
    /// </summary>
    internal static string FailureReason(Outcome outcome)
    {
        var reasons = new List<string>();
        foreach (var line in outcome.Printed.TakeWhile(l => !l.StartsWith("Usage:", StringComparison.Ordinal)).Concat(outcome.Logged))
        {
            if (!DpdkLog.IsKnownNoise(line) && !reasons.Contains(line))
            {
                reasons.Add(line);
            }
        }
        return reasons.Count == 0 ? "" : string.Join("; ", reasons.TakeLast(6));
    }

    /// <summary>The requested network vdevs that did not become ports, each with DPDK's messages about it and a likely reason.</summary>
    internal static List<VirtualDeviceProbeFailure> FindProbeFailures(IReadOnlyList<string> virtualDevices, IReadOnlyList<string> lines)
    {
        var failures = new List<VirtualDeviceProbeFailure>();
        foreach (var vdev in virtualDevices)
        {
            var comma = vdev.IndexOf(',', StringComparison.Ordinal);
            var name = (comma < 0 ? vdev : vdev[..comma]).Trim();
            var isEthernet = name.StartsWith("net_", StringComparison.Ordinal) || name.StartsWith("eth_", StringComparison.Ordinal);
            if (!isEthernet || Port.TryFindByName(name, out _))
            {
                continue;
            }
            var messages = MessagesAbout(name, lines);
            failures.Add(new VirtualDeviceProbeFailure(name, vdev, LikelyReason(name, comma < 0 ? "" : vdev[(comma + 1)..], messages), messages));
        }
        return failures;
    }

    /// <summary>
    /// DPDK's messages about the device: vdevs are probed one after the other, so those are the lines before the
    /// bus's "failed to initialize &lt;name&gt; device", back to the previous device's failure.
    /// </summary>
    private static List<string> MessagesAbout(string name, IReadOnlyList<string> lines)
    {
        var marker = -1;
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Contains($"failed to initialize {name} device", StringComparison.Ordinal))
            {
                marker = i;
                break;
            }
        }
        var messages = new List<string>();
        if (marker < 0)
        {
            messages.AddRange(lines.Where(l => l.Contains(name, StringComparison.Ordinal)));
            return messages;
        }
        for (var i = marker - 1; i >= 0 && !lines[i].Contains("failed to initialize ", StringComparison.Ordinal); i--)
        {
            if (!DpdkLog.IsKnownNoise(lines[i]))
            {
                messages.Insert(0, lines[i]);
            }
        }
        messages.Add(lines[marker]);
        return messages;
    }

    private static string LikelyReason(string name, string arguments, List<string> messages)
    {
        bool Said(string text) => messages.Any(m => m.Contains(text, StringComparison.OrdinalIgnoreCase));
        var tap = name.StartsWith("net_tap", StringComparison.Ordinal) || name.StartsWith("net_tun", StringComparison.Ordinal);
        if (tap && (Said("Operation not permitted") || Said("Permission denied") || !HasCapability(CapNetAdmin)))
        {
            return "net_tap creates a kernel interface through /dev/net/tun, which needs root with CAP_NET_ADMIN: run as root, " +
                "or give the program the capability (setcap cap_net_admin+ep, or AmbientCapabilities=CAP_NET_ADMIN in a systemd unit)";
        }
        if (tap && (Said("No such file") || Said("/dev/net/tun")))
        {
            return "net_tap needs /dev/net/tun (the tun kernel module: modprobe tun; in a container, pass the device in)";
        }
        var argumentHint = arguments.Length == 0
            ? ""
            : $"its arguments ('{arguments}') were refused, or ";
        var privileges = tap ? "; net_tap also needs root or CAP_NET_ADMIN" : "";
        return $"{argumentHint}the driver could not create the device; check the arguments against the driver's documentation{privileges}";
    }

    private const int CapNetAdmin = 12;

    /// <summary>Whether the process has capability <paramref name="bit"/> in its effective set (<c>CapEff</c> of /proc/self/status).</summary>
    private static bool HasCapability(int bit)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("CapEff:", StringComparison.Ordinal))
                {
                    var mask = ulong.Parse(line.AsSpan(7).Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
                    return (mask & (1UL << bit)) != 0;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            // Unknown: do not claim it is missing.
        }
        return true;
    }

    private static IEnumerable<string> SplitLines(string text) =>
        text.Split('\n').Select(l => l.TrimEnd('\r', ' ')).Where(l => l.Trim().Length > 0);
}
