using Microsoft.Extensions.Logging;

namespace DpdkSharp.Pktgen;

/// <summary>
/// DPDK's log and the runtime's messages on standard error (DPDK writes its log to standard output by default): the
/// JSON lines and CSV rows on standard output stay parseable and the live table is not torn. Information and above,
/// each line prefixed like the tool's own errors; the runtime already lowers net_tap's known harmless messages to Debug.
/// </summary>
internal sealed class StderrLog(TextWriter stderr) : ILoggerFactory, ILogger
{
    private readonly TextWriter _stderr = TextWriter.Synchronized(stderr); // DPDK logs from its own threads too

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel is >= LogLevel.Information and < LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            _stderr.WriteLine("dpdk: " + formatter(state, exception).TrimEnd());
        }
    }

    public void Dispose()
    {
    }
}
