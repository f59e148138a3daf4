namespace DpdkSharp.Stack.Sockets;

/// <summary>
/// A bounded FIFO of datagrams in one byte ring plus a metadata ring. Payloads are copied in, so
/// the receive buffer (an mbuf in production) is free as soon as the frame is handled. The byte
/// ring grows by doubling up to its limit: idle endpoints cost little, busy ones stop allocating
/// once warm.
/// </summary>
internal sealed class DatagramQueue
{
    private struct Meta
    {
        public Ipv4Endpoint Remote;
        public ushort Tag;
        public int Length;
    }

    private int _maxBytes;
    private readonly Meta[] _meta;
    private byte[] _data = [];
    private int _dataHead;
    private int _dataUsed;
    private int _metaHead;
    private int _metaCount;

    public DatagramQueue(int maxBytes, int maxDatagrams)
    {
        _maxBytes = maxBytes;
        _meta = new Meta[Math.Max(1, maxDatagrams)];
    }

    public int Count => _metaCount;
    public int Bytes => _dataUsed;
    public int Capacity => _maxBytes;

    /// <summary>Changes the byte limit (SO_RCVBUF); queued data above a lower limit stays until read.</summary>
    public void SetLimit(int maxBytes) => _maxBytes = maxBytes;

    public bool TryEnqueue(ReadOnlySpan<byte> payload, Ipv4Endpoint remote, ushort tag)
    {
        if (_metaCount == _meta.Length || _dataUsed + payload.Length > _maxBytes)
        {
            return false;
        }
        if (_dataUsed + payload.Length > _data.Length)
        {
            Grow(_dataUsed + payload.Length);
        }
        int tail = (_dataHead + _dataUsed) % Math.Max(1, _data.Length);
        int first = Math.Min(payload.Length, _data.Length - tail);
        payload[..first].CopyTo(_data.AsSpan(tail));
        payload[first..].CopyTo(_data);
        _dataUsed += payload.Length;
        _meta[(_metaHead + _metaCount) % _meta.Length] = new Meta { Remote = remote, Tag = tag, Length = payload.Length };
        _metaCount++;
        return true;
    }

    /// <summary>Copies the oldest datagram into <paramref name="destination"/> (truncating, like recvfrom) and removes it.</summary>
    public bool TryDequeue(Span<byte> destination, out int copied, out int length, out Ipv4Endpoint remote, out ushort tag)
    {
        if (_metaCount == 0)
        {
            copied = length = 0;
            remote = default;
            tag = 0;
            return false;
        }
        ref var m = ref _meta[_metaHead];
        length = m.Length;
        remote = m.Remote;
        tag = m.Tag;
        copied = Math.Min(length, destination.Length);
        if (length > 0)
        {
            int first = Math.Min(copied, _data.Length - _dataHead);
            _data.AsSpan(_dataHead, first).CopyTo(destination);
            _data.AsSpan(0, copied - first).CopyTo(destination[first..]);
            _dataHead = (_dataHead + length) % _data.Length;
            _dataUsed -= length;
        }
        _metaHead = (_metaHead + 1) % _meta.Length;
        _metaCount--;
        return true;
    }

    public void Clear()
    {
        _dataHead = _dataUsed = _metaHead = _metaCount = 0;
    }

    private void Grow(int needed)
    {
        int size = Math.Max(4096, _data.Length);
        while (size < needed)
        {
            size *= 2;
        }
        size = Math.Min(size, _maxBytes);
        var next = new byte[size];
        // Linearise the ring so the head is at 0.
        int first = Math.Min(_dataUsed, _data.Length - _dataHead);
        if (_dataUsed > 0)
        {
            _data.AsSpan(_dataHead, first).CopyTo(next);
            _data.AsSpan(0, _dataUsed - first).CopyTo(next.AsSpan(first));
        }
        _data = next;
        _dataHead = 0;
    }
}
