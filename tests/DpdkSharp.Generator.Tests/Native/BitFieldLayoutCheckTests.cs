using DpdkSharp.Generator.Emit.C;
using DpdkSharp.Generator.Parsing;
using DpdkSharp.Generator.Tests.Infrastructure;

namespace DpdkSharp.Generator.Tests.Native;

/// <summary>The layout checker asserts bit-field positions and widths when compiled with optimization (issue #16).</summary>
public class BitFieldLayoutCheckTests
{
    [Fact]
    public void Every_named_bit_field_is_checked_and_passes()
    {
        var output = FixtureGeneration.Generate("bitfields.h");
        var checker = File.ReadAllText(output.LayoutCheck);
        Assert.Contains("flags.e: bit-field at bit 22, width 40", checker);
        Assert.Contains("offload.l3_len: bit-field at bit 7, width 9", checker); // through the anonymous member
        Assert.Contains("packed_bits.y: bit-field at bit 20, width 60", checker);
        Gcc.Compile("-std=gnu11", "-O1", "-Wall", "-Werror", "-c", "-o", Path.Combine(output.Folder, "check.o"), output.LayoutCheck);
        Gcc.Compile("-std=gnu11", "-Wall", "-Werror", "-fsyntax-only", output.LayoutCheck); // unoptimized: sizes and offsets only
    }

    [Theory]
    [InlineData("b", 4, null)]   // moved by one bit
    [InlineData("b", null, 12)]  // one bit narrower
    [InlineData("c", 15, null)]  // a signed one
    public void AWrongBitFieldFailsCompilation(string field, int? offset, int? width)
    {
        var header = FixtureGeneration.Header("bitfields.h");
        var flags = HeaderParser.Parse([header], []).FindRecord("flags")!;
        var wrong = flags with
        {
            Fields = [.. flags.Fields.Select(f => f.Name == field ? f with { OffsetBits = offset ?? f.OffsetBits, BitWidth = width ?? f.BitWidth } : f)],
        };
        var path = Path.Combine(Path.GetTempPath(), $"bitfield_wrong_{Guid.NewGuid():N}.c");
        File.WriteAllText(path, LayoutCheckEmitter.Emit([wrong], [header], out _));
        var (code, errors) = Gcc.Run("-std=gnu11", "-O1", "-c", "-o", path + ".o", path);
        Assert.NotEqual(0, code);
        Assert.Contains($"flags.{field}: bit-field at bit", errors);
    }
}
