using DpdkSharp.Generator.Model;
using DpdkSharp.Generator.Parsing;
using DpdkSharp.Generator.Tests.Infrastructure;

namespace DpdkSharp.Generator.Tests.Parsing;

/// <summary>The C model matches what gcc does on x86_64 for each construct.</summary>
public class HeaderParserTests
{
    private static CModel Parse(string fixture, params string[] args) => HeaderParser.Parse([FixtureGeneration.Header(fixture)], args);

    [Fact]
    public void RecordsKeepClangsLayoutAndNameAnonymousParts()
    {
        var model = Parse("records.h");
        var shape = model.FindRecord("shape")!;
        Assert.Equal((40, 8), (shape.Size, shape.Align));
        var anon = shape.Fields.Single(f => f.Name == "__anon0");
        Assert.True(anon.IsAnonymousMember);
        Assert.Equal(128, anon.OffsetBits);
        var union = model.FindRecord("shape__anon0")!;
        Assert.True(union.IsUnion && union.IsAnonymous);
        Assert.Equal(("shape", "__anon0"), (union.Parent, union.ParentField));
        var color = model.FindRecord("shape__color")!;
        Assert.Equal(("shape", "color", null), (color.Parent, color.ParentField, color.CSpelling));
        Assert.Equal("union word_t".Replace("union ", ""), model.FindRecord("word_t")!.CSpelling);
        Assert.Equal("Horizontal.", model.FindRecord("point")!.Fields[0].Doc);
    }

    [Fact]
    public void BitFieldsHaveWidthsAndBitOffsets()
    {
        var flags = Parse("bitfields.h").FindRecord("flags")!;
        Assert.Equal([(0L, 3), (3L, 13), (16L, 5), (21L, 1), (22L, 40), (64L, 30)],
            flags.Fields.Select(f => (f.OffsetBits, f.BitWidth!.Value)));
        var packed = Parse("bitfields.h").FindRecord("packed_bits")!;
        Assert.True(packed.IsPacked);
        Assert.Equal(8 + 12, packed.Fields.Single(f => f.Name == "y").OffsetBits);
    }

    [Fact]
    public void PackedAndOverAlignedRecords()
    {
        var model = Parse("packed_aligned.h");
        Assert.Equal((7L, 1L), (model.FindRecord("wire_header")!.Size, model.FindRecord("wire_header")!.Align));
        Assert.Equal((10L, 2L), (model.FindRecord("ether_addr_like")!.Size, model.FindRecord("ether_addr_like")!.Align));
        var stats = model.FindRecord("queue_stats")!;
        Assert.Equal((320L, 64L), (stats.Size, stats.Align));
        Assert.Equal(64 * 8, stats.Fields.Single(f => f.Name == "packets").OffsetBits);
    }

    [Fact]
    public void ArraysKeepTheirShape()
    {
        var model = Parse("flexible_arrays.h");
        var message = model.FindRecord("message")!;
        Assert.Equal(8, message.Size);
        Assert.Equal(0L, ((CArrayType)Selection.Selector.Resolve(message.Fields.Single(f => f.Name == "zero").Type)).Length);
        Assert.Null(((CArrayType)message.Fields.Single(f => f.Name == "items").Type).Length);
        var grid = (CArrayType)Parse("fixed_arrays.h").FindRecord("table")!.Fields.Single(f => f.Name == "grid").Type;
        Assert.Equal(3L, grid.Length);
        Assert.Equal(4L, ((CArrayType)grid.Element).Length);
    }

    [Fact]
    public void EnumsHaveClangsIntegerTypes()
    {
        var model = Parse("enums.h");
        Assert.Equal(CBuiltinKind.UInt, model.FindEnum("colour")!.UnderlyingType);
        Assert.Equal(CBuiltinKind.Int, model.FindEnum("signed_values")!.UnderlyingType);
        Assert.Equal(-2, model.FindEnum("signed_values")!.Constants[0].Value);
        Assert.Equal(CBuiltinKind.ULong, model.FindEnum("wide")!.UnderlyingType);
        Assert.Contains(model.Enums, e => e.IsAnonymous && e.Constants.Any(c => c.Name == "ANON_A"));
        Assert.NotNull(model.FindEnum("mode_t_like"));
    }

    [Fact]
    public void MacrosAreEvaluatedByClangWithTheirCType()
    {
        var model = Parse("macros.h");
        CMacro M(string name) => model.Macros.Single(m => m.Name == name);
        Assert.Equal((CMacroValueKind.SignedInteger, 16L), (M("MAX_QUEUES").Kind, M("MAX_QUEUES").SignedValue));
        Assert.Equal("Queue count.", M("MAX_QUEUES").Doc);
        Assert.Equal(-3, M("NEGATIVE").SignedValue);
        Assert.Equal((CBuiltinKind.UInt, 40000UL), (M("UNSIGNED_VALUE").ValueType, M("UNSIGNED_VALUE").UnsignedValue));
        Assert.Equal((CBuiltinKind.ULongLong, 0xA0UL), (M("FLAGS_AB").ValueType, M("FLAGS_AB").UnsignedValue));
        Assert.Equal(0x80UL, M("FLAG_B").UnsignedValue);
        Assert.Equal(33, M("DERIVED").SignedValue);
        Assert.Equal((CBuiltinKind.Long, 5000000000L), (M("LONG_VALUE").ValueType, M("LONG_VALUE").SignedValue));
        Assert.Equal("dpdksharp", M("NAME").StringValue);
        Assert.Equal(1.5, M("RATIO").FloatValue);
        Assert.Contains(model.Skipped, s => s.Name == "BIT64" && s.Reason == "function-like macro");
        Assert.Contains(model.Skipped, s => s.Name == "NOT_CONSTANT" && s.Reason.StartsWith("not a constant expression"));
        Assert.Contains(model.Skipped, s => s.Name == "EMPTY_FLAG");
    }

    [Fact]
    public void TypesMapToTheModel()
    {
        var model = Parse("types.h");
        var mixed = model.FindRecord("mixed")!;
        CType T(string field) => mixed.Fields.Single(f => f.Name == field).Type;
        Assert.Equal("port_id_t", ((CTypedefRef)((CTypedefRef)T("port")).Target).Name);
        Assert.Equal(CBuiltinKind.CharSigned, ((CBuiltinType)((CPointerType)T("name")).Pointee).Kind);
        Assert.True(((CPointerType)T("name")).PointeeIsConst);
        Assert.Equal(CBuiltinKind.Bool, ((CBuiltinType)T("enabled")).Kind);
        Assert.Equal(CBuiltinKind.Long, ((CBuiltinType)T("l")).Kind);
        Assert.IsType<CTypedefRef>(T("refcnt")); // _Atomic uint32_t is uint32_t
        Assert.Equal(CBuiltinKind.Int128, ((CBuiltinType)T("wide")).Kind);
        Assert.True(model.FindRecord("opaque_device")!.IsOpaque);
        var lanes = model.FindRecord("with_vector")!.Fields.Single(f => f.Name == "lanes").Type;
        Assert.IsType<CUnsupportedType>(Selection.Selector.Resolve(lanes));
        Assert.Equal(16, lanes.Size);
    }

    [Fact]
    public void FunctionsAreExportedInlineOrVariadic()
    {
        var model = Parse("functions.h");
        CFunction F(string name) => model.Functions.Single(f => f.Name == name);
        Assert.False(F("fn_add").IsInline);
        Assert.True(F("fn_mul").IsInline);
        Assert.True(F("fn_log").IsVariadic);
        Assert.IsType<CFunctionPointerType>(F("fn_call").Parameters[0].Type);
        Assert.Equal("Adds two numbers (exported).", F("fn_add").Doc);
        var ops = Parse("function_pointers.h").FindRecord("ops")!;
        Assert.All(ops.Fields, f => Assert.IsType<CFunctionPointerType>(Selection.Selector.Resolve(f.Type)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AvailabilityMarkersAreReadLikeDpdks(bool allowExperimental)
    {
        var model = Parse("docs_availability.h", allowExperimental ? ["-DALLOW_EXPERIMENTAL_API"] : []);
        Availability A(string name) => model.Functions.Single(f => f.Name == name).Availability;
        Assert.Equal(Availability.Stable, A("doc_stable"));
        Assert.True(A("doc_old").IsDeprecated);
        Assert.Equal("use doc_stable", A("doc_old_msg").DeprecationMessage);
        Assert.True(A("doc_new").IsExperimental);
        Assert.False(A("doc_new").IsDeprecated);
        Assert.True(A("doc_internal").IsInternal);
        Assert.Equal("A documented record.\nUses <angle brackets> & ampersands.", model.FindRecord("documented")!.Doc);
    }

    [Fact]
    public void AMissingHeaderIsAClearError()
    {
        var e = Assert.Throws<GeneratorException>(() => HeaderParser.Parse(["no_such_header.h"], ["-I/tmp"]));
        Assert.Contains("header not found: no_such_header.h", e.Message);
    }

    [Fact]
    public void ClangErrorsStopTheRunWithFileAndLine()
    {
        var path = Path.Combine(Path.GetTempPath(), $"broken_{Guid.NewGuid():N}.h");
        File.WriteAllText(path, "struct ok { int a; };\nstruct broken { int a };\nunknown_type x;\n");
        var e = Assert.Throws<GeneratorException>(() => HeaderParser.Parse([path], []));
        Assert.Contains($"{path}:3:1: error: unknown type name 'unknown_type'", e.Message);
    }
}
