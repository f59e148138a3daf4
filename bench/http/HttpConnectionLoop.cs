using System.Diagnostics;
using System.Text;
using HdrHistogram;

namespace DpdkSharp.Bench.Http;

/// <summary>
/// One keep-alive connection's closed loop, whatever carries its bytes: <see cref="NextBatch"/> gives the requests to
/// send (one GET, or <c>pipeline</c> of them in one write, as wrk's pipelining script does) and stamps the batch;
/// <see cref="Feed"/> parses the responses as their bytes arrive, in any split, and records each one's latency (batch
/// sent to its last byte, as wrk measures) when it completes; once every response of the batch came, the transport
/// asks for the next batch. A response's body is framed by its Content-Length or by chunked transfer coding (Kestrel
/// chunks HelloHttp's GET /: the endpoint writes its string without a length); a malformed response, or one with
/// neither, ends the loop as a protocol error, and so does a connection that ends.
/// Single-threaded: one transport thread at a time; read after <see cref="Idle"/> becomes true.
/// </summary>
internal sealed class HttpConnectionLoop
{
    private const int MaxLineBytes = 8192;

    private enum State { StatusLine, Header, Body, ChunkSize, ChunkData, ChunkEnd, Trailer, Done }

    private readonly byte[] _line = new byte[MaxLineBytes];
    private readonly RunClock _clock;
    private byte[] _requests = [];
    private int _pipeline;
    private State _state;
    private int _lineLength;
    private long _remaining; // bytes left of the body or of the chunk
    private long _contentLength;
    private bool _chunked;
    private int _status;
    private int _outstanding;
    private long _batchStart;
    private volatile bool _idle = true;

    public HttpConnectionLoop(RunClock clock) => _clock = clock;

    /// <summary>Latencies in microseconds of the responses that completed before the run's end.</summary>
    public LongHistogram Latency { get; } = new(1, 60_000_000, 3);

    /// <summary>Responses with a 2xx status that completed before the run's end.</summary>
    public long Ok { get; private set; }

    /// <summary>Responses with another status that completed before the run's end.</summary>
    public long NotOk { get; private set; }

    /// <summary>Why the loop stopped early (bad framing, the connection ended); null while it works.</summary>
    public string? Failure { get; private set; }

    /// <summary>The requests of a batch (what <see cref="NextBatch"/> returned last).</summary>
    public byte[] CurrentBatch => _requests;

    /// <summary>No batch in flight: the loop stopped after the run's end or failed.</summary>
    public bool Idle => _idle;

    /// <summary>Prepares a run: the requests of one batch (<paramref name="pipeline"/> GETs for <paramref name="host"/>), counters cleared.</summary>
    public void Reset(string host, int pipeline)
    {
        var one = $"GET / HTTP/1.1\r\nHost: {host}\r\n\r\n";
        _requests = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(one, pipeline)));
        _pipeline = pipeline;
        Latency.Reset();
        Ok = 0;
        NotOk = 0;
    }

    /// <summary>The next batch to send, stamped now; empty once the run ended (the loop is then idle) or after a failure.</summary>
    public ReadOnlySpan<byte> NextBatch()
    {
        if (Failure is not null || _clock.Ended)
        {
            _idle = true;
            return default;
        }
        _idle = false;
        _outstanding = _pipeline;
        _batchStart = Stopwatch.GetTimestamp();
        return _requests;
    }

    /// <summary>Parses received bytes; true when the batch's last response completed (send the next batch).</summary>
    public bool Feed(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty && Failure is null)
        {
            if (_state is State.Body or State.ChunkData)
            {
                int take = (int)Math.Min(_remaining, data.Length);
                data = data[take..];
                _remaining -= take;
                if (_remaining > 0)
                {
                    continue;
                }
                if (_state == State.ChunkData)
                {
                    _state = State.ChunkEnd;
                    continue;
                }
            }
            else
            {
                if (!TakeLine(ref data, out var line))
                {
                    continue; // the line goes on in the next bytes
                }
                if (!Parse(line))
                {
                    break;
                }
                if (_state != State.Done)
                {
                    continue;
                }
            }
            // A response ended.
            _state = State.StatusLine;
            if (Completed())
            {
                return !data.IsEmpty ? Fail("bytes after the batch's last response") : true;
            }
        }
        return false;
    }

    /// <summary>Gathers one CRLF-ended line (it may come split); false while it is incomplete.</summary>
    private bool TakeLine(ref ReadOnlySpan<byte> data, out ReadOnlySpan<byte> line)
    {
        int lf = data.IndexOf((byte)'\n');
        int take = lf < 0 ? data.Length : lf + 1;
        if (_lineLength + take > MaxLineBytes)
        {
            line = default;
            Fail($"a response line longer than {MaxLineBytes} bytes");
            data = default;
            return false;
        }
        data[..take].CopyTo(_line.AsSpan(_lineLength));
        _lineLength += take;
        data = data[take..];
        if (lf < 0)
        {
            line = default;
            return false;
        }
        line = _line.AsSpan(0, _lineLength);
        _lineLength = 0;
        if (line.Length < 2 || line[^2] != (byte)'\r')
        {
            Fail("a line not ended by CRLF");
            return false;
        }
        line = line[..^2];
        return true;
    }

    /// <summary>One line of a response's head (RFC 9112 §2.1, §4, §6) or of its chunked framing (§7.1).</summary>
    private bool Parse(ReadOnlySpan<byte> line)
    {
        switch (_state)
        {
            case State.StatusLine: // "HTTP/1.1 200 OK"
                if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || line[8] != (byte)' ' || !int.TryParse(line.Slice(9, 3), out _status))
                {
                    return Fail("not an HTTP/1.x status line");
                }
                _contentLength = -1;
                _chunked = false;
                _state = State.Header;
                return true;
            case State.Header when line.IsEmpty: // the head's end: the body's framing (§6.3)
                if (_chunked)
                {
                    _state = State.ChunkSize;
                }
                else if (_contentLength >= 0)
                {
                    _remaining = _contentLength;
                    _state = _remaining > 0 ? State.Body : State.Done;
                }
                else
                {
                    return Fail("a response with neither Content-Length nor chunked framing");
                }
                return true;
            case State.Header:
                if (StartsWithIgnoreCase(line, "content-length:"u8))
                {
                    if (!long.TryParse(line["content-length:".Length..].Trim((byte)' '), out _contentLength) || _contentLength < 0)
                    {
                        return Fail("a bad Content-Length");
                    }
                }
                else if (StartsWithIgnoreCase(line, "transfer-encoding:"u8))
                {
                    if (!line["transfer-encoding:".Length..].Trim((byte)' ').SequenceEqual("chunked"u8))
                    {
                        return Fail("a Transfer-Encoding other than chunked");
                    }
                    _chunked = true;
                }
                return true;
            case State.ChunkSize: // hex size, maybe ";extensions"
                int semicolon = line.IndexOf((byte)';');
                if (!long.TryParse(semicolon < 0 ? line : line[..semicolon], System.Globalization.NumberStyles.AllowHexSpecifier, null, out _remaining) || _remaining < 0)
                {
                    return Fail("a bad chunk size");
                }
                _state = _remaining > 0 ? State.ChunkData : State.Trailer;
                return true;
            case State.ChunkEnd:
                if (!line.IsEmpty)
                {
                    return Fail("chunk data longer than its size");
                }
                _state = State.ChunkSize;
                return true;
            case State.Trailer: // trailer fields until an empty line
                if (line.IsEmpty)
                {
                    _state = State.Done;
                }
                return true;
            default:
                return Fail($"a line in state {_state}");
        }
    }

    /// <summary>The connection ended or failed under the loop.</summary>
    public bool Fail(string why)
    {
        Failure ??= why;
        _idle = true;
        return false;
    }

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> lowerPrefix)
    {
        if (text.Length < lowerPrefix.Length)
        {
            return false;
        }
        for (int i = 0; i < lowerPrefix.Length; i++)
        {
            if ((text[i] | 0x20) != lowerPrefix[i])
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>A response ended: counted and timed if it ended within the run; true when it was the batch's last.</summary>
    private bool Completed()
    {
        long now = Stopwatch.GetTimestamp();
        if (!_clock.EndedAt(now))
        {
            Latency.RecordValue(Math.Max(1, (now - _batchStart) * 1_000_000 / Stopwatch.Frequency));
            if (_status is >= 200 and < 300)
            {
                Ok++;
            }
            else
            {
                NotOk++;
            }
        }
        return --_outstanding == 0;
    }
}

/// <summary>The current run's end, shared by every connection's loop.</summary>
internal sealed class RunClock
{
    private long _end = long.MaxValue;

    /// <summary>Starts a run of <paramref name="duration"/>.</summary>
    public void Start(TimeSpan duration) => Volatile.Write(ref _end, Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency));

    /// <summary>Ends the run now (a transport that fails stops the others' counting too).</summary>
    public void Stop() => Volatile.Write(ref _end, 0);

    /// <summary>Whether the run is over.</summary>
    public bool Ended => EndedAt(Stopwatch.GetTimestamp());

    /// <summary>Whether the run is over at <paramref name="timestamp"/>.</summary>
    public bool EndedAt(long timestamp) => timestamp >= Volatile.Read(ref _end);
}
