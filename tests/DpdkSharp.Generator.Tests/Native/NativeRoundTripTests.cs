using System.Reflection;
using System.Runtime.InteropServices;
using DpdkSharp.Generator.Tests.Infrastructure;

namespace DpdkSharp.Generator.Tests.Native;

/// <summary>
/// The fixtures, their C implementations (fixtures_impl.c) and the generated shim are compiled into one
/// shared library with gcc; the generated C# is compiled with a driver in memory; then C fills records and
/// C# reads every field, C# fills and C checks, and static inline functions are called through the shim.
/// Both sides must agree on every field: bit-fields, unions, anonymous members, packed and over-aligned.
/// </summary>
public class NativeRoundTripTests
{
    private static readonly string[] Headers =
    [
        "records.h", "bitfields.h", "packed_aligned.h", "flexible_arrays.h", "fixed_arrays.h", "enums.h",
        "types.h", "function_pointers.h", "functions.h",
    ];

    [Fact]
    public void CAndCSharpAgreeOnEveryField()
    {
        var output = FixtureGeneration.Generate(Headers);
        var library = Path.Combine(output.Folder, "libfixtures.so");
        var impl = Path.Combine(Snapshot.ProjectDirectory(FixtureGeneration.Directory()), "Native", "fixtures_impl.c");
        Gcc.Compile("-std=gnu11", "-O1", "-shared", "-fPIC", "-I", FixtureGeneration.Directory(), "-o", library, impl, output.Shim);
        Gcc.Compile("-std=gnu11", "-fsyntax-only", output.LayoutCheck);

        var compiled = InMemoryCompiler.Compile("roundtrip", [.. output.AllCSharp(), Driver]);
        Assert.True(compiled.Assembly is not null && !compiled.Problems.Any(), compiled.Describe());
        NativeLibrary.SetDllImportResolver(compiled.Assembly!, (name, _, _) =>
            name == FixtureGeneration.Library ? NativeLibrary.Load(library) : 0);

        var run = compiled.Assembly!.GetType("Driver")!.GetMethod("Run", BindingFlags.Public | BindingFlags.Static)!;
        var failures = (string)run.Invoke(null, null)!;
        Assert.True(failures.Length == 0, failures);
    }

    private const string Driver = """
        using System;
        using System.Collections.Generic;
        using System.Runtime.CompilerServices;
        using System.Runtime.InteropServices;
        using Fixtures;

        public static unsafe class Driver
        {
            private static readonly List<string> Failures = new();

            private static void Expect<T>(T actual, T expected, string what)
            {
                if (!EqualityComparer<T>.Default.Equals(actual, expected))
                    Failures.Add($"{what}: C# read {actual}, expected {expected}");
            }

            [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
            private static int Multiply(int a, int b) => a * b;

            [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
            private static int Triple(int x) => x * 3;

            public static string Run()
            {
                Records();
                BitFields();
                Packed();
                Arrays();
                Flexible();
                Types();
                FunctionPointers();
                Functions();
                return string.Join("\n", Failures);
            }

            private static void Records()
            {
                shape s;
                Native.records_fill(&s);
                Expect(s.kind, (byte)7, "shape.kind");
                Expect(s.origin.x, -5, "shape.origin.x");
                Expect(s.origin.y, 9, "shape.origin.y");
                Expect(s.width, 0x11111111u, "shape.width (anonymous struct in anonymous union)");
                Expect(s.height, 0x22222222u, "shape.height");
                Expect(s.raw, 0x2222222211111111UL, "shape.raw (union overlaps width/height)");
                Expect(s.color.b, (ushort)3, "shape.color.b (unnamed type)");
                Expect((nint)s.next, (nint)(&s), "shape.next");
                s.kind = 9; s.origin.x = 1; s.origin.y = -2; s.raw = 0x0000000A0000000BUL;
                s.color.r = 4; s.color.g = 5; s.color.b = 6; s.next = null;
                Expect(s.width, 11u, "shape.width after writing raw");
                Expect(Native.records_check(&s), 1, "records_check (C reads what C# wrote)");
            }

            private static void BitFields()
            {
                flags f; offload o; packed_bits p;
                Native.bitfields_fill(&f, &o, &p);
                Expect(f.a, 5u, "flags.a"); Expect(f.b, 0x1234u, "flags.b"); Expect(f.c, -7, "flags.c (signed)");
                Expect(f.d, true, "flags.d (bool)"); Expect(f.e, 0xABCDEF1234UL, "flags.e (40 bits)"); Expect(f.f, 0x2ABCDEF1UL, "flags.f (next unit)");
                Expect(o.l2_len, 14UL, "offload.l2_len"); Expect(o.l3_len, 40UL, "offload.l3_len"); Expect(o.l4_len, 20UL, "offload.l4_len");
                Expect(o.tso_segsz, 1460UL, "offload.tso_segsz"); Expect(o.outer_l3_len, 20UL, "offload.outer_l3_len"); Expect(o.outer_l2_len, 14UL, "offload.outer_l2_len");
                Expect(p.head, (byte)0xAA, "packed_bits.head"); Expect(p.x, 0xABCu, "packed_bits.x");
                Expect(p.y, 0x0FEDCBA987654321UL, "packed_bits.y (60 bits, unaligned)"); Expect(p.z, (short)-100, "packed_bits.z (signed, packed)");
                f.a = 2; f.b = 100; f.c = 15; f.d = false; f.e = 1; f.f = 0x3FFFFFFF;
                o.l2_len = 1; o.l3_len = 300; o.l4_len = 255; o.tso_segsz = 9000; o.outer_l3_len = 511; o.outer_l2_len = 127;
                p.head = 0x55; p.x = 0x123; p.y = 0x0123456789ABCDEUL; p.z = -256;
                Expect(f.c, 15, "flags.c round trip"); Expect(p.z, (short)-256, "packed_bits.z round trip");
                Expect(Native.bitfields_check(&f, &o, &p), 1, "bitfields_check");
            }

            private static void Packed()
            {
                wire_header w; ether_addr_like e; queue_stats q;
                Expect(sizeof(wire_header), 7, "sizeof(wire_header)");
                Expect(sizeof(ether_addr_like), 10, "sizeof(ether_addr_like)");
                Expect(sizeof(queue_stats), 320, "sizeof(queue_stats)");
                Native.packed_fill(&w, &e, &q);
                Expect(w.length, 0xDEADBEEFu, "wire_header.length (packed, offset 1)"); Expect(w.checksum, (ushort)0xBEEF, "wire_header.checksum");
                Expect(e.bytes[5], (byte)6, "ether_addr_like.bytes[5]"); Expect(e.tag, (ushort)0x1234, "ether_addr_like.tag"); Expect(e.tail, (byte)9, "ether_addr_like.tail");
                Expect(q.packets, 0x123456789UL, "queue_stats.packets (aligned 64)"); Expect(q.lines[1].counter, 22UL, "queue_stats.lines[1]"); Expect(q.tail, 77u, "queue_stats.tail");
                w.type = 2; w.length = 0x01020304; w.checksum = 0xFFFE;
                e.bytes[0] = 0xA0; e.bytes[5] = 0xA5; e.tag = 0x4321; e.tail = 1;
                q.id = 4; q.packets = 99; q.lines[0].counter = 1; q.lines[1].counter = 2; q.tail = 5;
                Expect(Native.packed_check(&w, &e, &q), 1, "packed_check");
            }

            private static void Arrays()
            {
                table t;
                Native.arrays_fill(&t);
                Expect(t.key[39], (byte)39, "table.key[39]");
                Expect(t.grid[2][3], 23u, "table.grid[2][3]");
                Expect(t.slots[3], (nint)0x1003, "table.slots[3] (pointer array)");
                Expect(Marshal.PtrToStringUTF8(t.names[1]), "beta", "table.names[1]");
                Expect(t.cells[2].v, (ushort)200, "table.cells[2].v");
                t.key[39] = 0x39; t.grid[2][3] = 777; t.slots[3] = 0x4242; t.cells[2].v = 65535; t.cells[2].w = 7; t.names[1] = 0;
                Expect(Native.arrays_check(&t), 1, "arrays_check");
            }

            private static void Flexible()
            {
                var buffer = stackalloc ulong[8];
                var m = (message*)buffer;
                m->length = 1000;
                m->count = 3;
                var items = m->items(3);
                items[0] = 1; items[1] = 20; items[2] = 300;
                Expect(Native.flexible_sum(m), 1321, "flexible_sum (items written through the span accessor)");
                Expect(sizeof(message), 8, "sizeof(message): no storage for zero-length or flexible arrays");
            }

            private static void Types()
            {
                var name = Marshal.StringToCoTaskMemUTF8("ok");
                mixed m = default;
                m.port = 77; m.name = (sbyte*)name; m.enabled = true; m.c = -3; m.uc = 250; m.l = unchecked((nint)(-5000000000L));
                m.refcnt = 8; m.d = 2.5; m.f = 0.5f; m.wide = (Int128)1 << 100;
                Expect(Native.types_port(&m), (ushort)77, "types_port (every field of mixed checked in C)");
                Marshal.FreeCoTaskMem(name);
                Expect(Native.types_long(-21), (nint)(-42), "types_long");
                Expect(Native.types_negate(true), false, "types_negate");
                Expect((nint)Native.types_device(), (nint)0x1234, "types_device (opaque pointer)");
                Expect(Marshal.PtrToStringUTF8((nint)Native.types_name()), "dpdksharp", "types_name");
            }

            private static void FunctionPointers()
            {
                Expect(Native.fp_apply(&Multiply, 6, 7), 42, "fp_apply (C calls a C# function pointer)");
                ops o;
                Native.fp_install(&o);
                int a = 3, b = 5;
                Expect(o.compare(&a, &b) < 0, true, "ops.compare (C# calls a C function pointer field)");
                uint seen = 0;
                o.on_event(&seen, 42);
                Expect(seen, 42u, "ops.on_event");
                var key = stackalloc byte[] { 1, 2 };
                Expect(o.hash(key, 2, 7), (ulong)((7 * 31 + 1) * 31 + 2), "ops.hash");
                Expect(Native.fp_sort_first(o.compare, &b, &a), 1, "fp_sort_first (typedef'd pointer passed back)");
            }

            private static void Functions()
            {
                Expect(Native.fn_add(2, 3), 5, "fn_add (exported)");
                Expect(Native.fn_mul(6, 7), 42u, "fn_mul (static inline, through the shim)");
                ulong v = 41;
                Native.fn_increment(&v);
                Expect(v, 42UL, "fn_increment (void inline)");
                Expect(Native.fn_call(&Triple, 5), 16, "fn_call (function-pointer parameter through the shim)");
                Expect(Native.fn_burst(1, null, 4), (ushort)5, "fn_burst");
                Expect(Native.enums_next(colour.COLOUR_GREEN), colour.COLOUR_BLUE, "enums_next");
            }
        }
        """;
}
