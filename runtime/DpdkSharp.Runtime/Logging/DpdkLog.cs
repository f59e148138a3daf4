using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using DpdkSharp.Interop;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DpdkSharp.Runtime;

/// <summary>
/// DPDK's own log (<c>rte_log</c>) routed into <see cref="ILogger"/>, and the runtime's logger. With
/// <see cref="EalOptions.LoggerFactory"/> set, <see cref="Eal.Initialize"/> opens a stream whose writes come here
/// (<c>rte_openlog_stream</c> over a <c>fopencookie</c> stream in the native shim) before <c>rte_eal_init</c>, so
/// the EAL's own start-up messages are included; without one DPDK's log is left as DPDK sets it up.
/// </summary>
internal static unsafe class DpdkLog
{
    /// <summary>The category of DPDK's own messages.</summary>
    internal const string DpdkCategory = "DpdkSharp.Dpdk";

    /// <summary>The category of the runtime's own messages (probe failures, teardown that could not complete).</summary>
    internal const string RuntimeCategory = "DpdkSharp.Runtime";

    private static readonly Lock Gate = new();
    private static ILogger? s_dpdk;
    private static ILogger s_runtime = NullLogger.Instance;
    private static bool s_streamOpen;
    private static List<string>? s_capture;

    /// <summary>The runtime's logger: the EAL's factory's, or a null logger.</summary>
    internal static ILogger Runtime => Volatile.Read(ref s_runtime);

    /// <summary>Sends DPDK's log and the runtime's messages to <paramref name="factory"/> from now on.</summary>
    /// <exception cref="DpdkException">The native stream could not be opened.</exception>
    internal static void Route(ILoggerFactory factory)
    {
        lock (Gate)
        {
            Volatile.Write(ref s_dpdk, factory.CreateLogger(DpdkCategory));
            Volatile.Write(ref s_runtime, factory.CreateLogger(RuntimeCategory));
            if (s_streamOpen)
            {
                return;
            }
            // The stream lives for the process: DPDK may log from any thread until it exits.
            var stream = Dpdk.log_stream_open(&OnWrite);
            if (stream == null)
            {
                throw new DpdkException("fopencookie", Marshal.GetLastSystemError(), "opening the stream that routes DPDK's log into ILogger");
            }
            Dpdk.rte_openlog_stream(stream);
            s_streamOpen = true;
        }
    }

    /// <summary>Starts keeping a copy of every routed message (for <see cref="Eal.Initialize"/>'s diagnostics).</summary>
    internal static void BeginCapture()
    {
        lock (Gate)
        {
            s_capture = [];
        }
    }

    /// <summary>Stops keeping copies and returns what was routed since <see cref="BeginCapture"/>.</summary>
    internal static List<string> EndCapture()
    {
        lock (Gate)
        {
            var captured = s_capture ?? [];
            s_capture = null;
            return captured;
        }
    }

    /// <summary>DPDK's level (<c>RTE_LOG_*</c>, 1 to 8) as a <see cref="LogLevel"/>.</summary>
    internal static LogLevel MapLevel(uint level) => level switch
    {
        <= (uint)DpdkLogLevel.Critical => LogLevel.Critical,
        (uint)DpdkLogLevel.Error => LogLevel.Error,
        (uint)DpdkLogLevel.Warning => LogLevel.Warning,
        (uint)DpdkLogLevel.Notice or (uint)DpdkLogLevel.Info => LogLevel.Information,
        _ => LogLevel.Debug,
    };

    /// <summary>
    /// Messages known to be harmless, logged at Debug whatever DPDK's level: net_tap on a kernel without the
    /// multiq qdisc (it then runs without rte_flow, which the runtime does not use) and net_tap's multi-process
    /// channel when secondary processes are off (<c>--no-shconf</c>, or an lcore registered by the stack).
    /// </summary>
    internal static bool IsKnownNoise(string message) =>
        message.Contains("qdisc", StringComparison.Ordinal)
        || message.Contains("Disabling rte flow support", StringComparison.Ordinal)
        || (message.Contains("tap", StringComparison.OrdinalIgnoreCase)
            && (message.Contains("IPC", StringComparison.Ordinal) || message.Contains("secondary process", StringComparison.Ordinal)
                || message.Contains("multi-process", StringComparison.Ordinal)));

    [UnmanagedCallersOnly]
    private static void OnWrite(uint level, uint logtype, byte* text, nuint length)
    {
        // Nothing may escape into DPDK's C frames.
        try
        {
            var message = Encoding.UTF8.GetString(text, (int)Math.Min(length, int.MaxValue)).TrimEnd('\n', '\r', ' ');
            if (message.Length == 0)
            {
                return;
            }
            lock (Gate)
            {
                s_capture?.Add(message);
            }
            var logger = Volatile.Read(ref s_dpdk);
            var mapped = IsKnownNoise(message) ? LogLevel.Debug : MapLevel(level);
            if (logger is not null && logger.IsEnabled(mapped))
            {
                Write(logger, mapped, (int)logtype, message);
            }
        }
        catch (Exception)
        {
            // A failing logger loses one DPDK message rather than the process.
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Write(ILogger logger, LogLevel level, int logtype, string message) =>
        logger.Log(level, new EventId(logtype, "dpdk"), "{DpdkMessage}", message);
}
