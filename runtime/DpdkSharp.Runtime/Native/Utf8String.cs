using System.Runtime.InteropServices;
using System.Text;

namespace DpdkSharp.Runtime.Native;

/// <summary>A NUL-terminated UTF-8 copy of a string in native memory, for the duration of one call.</summary>
internal unsafe readonly ref struct Utf8String
{
    private readonly byte* _bytes;

    public Utf8String(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        _bytes = (byte*)NativeMemory.Alloc((nuint)length + 1);
        Encoding.UTF8.GetBytes(value, new Span<byte>(_bytes, length));
        _bytes[length] = 0;
    }

    /// <summary>The string as DPDK's <c>const char*</c>.</summary>
    public sbyte* Pointer => (sbyte*)_bytes;

    public void Dispose() => NativeMemory.Free(_bytes);

    /// <summary>Reads a NUL-terminated C string (NULL reads as empty).</summary>
    public static string Read(sbyte* text) => text == null ? "" : Marshal.PtrToStringUTF8((nint)text) ?? "";

    /// <summary>Reads a C string held in a fixed-size char array.</summary>
    public static string Read(ReadOnlySpan<sbyte> fixedArray)
    {
        var bytes = MemoryMarshal.Cast<sbyte, byte>(fixedArray);
        var end = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
    }
}

/// <summary>An argv array (<c>char**</c>) in native memory that DPDK may keep pointers into.</summary>
internal sealed unsafe class NativeArgv : IDisposable
{
    private readonly byte** _argv;
    private readonly int _count;

    public NativeArgv(IReadOnlyList<string> arguments)
    {
        _count = arguments.Count;
        _argv = (byte**)NativeMemory.AllocZeroed((nuint)(_count + 1), (nuint)sizeof(byte*));
        for (var i = 0; i < _count; i++)
        {
            var length = Encoding.UTF8.GetByteCount(arguments[i]);
            var bytes = (byte*)NativeMemory.Alloc((nuint)length + 1);
            Encoding.UTF8.GetBytes(arguments[i], new Span<byte>(bytes, length));
            bytes[length] = 0;
            _argv[i] = bytes;
        }
    }

    public int Count => _count;
    public sbyte** Pointer => (sbyte**)_argv;

    public void Dispose()
    {
        for (var i = 0; i < _count; i++)
        {
            NativeMemory.Free(_argv[i]);
        }

        NativeMemory.Free(_argv);
    }
}
