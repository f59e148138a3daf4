using System.Runtime.CompilerServices;
using DpdkSharp.Interop;
using DpdkSharp.Runtime.Native;

namespace DpdkSharp.Runtime;

/// <summary>
/// A DPDK hash table (<c>rte_hash</c>) keyed by the bytes of an unmanaged <typeparamref name="TKey"/>, each key
/// with an optional pointer-sized value. Keys compare by their bytes (memcmp): give key structs no padding, or
/// zero it. Owned by this object: <see cref="Dispose"/> frees it. Not safe for concurrent writers (DPDK's default).
/// </summary>
public sealed unsafe class Hash<TKey> : IDisposable where TKey : unmanaged
{
    private rte_hash* _hash;

    private Hash(rte_hash* hash, string name, int capacity)
    {
        _hash = hash;
        Name = name;
        Capacity = capacity;
    }

    /// <summary>The table's name.</summary>
    public string Name { get; }

    /// <summary>Entries requested at creation.</summary>
    public int Capacity { get; }

    /// <summary>The raw table.</summary>
    public rte_hash* Pointer
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            var h = _hash;
            if (h == null)
            {
                throw new ObjectDisposedException(nameof(Hash<TKey>), $"Hash '{Name}' was disposed.");
            }

            return h;
        }
    }

    /// <summary>Creates a table for <paramref name="entries"/> keys (<c>rte_hash_create</c>, DPDK's default hash function).</summary>
    /// <exception cref="DpdkException">rte_hash_create failed (name in use, out of memory, invalid size).</exception>
    public static Hash<TKey> Create(string name, int entries, int socketId = Dpdk.SOCKET_ID_ANY)
    {
        Eal.EnsureInitialized();
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (System.Text.Encoding.UTF8.GetByteCount(name) >= Dpdk.RTE_HASH_NAMESIZE)
        {
            throw new ArgumentException($"Hash name '{name}' is too long: at most {Dpdk.RTE_HASH_NAMESIZE - 1} bytes.", nameof(name));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(entries, 8);

        using var native = new Utf8String(name);
        var parameters = new rte_hash_parameters
        {
            name = native.Pointer,
            entries = (uint)entries,
            key_len = (uint)sizeof(TKey),
            socket_id = socketId,
        };
        var hash = Dpdk.rte_hash_create(&parameters);
        if (hash == null)
        {
            throw DpdkException.FromErrno("rte_hash_create", $"hash '{name}', {entries} entries, key {sizeof(TKey)} bytes");
        }

        return new Hash<TKey>(hash, name, entries);
    }

    /// <summary>Keys in the table.</summary>
    public int Count => DpdkException.Check(Dpdk.rte_hash_count(Pointer), "rte_hash_count");

    /// <summary>Adds <paramref name="key"/> (or finds it) and returns its position, a stable index below the capacity.</summary>
    /// <exception cref="DpdkException">The table is full (ENOSPC).</exception>
    public int Add(in TKey key)
    {
        fixed (TKey* k = &key)
        {
            return DpdkException.Check(Dpdk.rte_hash_add_key(Pointer, k), "rte_hash_add_key", $"hash '{Name}'");
        }
    }

    /// <summary>Adds <paramref name="key"/> with <paramref name="value"/>, replacing the value of an existing key.</summary>
    /// <exception cref="DpdkException">The table is full (ENOSPC).</exception>
    public void Set(in TKey key, nuint value)
    {
        fixed (TKey* k = &key)
        {
            DpdkException.Check(Dpdk.rte_hash_add_key_data(Pointer, k, (void*)value), "rte_hash_add_key_data", $"hash '{Name}'");
        }
    }

    /// <summary>The position of <paramref name="key"/>, or -1 when absent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Lookup(in TKey key)
    {
        int rc;
        fixed (TKey* k = &key)
        {
            rc = Dpdk.rte_hash_lookup(Pointer, k);
        }

        return rc >= 0 ? rc : Absent(rc, "rte_hash_lookup");
    }

    /// <summary>The value stored with <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetValue(in TKey key, out nuint value)
    {
        void* data;
        int rc;
        fixed (TKey* k = &key)
        {
            rc = Dpdk.rte_hash_lookup_data(Pointer, k, &data);
        }

        value = (nuint)data;
        return rc >= 0 || Absent(rc, "rte_hash_lookup_data") >= 0;
    }

    /// <summary>Looks up many keys at once (<c>rte_hash_lookup_bulk</c>, 64 at a time): positions, -1 for absent keys. Returns the number found.</summary>
    public int LookupBulk(ReadOnlySpan<TKey> keys, Span<int> positions)
    {
        if (positions.Length < keys.Length)
        {
            throw new ArgumentException("positions must be at least as long as keys.", nameof(positions));
        }

        const int chunk = Dpdk.RTE_HASH_LOOKUP_BULK_MAX;
        var pointers = stackalloc void*[chunk];
        var found = 0;
        fixed (TKey* k = keys)
        fixed (int* pos = positions)
        {
            for (var start = 0; start < keys.Length; start += chunk)
            {
                var n = Math.Min(chunk, keys.Length - start);
                for (var i = 0; i < n; i++)
                {
                    pointers[i] = k + start + i;
                }

                DpdkException.Check(Dpdk.rte_hash_lookup_bulk(Pointer, pointers, (uint)n, pos + start), "rte_hash_lookup_bulk");
            }
        }
        for (var i = 0; i < keys.Length; i++)
        {
            if (positions[i] >= 0)
            {
                found++;
            }
            else
            {
                positions[i] = -1;
            }
        }
        return found;
    }

    /// <summary>Removes <paramref name="key"/>; returns the position it had, or -1 when absent.</summary>
    public int Delete(in TKey key)
    {
        int rc;
        fixed (TKey* k = &key)
        {
            rc = Dpdk.rte_hash_del_key(Pointer, k);
        }

        return rc >= 0 ? rc : Absent(rc, "rte_hash_del_key");
    }

    /// <summary>Removes every key (<c>rte_hash_reset</c>).</summary>
    public void Clear() => Dpdk.rte_hash_reset(Pointer);

    /// <summary>A snapshot of every key and value (<c>rte_hash_iterate</c>).</summary>
    public List<KeyValuePair<TKey, nuint>> ToList()
    {
        var result = new List<KeyValuePair<TKey, nuint>>();
        uint next = 0;
        void* key;
        void* data;
        while (Dpdk.rte_hash_iterate(Pointer, &key, &data, &next) >= 0)
        {
            result.Add(new(*(TKey*)key, (nuint)data));
        }

        return result;
    }

    // ENOENT means absent; anything else (EINVAL) is a misuse to report.
    private int Absent(int rc, string function) => rc == -2 /* ENOENT */ ? -1 : throw new DpdkException(function, rc, $"hash '{Name}'");

    /// <summary>Frees the table (<c>rte_hash_free</c>).</summary>
    public void Dispose()
    {
        if (_hash == null)
        {
            return;
        }

        Dpdk.rte_hash_free(_hash);
        _hash = null;
    }
}
