namespace DpdkSharp.Generator.Tests.Emit;

/// <summary>
/// <c>__int128</c> is <c>Int128</c>/<c>UInt128</c>: explicit layout keeps C's offsets and size even packed at an
/// odd offset (checked here against gcc). <c>long double</c> and vector members are opaque bytes of C's size, reported.
/// </summary>
public class WideTypeTests
{
    [Fact]
    public void Wide_integers_and_opaque_members_keep_c_layout()
    {
        var result = NativeFixture.Run("wide", """
            using System;
            namespace Fixtures;
            public static unsafe class Probe
            {
                public static string Run()
                {
                    aligned_wide a = default; packed_wide p = default; opaque_members o = default;
                    Native.wide_fill(&a, &p, &o);
                    var sizes = $"{sizeof(aligned_wide)}/{Native.wide_sizeof(0)} {sizeof(packed_wide)}/{Native.wide_sizeof(1)} {sizeof(opaque_members)}/{Native.wide_sizeof(2)}";
                    var after = (byte*)&o.after - (byte*)&o;
                    UInt128 value = a.value;
                    return $"{sizes} | {value:X} {p.tag:X} {p.value} {p.tail:X} | {o.kind} {o.after:X} {after}/{Native.wide_offsetof_after()}";
                }
            }
            """);
        Assert.Equal("32/32 18/18 64/64 | 123456789ABCDEFFEDCBA9876543210 AA -2 BB | 3 DEADBEEF 48/48", result);
    }

    [Fact]
    public void Opaque_members_are_reported()
    {
        using var temp = new TempHeaders();
        var report = temp.Run(new GeneratorOptions { Headers = [NativeHeader("wide.h")] });
        Assert.Contains(report.Skipped, s => s.Name == "opaque_members.precise" && s.Reason.Contains("opaque bytes"));
        Assert.Contains(report.Skipped, s => s.Name == "opaque_members.lanes" && s.Reason.Contains("opaque bytes"));
        Assert.DoesNotContain(report.Skipped, s => s.Name.EndsWith("_wide.value"));
        var code = temp.CSharp("wide");
        Assert.Contains("public UInt128 value;", code);
        Assert.Contains("public Int128 value;", code);
        Assert.Contains("public FixedArray_byte_16 precise;", code);
        Assert.Contains("public FixedArray_byte_16 lanes;", code);
    }

    private static string NativeHeader(string name, [System.Runtime.CompilerServices.CallerFilePath] string caller = "") =>
        Path.Combine(Path.GetDirectoryName(caller)!, "Native", name);
}
