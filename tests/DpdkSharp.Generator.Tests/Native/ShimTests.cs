using System.Runtime.InteropServices;
using DpdkSharp.Generator.Emit.C;
using DpdkSharp.Generator.Parsing;
using DpdkSharp.Generator.Tests.Emit;
using DpdkSharp.Generator.Tests.Infrastructure;

namespace DpdkSharp.Generator.Tests.Native;

/// <summary>
/// The shim's wrappers, built by gcc into a shared object and called by their exported names: declarators C
/// cannot write before a name (function pointer returns, pointers to arrays, array and function parameters),
/// void through a typedef, and a function whose name a naive parameter name would hide.
/// </summary>
public unsafe class ShimTests
{
    private const string Header = """
        #include <stdint.h>
        typedef int (*binop_t)(int, int);
        typedef void nothing_t;
        static inline int sd_add(int a, int b) { return a + b; }
        static inline int (*sd_pick(int which))(int, int) { (void)which; return sd_add; }
        static inline binop_t sd_pick_typedef(void) { return sd_add; }
        static inline int sd_sum4(const int v[4]) { return v[0] + v[1] + v[2] + v[3]; }
        static inline int sd_rows(int (*rows)[2], int n) { int s = 0; for (int i = 0; i < n; i++) s += rows[i][0] * rows[i][1]; return s; }
        static inline int sd_apply(int f(int), int x) { return f(x) * 10; }
        static inline nothing_t sd_store(int *restrict p) { *p = 7; }
        static inline int p0(int p1) { return p1 + 1; }
        static inline int arg0(int p0) { return p0 + 2; }
        static inline int sd_variadic(int n, ...) { return n; }
        static inline struct { int a; } *sd_unnamed(void) { return 0; }
        """;

    [UnmanagedCallersOnly]
    private static int Square(int x) => x * x;

    [Fact]
    public void Wrappers_of_tricky_declarators_compile_and_behave()
    {
        using var temp = new TempHeaders();
        var header = temp.Write("tricky.h", Header);
        var model = HeaderParser.Parse([header], []);
        var shim = ShimEmitter.Emit(model.Functions, [header], "sd");
        var library = Path.Combine(temp.Root, "libtricky.so");
        Gcc.Compile("-std=gnu11", "-Wall", "-Werror", "-O2", "-fPIC", "-shared", "-fvisibility=hidden", "-o", library,
            temp.Write("shim.c", shim));
        var h = NativeLibrary.Load(library);

        var pick = (delegate* unmanaged<int, delegate* unmanaged<int, int, int>>)NativeLibrary.GetExport(h, "sd_sd_pick");
        var pickTypedef = (delegate* unmanaged<delegate* unmanaged<int, int, int>>)NativeLibrary.GetExport(h, "sd_sd_pick_typedef");
        Assert.Equal(5, pick(0)(2, 3));
        Assert.Equal(9, pickTypedef()(4, 5));

        var values = stackalloc int[] { 1, 2, 3, 4 };
        Assert.Equal(10, ((delegate* unmanaged<int*, int>)NativeLibrary.GetExport(h, "sd_sd_sum4"))(values));
        Assert.Equal(1 * 2 + 3 * 4, ((delegate* unmanaged<int*, int, int>)NativeLibrary.GetExport(h, "sd_sd_rows"))(values, 2));
        Assert.Equal(90, ((delegate* unmanaged<delegate* unmanaged<int, int>, int, int>)NativeLibrary.GetExport(h, "sd_sd_apply"))(&Square, 3));

        var stored = 0;
        ((delegate* unmanaged<int*, void>)NativeLibrary.GetExport(h, "sd_sd_store"))(&stored);
        Assert.Equal(7, stored);
        Assert.Equal(42, ((delegate* unmanaged<int, int>)NativeLibrary.GetExport(h, "sd_p0"))(41));
        Assert.Equal(43, ((delegate* unmanaged<int, int>)NativeLibrary.GetExport(h, "sd_arg0"))(41));

        // What cannot be wrapped is said in the file and has no symbol; -fvisibility=hidden proves the rest are exported on purpose.
        Assert.Contains("sd_variadic: not wrapped: variadic", shim);
        Assert.Contains("sd_unnamed: not wrapped: its signature names an unnamed type", shim);
        Assert.False(NativeLibrary.TryGetExport(h, "sd_sd_variadic", out _));
        Assert.False(NativeLibrary.TryGetExport(h, "sd_sd_unnamed", out _));
        Assert.False(NativeLibrary.TryGetExport(h, "sd_add", out _));
    }

    [Fact]
    public void Fixture_shim_wraps_only_static_inline_functions()
    {
        var output = FixtureGeneration.Generate("functions.h");
        var shim = File.ReadAllText(output.Shim);
        Assert.Contains("fx_fn_mul(uint32_t fx_arg0, uint32_t fx_arg1)", shim);
        Assert.Contains("__typeof__(int (*)(int)) fx_arg0", shim);
        Assert.Contains("{ fn_increment(fx_arg0); }", shim); // void: no return
        Assert.DoesNotContain("fx_fn_add", shim);
        Assert.DoesNotContain("fn_log", shim);
        Assert.Equal(4, output.Report.BoundInlineFunctions);
    }
}
