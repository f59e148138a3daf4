using System.Runtime.InteropServices;
using DpdkSharp.Generator.Tests.Infrastructure;

namespace DpdkSharp.Generator.Tests.Real;

/// <summary>
/// The generator on real headers it was not written for, from Debian packages eng/setup.sh installs (zlib1g-dev,
/// liburing-dev, libsqlite3-dev): the C# compiles with zero diagnostics, the layout checker passes gcc, the shim links against the
/// real library with no undefined symbols, and real calls go through the stubs (exported and static inline).
/// </summary>
public class RealHeadersTests
{
    private static string Generate(string header, string library, string ns, params string[] include)
    {
        var output = Path.Combine(Path.GetTempPath(), $"dpdksharp-real-{library}-" + Guid.NewGuid().ToString("N"));
        Assert.True(File.Exists(Path.Combine("/usr/include", header)), $"/usr/include/{header} missing: run sudo bash eng/setup.sh");
        var report = Pipeline.Run(new GeneratorOptions
        {
            Headers = [header], ClangArgs = ["-I/usr/include"], Include = [.. include],
            Namespace = ns, ApiClass = "Api", LibraryName = library,
        }, output);
        Assert.True(report.BoundExportedFunctions > 0, report.ToText());
        return output;
    }

    /// <summary>gcc: the layout checker, and the shim linked against the real library; returns the shim.</summary>
    private static string BuildNative(string output, string library)
    {
        var native = Path.Combine(output, "native");
        Gcc.Compile("-std=gnu11", "-Wall", "-Werror", "-fsyntax-only", Path.Combine(native, Pipeline.LayoutCheckFile));
        var shim = Path.Combine(output, $"lib{library}_shim.so");
        Gcc.Compile("-std=gnu11", "-Wall", "-Werror", "-fPIC", "-shared", "-o", shim, Path.Combine(native, library + "_shim.c"),
            "-l" + library, "-Wl,--no-undefined");
        return shim;
    }

    private static string RunProbe(string output, string ns, string probe, Dictionary<string, nint> libraries)
    {
        var sources = Directory.GetFiles(Path.Combine(output, "cs"), "*.cs").Order().Select(File.ReadAllText).Append(probe);
        var compiled = InMemoryCompiler.Compile($"real_{ns}_{Guid.NewGuid():N}", [.. sources]);
        Assert.True(compiled.Assembly is not null && !compiled.Problems.Any(), compiled.Describe());
        NativeLibrary.SetDllImportResolver(compiled.Assembly!, (name, _, _) => libraries.GetValueOrDefault(name));
        return (string)compiled.Assembly!.GetType(ns + ".Probe")!.GetMethod("Run")!.Invoke(null, null)!;
    }

    [Fact]
    public void Zlib_binds_compiles_and_round_trips()
    {
        var output = Generate("zlib.h", "z", "Zlib", "^z", "^Z_", "^ZLIB_", "^gz", "^deflate", "^inflate", "^compress", "^uncompress",
            "^crc32", "^adler32", "^get_crc_table$");
        var shim = BuildNative(output, "z");
        const string probe = """
            using System;
            namespace Zlib;
            public static unsafe class Probe
            {
                public static string Run()
                {
                    var text = new byte[4096];
                    for (var i = 0; i < text.Length; i++) text[i] = (byte)"zlib through dpdksharp-gen "[i % 27];
                    var packed = new byte[(int)Api.compressBound((nuint)text.Length)];
                    var back = new byte[text.Length];
                    nuint packedLength = (nuint)packed.Length, backLength = (nuint)back.Length;
                    int packResult, unpackResult;
                    fixed (byte* t = text, p = packed, b = back)
                    {
                        packResult = Api.compress2(p, &packedLength, t, (nuint)text.Length, Api.Z_BEST_COMPRESSION);
                        unpackResult = Api.uncompress(b, &backLength, p, packedLength);
                    }
                    var same = MemoryExtensions.SequenceEqual(back.AsSpan(0, (int)backLength), text);
                    return $"{new string(Api.zlibVersion())} {packResult == Api.Z_OK} {packedLength < 200} {unpackResult == Api.Z_OK} {same}";
                }
            }
            """;
        var result = RunProbe(output, "Zlib", probe, new() { ["z"] = NativeLibrary.Load("libz.so.1"), ["z_shim"] = NativeLibrary.Load(shim) });
        Assert.Matches(@"^1\.\d+\.\d+\S* True True True True$", result);
    }

    [Fact]
    public void Sqlite_binds_and_copies_bound_text_with_the_generated_transient_destructor()
    {
        var output = Generate("sqlite3.h", "sqlite3", "Sqlite", "^sqlite3", "^SQLITE_");
        var shim = BuildNative(output, "sqlite3");
        // SQLITE_TRANSIENT ((sqlite3_destructor_type)-1) makes sqlite copy the text before the buffer is freed.
        const string probe = """
            namespace Sqlite;
            public static unsafe class Probe
            {
                public static string Run()
                {
                    sqlite3* db;
                    sqlite3_stmt* statement;
                    var sql = System.Text.Encoding.UTF8.GetBytes("select ?1 || '!'\0");
                    var text = System.Text.Encoding.UTF8.GetBytes("bound");
                    fixed (byte* s = sql)
                    {
                        if (Api.sqlite3_open((sbyte*)System.Runtime.InteropServices.Marshal.StringToCoTaskMemUTF8(":memory:"), &db) != Api.SQLITE_OK) return "open";
                        if (Api.sqlite3_prepare_v2(db, (sbyte*)s, -1, &statement, null) != Api.SQLITE_OK) return "prepare";
                    }
                    fixed (byte* t = text)
                        if (Api.sqlite3_bind_text(statement, 1, (sbyte*)t, text.Length, Api.SQLITE_TRANSIENT) != Api.SQLITE_OK) return "bind";
                    System.Array.Fill(text, (byte)'x'); // sqlite kept its own copy
                    var step = Api.sqlite3_step(statement);
                    var result = new string((sbyte*)Api.sqlite3_column_text(statement, 0));
                    Api.sqlite3_finalize(statement);
                    Api.sqlite3_close(db);
                    return $"{step == Api.SQLITE_ROW} {result}";
                }
            }
            """;
        var result = RunProbe(output, "Sqlite", probe,
            new() { ["sqlite3"] = NativeLibrary.Load("libsqlite3.so.0"), ["sqlite3_shim"] = NativeLibrary.Load(shim) });
        Assert.Equal("True bound!", result);
    }

    [Fact]
    public void Liburing_binds_and_runs_nops_through_its_static_inline_wrappers()
    {
        var output = Generate("liburing.h", "uring", "Uring", "^io_uring", "^IORING_", "^IOSQE_", "^IOU_");
        Assert.Contains("[LibraryImport(\"uring_shim\", EntryPoint = \"dpdksharp_io_uring_prep_read\")]",
            File.ReadAllText(Path.Combine(output, "cs", "liburing.cs")));
        var shim = BuildNative(output, "uring");
        // io_uring_prep_read is static inline (through the shim): it fills a submission entry with no kernel involved.
        // io_uring_queue_init is exported: a sandbox may refuse io_uring, so a negative errno is a real answer too.
        const string probe = """
            namespace Uring;
            public static unsafe class Probe
            {
                public static string Run()
                {
                    var sqe = new io_uring_sqe();
                    var buffer = stackalloc byte[100];
                    Api.io_uring_prep_read(&sqe, 5, buffer, 100, 7);
                    var ring = new io_uring();
                    var init = Api.io_uring_queue_init(4, &ring, 0);
                    var queue = init == 0 ? (ring.ring_fd >= 0 ? "ring" : "bad-fd") : init < 0 ? "refused" : "bad-result";
                    if (init == 0) Api.io_uring_queue_exit(&ring);
                    return $"{sqe.opcode == (byte)io_uring_op.IORING_OP_READ} {sqe.fd} {sqe.len} {sqe.off} {sqe.addr == (ulong)buffer} {queue}";
                }
            }
            """;
        var result = RunProbe(output, "Uring", probe, new() { ["uring"] = NativeLibrary.Load("liburing.so.2"), ["uring_shim"] = NativeLibrary.Load(shim) });
        Assert.Matches("^True 5 100 7 True (ring|refused)$", result);
    }
}
