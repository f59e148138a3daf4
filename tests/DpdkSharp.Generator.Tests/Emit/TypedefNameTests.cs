using DpdkSharp.Generator.Tests.Infrastructure;

namespace DpdkSharp.Generator.Tests.Emit;

/// <summary>
/// Issue #16, 8: typedef names survive as C# types (records named by their typedef, handle structs for pointer
/// typedefs) and a handle goes to C and back exactly as the pointer does.
/// </summary>
public class TypedefNameTests
{
    [Fact]
    public void Typedef_names_are_the_c_sharp_names()
    {
        var output = FixtureGeneration.Generate("typedef_names.h");
        var cs = output.CSharp("typedef_names");
        Assert.Contains("public unsafe partial struct fx_z_stream\n", cs);
        Assert.Contains("C: struct fx_z_stream_s, named by its typedef fx_z_stream.", cs);
        Assert.Contains("public partial struct fx_pcap_t\n", cs);
        Assert.Contains("public readonly unsafe partial struct fx_gzFile(fx_gzFile_s* value)", cs);
        Assert.Contains("public static partial fx_gzFile fx_gzopen(uint have);", cs);
        Assert.Contains("public static partial int fx_deflate(fx_z_stream* strm);", cs);
        Assert.Contains("public static partial fx_pcap_t* fx_pcap_open();", cs);
        Assert.Contains("public unsafe partial struct fx_two\n", cs); // two typedef names: the tag
        Assert.Contains("int fx_use_two(fx_two* t, delegate* unmanaged[Cdecl]<int, int> cb);", cs);
        Assert.Contains("public FixedArray_fx_gzFile_2 files;", cs);
        Assert.Contains("public fx_gzFile one;", cs);
        Gcc.Compile("-std=gnu11", "-Wall", "-Werror", "-fsyntax-only", output.LayoutCheck);
        Assert.Contains("sizeof(struct fx_z_stream_s) ==", File.ReadAllText(output.LayoutCheck)); // C keeps the tag
    }

    [Fact]
    public void Handles_pass_as_the_pointer()
    {
        var result = NativeFixture.Run("typedef_names", """
            namespace Fixtures;
            public static unsafe class Probe
            {
                public static string Run()
                {
                    var file = Native.fx_gzopen(7);
                    var holder = new fx_holder { one = file };
                    holder.files.Set(1, file);
                    var stream = new fx_z_stream { avail_in = 5, total = 1 };
                    return $"{file.IsNull} {file.Value->have} {Native.fx_gzclose(holder.one)} {Native.fx_gzclose(holder.files.Get(1))} " +
                           $"{Native.fx_gzclose(default)} {Native.fx_deflate(&stream)} {holder.files.Get(1) == file}";
                }
            }
            """);
        Assert.Equal("False 7 7 7 0 6 True", result);
    }
}
