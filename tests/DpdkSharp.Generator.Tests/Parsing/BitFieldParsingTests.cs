using DpdkSharp.Generator.Model;

namespace DpdkSharp.Generator.Tests.Parsing;

/// <summary>Bit-fields: clang's bit offsets and widths, never computed by the parser.</summary>
public class BitFieldParsingTests
{
    private static readonly CModel Model = ParsedFixtures.Parse("bitfields.h");

    private static (string, long, int?)[] Layout(CRecord r) => [.. r.Fields.Select(f => (f.Name, f.OffsetBits, f.BitWidth))];

    [Fact]
    public void Signed_unsigned_and_spanning_storage_units()
    {
        var flags = Model.Record("flags");
        Assert.Equal((16L, 8L), (flags.Size, flags.Align));
        // e (40 bits) still fits the first 64-bit unit at bit 22; f (30 bits) would cross it and starts at 64.
        Assert.Equal([("a", 0L, 3), ("b", 3L, 13), ("c", 16L, 5), ("d", 21L, 1), ("e", 22L, 40), ("f", 64L, 30)], Layout(flags));
        Assert.Equal(CBuiltinKind.Int, flags.Field("c").Type.Builtin());
        Assert.Equal(CBuiltinKind.Bool, flags.Field("d").Type.Builtin());
    }

    [Fact]
    public void Bit_fields_inside_an_anonymous_struct_inside_a_union()
    {
        var offload = Model.Record("offload");
        Assert.Equal((8L, 8L, true), (offload.Size, offload.Align, offload.IsUnion));
        Assert.True(offload.Field("__anon0").IsAnonymousMember);
        var bits = Model.Record("offload__anon0");
        Assert.Equal([7, 9, 8, 16, 9, 7], bits.Fields.Select(f => f.BitWidth!.Value));
        Assert.Equal([0L, 7, 16, 24, 40, 49], bits.Fields.Select(f => f.OffsetBits));
    }

    [Fact]
    public void Packed_bit_fields_straddle_bytes()
    {
        var packed = Model.Record("packed_bits");
        Assert.True(packed.IsPacked);
        Assert.Equal((12L, 1L), (packed.Size, packed.Align));
        Assert.Equal([("head", 0L, null), ("x", 8L, 12), ("y", 20L, 60), ("z", 80L, 9)], Layout(packed));
    }

    [Fact]
    public void Unnamed_and_zero_width_bit_fields_are_kept_with_an_empty_name()
    {
        var padding = Model.Record("bf_padding");
        Assert.Equal((5L, 1L), (padding.Size, padding.Align));
        Assert.Equal([("first", 0L, 3), ("", 3L, 2), ("second", 5L, 3), ("", 32L, 0), ("third", 32L, 4)], Layout(padding));
    }

    [Fact]
    public void Bit_fields_directly_in_a_union_start_at_zero()
    {
        var union = Model.Record("bf_union");
        Assert.Equal([("raw", 0L, null), ("low", 0L, 8), ("signed_bits", 0L, 12)], Layout(union));
        Assert.Equal(CBuiltinKind.Int, union.Field("signed_bits").Type.Builtin());
    }
}
