namespace DpdkSharp.Generator.Tests.Emit;

/// <summary>
/// Records as C lays them out: nested and anonymous members, packed, packed+aligned and over-aligned records,
/// fixed arrays (two dimensions, pointers, records) and flexible arrays; C writes, C# reads and the other way.
/// </summary>
public class LayoutTests
{
    [Fact]
    public void Nested_and_anonymous_members()
    {
        var result = NativeFixture.Run("records", """
            namespace Fixtures;
            public static unsafe class Probe
            {
                public static string Run()
                {
                    shape s = default;
                    Native.records_fill(&s);
                    var read = $"{s.kind} {s.origin.x} {s.origin.y} {s.width} {s.height} {s.raw:X} {s.color.r}{s.color.g}{s.color.b} {s.next == &s}";
                    s.kind = 7; s.origin.x = 10; s.origin.y = -20; s.width = 1920; s.height = 1080;
                    s.color = new shape__color { r = 4, g = 5, b = 6 };
                    s.next = null;
                    return $"{read} => {Native.records_check(&s)}";
                }
            }
            """);
        Assert.Equal("3 -1 2 640 480 1E000000280 123 True => 0", result);
    }

    [Fact]
    public void Packed_and_aligned_records_have_c_sizes_and_offsets()
    {
        var result = NativeFixture.Run("packed_aligned", """
            using System.Runtime.InteropServices;
            namespace Fixtures;
            public static unsafe partial class Probe
            {
                [LibraryImport("fixtures")]
                private static partial nuint packed_sizeof(int which);

                public static string Run()
                {
                    var sizes = $"{sizeof(wire_header)}/{packed_sizeof(0)} {sizeof(ether_addr_like)}/{packed_sizeof(1)} {sizeof(cache_line)}/{packed_sizeof(2)} {sizeof(queue_stats)}/{packed_sizeof(3)}";
                    wire_header w = default; ether_addr_like e = default; queue_stats q = default;
                    Native.packed_fill(&w, &e, &q);
                    var read = $"{w.type} {w.length:X} {w.checksum:X} | {e.bytes[0]}{e.bytes[5]} {e.tag:X} {e.tail} | {q.id} {q.packets} {q.lines[1].counter} {q.tail}";
                    w.type = 2; w.length = 0x55667788; w.checksum = 0xCAFE;
                    e.bytes[5] = 0xEE; e.tag = 0x0C0D; e.tail = 8;
                    q.id = 10; q.packets = 987654321; q.lines[0].counter = 1; q.tail = 78;
                    // Arrays of packed records keep C's stride (sizeof, no rounding).
                    var pair = stackalloc wire_header[2];
                    var stride = (byte*)&pair[1] - (byte*)&pair[0];
                    return $"{sizes} | {read} | stride {stride} => {Native.packed_check(&w, &e, &q)}";
                }
            }
            """);
        Assert.Equal("7/7 10/10 64/64 320/320 | 1 11223344 BEEF | 16 A0B 7 | 9 123456789 42 77 | stride 7 => 0", result);
    }

    [Fact]
    public void Fixed_arrays_of_values_records_and_pointers()
    {
        var result = NativeFixture.Run("fixed_arrays", """
            using System.Runtime.InteropServices;
            namespace Fixtures;
            public static unsafe class Probe
            {
                public static string Run()
                {
                    table t = default;
                    Native.arrays_fill(&t);
                    var read = $"{t.key[39]} {t.grid[2][3]} {t.grid[1][0]} {(nint)t.slots.Get(3):X} {Marshal.PtrToStringUTF8((nint)t.names.Get(1))} {t.cells[2].v} {t.cells[2].w}";
                    t.key[39] = 0xFF; t.grid[2][3] = 777; t.grid[1][0] = 5;
                    t.slots.Set(3, &t);
                    var gamma = (sbyte*)NativeMemory.Alloc(6);
                    "gamma\0"u8.CopyTo(new System.Span<byte>(gamma, 6));
                    t.names.Set(1, gamma);
                    t.cells[2] = new cell { v = 65535, w = 9 };
                    var check = Native.arrays_check(&t);
                    NativeMemory.Free(gamma);
                    return $"{read} => {check}";
                }
            }
            """);
        Assert.Equal("39 23 10 1003 beta 102 2 => 0", result);
    }

    [Fact]
    public void Flexible_and_zero_length_arrays_are_accessors_without_storage()
    {
        var result = NativeFixture.Run("flexible_arrays", """
            using System.Runtime.InteropServices;
            namespace Fixtures;
            public static unsafe class Probe
            {
                public static string Run()
                {
                    var m = (message*)NativeMemory.AllocZeroed((nuint)(sizeof(message) + 3 * sizeof(uint)));
                    m->count = 3;
                    var items = m->items(3);
                    items[0] = 10; items[1] = 20; items[2] = 12;
                    var sum = Native.flexible_sum(m);
                    var zero = m->zero(2);   // zero[0] is where count starts
                    var start = m->start(1); // a marker at offset 0: aliases length
                    m->length = 0x1234;
                    var result = $"{sizeof(message)} {sum} {zero[0]} {start[0] & 0xFFFFFFFF:X}"; // start[0] spans length and count
                    NativeMemory.Free(m);
                    return result;
                }
            }
            """);
        Assert.Equal("8 42 3 1234", result);
    }
}
