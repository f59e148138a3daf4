namespace DpdkSharp.Generator.Tests.Emit;

/// <summary>
/// Calls through the generated stubs into gcc-built C: exported and static inline functions (through the
/// generated shim), function pointers both ways, enums and the type mapping of parameters and returns.
/// </summary>
public class CallTests
{
    [Fact]
    public void Exported_and_static_inline_functions()
    {
        var result = NativeFixture.Run("functions", """
            using System.Runtime.CompilerServices;
            using System.Runtime.InteropServices;
            namespace Fixtures;
            public static unsafe class Probe
            {
                [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
                private static int Twice(int value) => value * 2;

                public static string Run()
                {
                    ulong v = 41;
                    Native.fn_increment(&v);
                    var variadic = typeof(Native).GetMethod("fn_log") is null;
                    return $"{Native.fn_add(2, 3)} {Native.fn_mul(6, 7)} {v} {Native.fn_call(&Twice, 5)} {Native.fn_burst(1, null, 2)} {variadic}";
                }
            }
            """);
        Assert.Equal("5 42 42 11 3 True", result);
    }

    [Fact]
    public void Function_pointers_both_ways()
    {
        var result = NativeFixture.Run("function_pointers", """
            using System.Runtime.CompilerServices;
            using System.Runtime.InteropServices;
            namespace Fixtures;
            public static unsafe class Probe
            {
                [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
                private static int Sub(int a, int b) => a - b;

                [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
                private static int Compare(void* a, void* b) => *(int*)a - *(int*)b;

                public static string Run()
                {
                    int x = 1, y = 2;
                    ops o = default;
                    Native.fp_install(&o);
                    ulong hash = o.hash(null, 3, 2);
                    return $"{Native.fp_apply(&Sub, 7, 3)} {Native.fp_sort_first(&Compare, &y, &x)} {o.compare(&x, &y)} {hash} {o.on_event == null}";
                }
            }
            """);
        Assert.Equal("4 1 -1 65 True", result);
    }

    [Fact]
    public void Type_mapping_of_parameters_returns_and_fields()
    {
        var result = NativeFixture.Run("types", """
            using System.Runtime.InteropServices;
            namespace Fixtures;
            public static unsafe partial class Probe
            {
                [LibraryImport("fixtures")]
                private static partial nuint types_offset(int which);

                public static string Run()
                {
                    mixed m = default;
                    m.port = 4242;
                    var wide = (byte*)&m.wide - (byte*)&m;
                    var device = (byte*)&m.device - (byte*)&m;
                    var vector = typeof(Native).GetMethod("types_vector") is null;
                    return $"{Native.types_port(&m)} {Native.types_long(-21)} {Native.types_negate(true)} {Native.types_device() != null} " +
                           $"{Marshal.PtrToStringUTF8((nint)Native.types_name())} {wide}/{types_offset(0)} {device}/{types_offset(1)} {sizeof(mixed)}/{types_offset(2)} " +
                           $"{sizeof(with_vector)} {vector}";
                }
            }
            """);
        Assert.Equal("4242 -42 False True dpdksharp 48/48 64/64 96/96 32 True", result);
    }

    [Fact]
    public void Enums_keep_values_and_underlying_types()
    {
        var result = NativeFixture.Run("enums", """
            namespace Fixtures;
            public static class Probe
            {
                public static string Run() =>
                    $"{Native.enums_next(colour.COLOUR_RED)} {Native.enums_next(colour.COLOUR_BLUE)} {(ulong)wide.WIDE_BIG:X} " +
                    $"{(int)signed_values.SV_NEGATIVE} {Native.ANON_B} {typeof(wide).GetEnumUnderlyingType().Name} {typeof(signed_values).GetEnumUnderlyingType().Name}";
            }
            """);
        Assert.Equal("COLOUR_GREEN COLOUR_RED 100000000 -2 20 UInt64 Int32", result);
    }
}
