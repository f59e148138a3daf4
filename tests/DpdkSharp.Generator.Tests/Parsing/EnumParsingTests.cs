using DpdkSharp.Generator.Model;

namespace DpdkSharp.Generator.Tests.Parsing;

/// <summary>Enums carry clang's integer type (clang_getEnumDeclIntegerType) and both views of each value.</summary>
public class EnumParsingTests
{
    private static readonly CModel Model = ParsedFixtures.Parse("enums.h");

    [Theory]
    [InlineData("colour", CBuiltinKind.UInt)]        // no negative value: unsigned int, as gcc
    [InlineData("signed_values", CBuiltinKind.Int)]
    [InlineData("wide", CBuiltinKind.ULong)]
    [InlineData("mixed_sign", CBuiltinKind.Long)]
    [InlineData("high_bit", CBuiltinKind.UInt)]
    [InlineData("small", CBuiltinKind.UChar)]         // __attribute__((packed))
    public void UnderlyingTypeIsClangs(string name, CBuiltinKind expected) =>
        Assert.Equal(expected, Model.Enum(name).UnderlyingType);

    [Fact]
    public void Values_keep_their_bits()
    {
        Assert.Equal([("COLOUR_RED", 0L), ("COLOUR_GREEN", 5L), ("COLOUR_BLUE", 6L)], Model.Enum("colour").Constants.Select(c => (c.Name, c.Value)));
        var negative = Model.Enum("signed_values").Constants[0];
        Assert.Equal(("SV_NEGATIVE", -2L, 0xFFFFFFFEUL), (negative.Name, negative.Value, negative.UnsignedValue)); // bits in the enum's width
        Assert.Equal(0x100000000L, Model.Enum("wide").Constants[1].Value);
        Assert.Equal([-1L, 0x100000000L], Model.Enum("mixed_sign").Constants.Select(c => c.Value));
        Assert.Equal(0x80000000UL, Model.Enum("high_bit").Constants[1].UnsignedValue);
        Assert.Equal(200UL, Model.Enum("small").Constants[1].UnsignedValue);
        Assert.Equal("First.", Model.Enum("colour").Constants[0].Doc);
        Assert.Equal("Colours.", Model.Enum("colour").Doc);
    }

    [Fact]
    public void Anonymous_and_typedef_named_enums()
    {
        var anonymous = Assert.Single(Model.Enums, e => e.IsAnonymous);
        Assert.Equal([("ANON_A", 10L), ("ANON_B", 20L)], anonymous.Constants.Select(c => (c.Name, c.Value)));

        var mode = Model.Enum("mode_t_like");
        Assert.False(mode.IsAnonymous);
        Assert.Equal(["MODE_OFF", "MODE_ON"], mode.Constants.Select(c => c.Name));
        // clang spells the typedef's target "enum mode_t_like", which does not exist in C.
        Assert.Equal("mode_t_like", Model.FindTypedef("mode_t_like")!.Target.Spelling);
    }

    [Fact]
    public void Enum_types_are_referenced_by_name()
    {
        var next = Model.Function("enums_next");
        Assert.Equal(new CEnumRef("colour") { Spelling = "enum colour", Size = 4, Align = 4 }, next.ReturnType);
        Assert.Equal(next.ReturnType, next.Parameters[0].Type);
    }
}
