using DpdkSharp.Generator.Model;
using DpdkSharp.Generator.Parsing;

namespace DpdkSharp.Generator.Tests.Parsing;

/// <summary>Object-like macros evaluated by clang, with their C type; everything else skipped with a reason.</summary>
public class MacroParsingTests
{
    private static readonly CModel Model = ParsedFixtures.Parse("macros.h");

    [Theory]
    [InlineData("MAX_QUEUES", CBuiltinKind.Int, 16L)]
    [InlineData("NEGATIVE", CBuiltinKind.Int, -3L)]
    [InlineData("DERIVED", CBuiltinKind.Int, 33L)]
    [InlineData("LONG_VALUE", CBuiltinKind.Long, 5000000000L)]
    [InlineData("MIN_I64", CBuiltinKind.Long, long.MinValue)]
    [InlineData("SHIFTED_CHAR", CBuiltinKind.Int, 97L)]          // 'a' is an int in C
    [InlineData("ENUM_ALIAS", CBuiltinKind.Int, 4L)]             // an enumerator is an int in C
    public void SignedIntegers(string name, CBuiltinKind type, long value)
    {
        var m = Model.Macro(name);
        Assert.Equal((CMacroValueKind.SignedInteger, type, value), (m.Kind, m.ValueType, m.SignedValue));
        Assert.Equal(unchecked((ulong)value), m.UnsignedValue);
    }

    [Theory]
    [InlineData("UNSIGNED_VALUE", CBuiltinKind.UInt, 40000UL)]
    [InlineData("FLAG_A", CBuiltinKind.ULongLong, 0x20UL)]      // (1ULL << 5)
    [InlineData("FLAG_B", CBuiltinKind.ULongLong, 0x80UL)]      // through a function-like macro
    [InlineData("FLAGS_AB", CBuiltinKind.ULongLong, 0xA0UL)]    // other macros
    [InlineData("FLAG_C", CBuiltinKind.ULong, 1UL << 40)]       // UINT64_C(1) is unsigned long, as in RTE_BIT64
    [InlineData("MAX_U64", CBuiltinKind.ULong, ulong.MaxValue)]
    [InlineData("ALL_ONES", CBuiltinKind.UInt, 0xFFFFFFFFUL)]
    [InlineData("SIZE_OF_U64", CBuiltinKind.ULong, 8UL)]
    [InlineData("TYPED_ENUM", CBuiltinKind.UInt, 2UL)]          // a cast to an enum: its integer type
    public void UnsignedIntegers(string name, CBuiltinKind type, ulong value)
    {
        var m = Model.Macro(name);
        Assert.Equal((CMacroValueKind.UnsignedInteger, type, value), (m.Kind, m.ValueType, m.UnsignedValue));
    }

    [Fact]
    public void Floats_keep_their_precision()
    {
        Assert.Equal((CMacroValueKind.Float, CBuiltinKind.Double, 1.5), (Model.Macro("RATIO").Kind, Model.Macro("RATIO").ValueType, Model.Macro("RATIO").FloatValue));
        Assert.Equal((CMacroValueKind.Float, CBuiltinKind.Float, 2.5), (Model.Macro("FLOAT_VALUE").Kind, Model.Macro("FLOAT_VALUE").ValueType, Model.Macro("FLOAT_VALUE").FloatValue));
    }

    [Theory]
    [InlineData("NAME", "dpdksharp")]
    [InlineData("FULL_NAME", "dpdksharp-v1")]   // concatenated with another macro
    [InlineData("HEX_FORMAT", "%x")]            // "%" PRIx32, expanded by clang
    [InlineData("ESCAPED", "tab\there\n")]
    public void StringsAreConcatenatedAndUnescaped(string name, string value)
    {
        var m = Model.Macro(name);
        Assert.Equal((CMacroValueKind.String, CBuiltinKind.CharSigned, value), (m.Kind, m.ValueType, m.StringValue));
    }

    [Theory]
    [InlineData("BIT64", "function-like macro")]
    [InlineData("BIT64_U", "function-like macro")]
    [InlineData("EMPTY_FLAG", "empty macro (a flag, no value)")]
    [InlineData("NOT_CONSTANT", "not a constant expression: some_function()")]
    [InlineData("INITIALIZER", "not an expression: { 0, 1 }")]
    [InlineData("UNBALANCED", "not an expression: (1 +")]
    [InlineData("STATEMENT", "not an expression: do { } while (0)")]
    [InlineData("TYPE_NAME", "not a constant expression: uint32_t")]
    [InlineData("UNDEFINED_LATER", "#undef'd by the end of the headers")]
    public void Others_are_skipped_with_a_reason(string name, string reason)
    {
        var skipped = Assert.Single(Model.Skipped, s => s.Name == name);
        Assert.Equal(("macro", reason), (skipped.Kind, skipped.Reason));
        Assert.Equal(ParsedFixtures.Header("macros.h"), skipped.Location!.File);
        Assert.DoesNotContain(Model.Macros, m => m.Name == name);
    }

    [Fact]
    public void Integer_cast_to_pointer_is_a_pointer_constant()
    {
        var m = Model.Macro("POINTER_VALUE");
        Assert.Equal((CMacroValueKind.Pointer, ulong.MaxValue), (m.Kind, m.UnsignedValue));
        Assert.IsType<CPointerType>(m.PointerType);
    }

    [Fact]
    public void Bad_macros_do_not_disturb_the_others() => Assert.Equal(99, Model.Macro("AFTER_BAD").SignedValue);

    [Fact]
    public void Macros_keep_definition_order_location_expression_and_docs()
    {
        var names = Model.Macros.Select(m => m.Name).ToList();
        Assert.True(names.IndexOf("MAX_QUEUES") < names.IndexOf("NAME") && names.IndexOf("NAME") < names.IndexOf("RATIO"));
        var queues = Model.Macro("MAX_QUEUES");
        Assert.Equal((new SourceLocation(ParsedFixtures.Header("macros.h"), 8), "Queue count."), (queues.Location, queues.Doc));
        Assert.Equal("(FLAG_A | FLAG_B)", Model.Macro("FLAGS_AB").Expression);
        Assert.Equal("Concatenated with another macro.", Model.Macro("FULL_NAME").Doc);
        Assert.Null(Model.Macro("NEGATIVE").Doc);
    }

    [Fact]
    public void System_header_macros_are_not_candidates()
    {
        Assert.DoesNotContain(Model.Macros, m => m.Name is "UINT64_MAX" or "PRIx32" or "true");
        Assert.All(Model.Macros, m => Assert.Equal(ParsedFixtures.Header("macros.h"), m.Location.File));
    }

    [Fact]
    public void Macro_roots_choose_which_headers_macros_come_from()
    {
        var lib = ParsedFixtures.TempHeader("#define LIB_VALUE 1\n", "lib.h");
        var app = ParsedFixtures.TempHeader($"#include \"{lib}\"\n#define APP_VALUE (LIB_VALUE + 1)\n", "app.h");

        var own = HeaderParser.Parse([app], [], []);  // empty: the input headers' directories
        Assert.Equal(["APP_VALUE"], own.Macros.Select(m => m.Name));
        Assert.Equal(2, own.Macro("APP_VALUE").SignedValue);

        var both = HeaderParser.Parse([app], [], [Path.GetDirectoryName(lib)!, Path.GetDirectoryName(app)!]);
        Assert.Equal(["LIB_VALUE", "APP_VALUE"], both.Macros.Select(m => m.Name));
    }

    [Fact]
    public void Clang_arguments_define_the_configuration()
    {
        var header = ParsedFixtures.TempHeader("""
            #ifndef MAX_PORTS
            #define MAX_PORTS 32
            #endif
            #define PORT_MASK (MAX_PORTS - 1)
            """);
        Assert.Equal(31, HeaderParser.Parse([header], [], []).Macro("PORT_MASK").SignedValue);
        Assert.Equal(63, HeaderParser.Parse([header], ["-DMAX_PORTS=64"], []).Macro("PORT_MASK").SignedValue);
    }
}
