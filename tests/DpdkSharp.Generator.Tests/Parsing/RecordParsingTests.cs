using DpdkSharp.Generator.Model;

namespace DpdkSharp.Generator.Tests.Parsing;

/// <summary>Records keep clang's layout (the same as gcc's on x86_64, values checked with gcc) and get stable names.</summary>
public class RecordParsingTests
{
    private static readonly CModel Records = ParsedFixtures.Parse("records.h");

    [Fact]
    public void Nested_records_have_clangs_sizes_and_offsets()
    {
        var shape = Records.Record("shape");
        Assert.Equal((40L, 8L), (shape.Size, shape.Align));
        Assert.Equal("struct shape", shape.CSpelling);
        Assert.False(shape.IsUnion || shape.IsAnonymous || shape.IsOpaque || shape.IsPacked);
        Assert.Equal(["kind", "origin", "__anon0", "color", "next"], shape.Fields.Select(f => f.Name));
        Assert.Equal([0L, 32, 128, 192, 256], shape.Fields.Select(f => f.OffsetBits));
        Assert.Equal(new CRecordRef("point") { Spelling = "struct point", Size = 8, Align = 4 }, shape.Field("origin").Type);
        var next = Assert.IsType<CPointerType>(shape.Field("next").Type);
        Assert.Equal(("struct shape *", "shape"), (next.Spelling, ((CRecordRef)next.Pointee).Name)); // self-reference
    }

    [Fact]
    public void Anonymous_members_are_named_after_their_parent_and_numbered()
    {
        var member = Records.Record("shape").Field("__anon0");
        Assert.True(member.IsAnonymousMember);
        Assert.Equal("shape__anon0", ((CRecordRef)member.Type).Name);

        var union = Records.Record("shape__anon0");
        Assert.True(union.IsUnion && union.IsAnonymous);
        Assert.Equal(("shape", "__anon0", (string?)null), (union.Parent, union.ParentField, union.CSpelling));
        Assert.Equal((8L, 8L), (union.Size, union.Align));

        // The anonymous struct inside the anonymous union: width at byte 16 and height at 20 of struct shape.
        var inner = Records.Record("shape__anon0__anon0");
        Assert.Equal(("shape__anon0", "__anon0"), (inner.Parent, inner.ParentField));
        Assert.False(inner.IsUnion);
        Assert.Equal([0L, 32], inner.Fields.Select(f => f.OffsetBits));
        Assert.Equal(0, Records.Record("shape__anon0").Field("__anon0").OffsetBits);
    }

    [Fact]
    public void Unnamed_types_of_named_fields_are_named_after_the_field()
    {
        var color = Records.Record("shape__color");
        Assert.True(color.IsAnonymous);
        Assert.Equal(("shape", "color", (string?)null), (color.Parent, color.ParentField, color.CSpelling));
        Assert.Equal((6L, 2L), (color.Size, color.Align));
        Assert.Equal([0L, 16, 32], color.Fields.Select(f => f.OffsetBits));
        // clang 14 spells it "struct (unnamed struct at ...)", which is not C.
        Assert.Equal("__typeof__(((struct shape *)0)->color)", Records.Record("shape").Field("color").Type.Spelling);

        var u = Records.Record("outer__u");
        Assert.True(u.IsUnion);
        Assert.Equal(("outer", "u"), (u.Parent, u.ParentField));
    }

    [Fact]
    public void A_record_defined_inside_another_is_file_scope()
    {
        var inner = Records.Record("inner");
        Assert.Equal(("struct inner", (string?)null, 8L), (inner.CSpelling, inner.Parent, inner.Size));
        var outer = Records.Record("outer");
        Assert.Equal((28L, 4L), (outer.Size, outer.Align));
        Assert.Equal([0L, 64, 192], outer.Fields.Select(f => f.OffsetBits));
        var more = Assert.IsType<CArrayType>(outer.Field("more").Type);
        Assert.Equal((2L, "inner", 16L), (more.Length, ((CRecordRef)more.Element).Name, more.Size));
    }

    [Fact]
    public void A_typedef_of_an_unnamed_record_names_it()
    {
        var word = Records.Record("word_t");
        Assert.Equal(("word_t", false, true), (word.CSpelling, word.IsAnonymous, word.IsUnion));
        Assert.Equal((4L, 4L), (word.Size, word.Align));
        Assert.All(word.Fields, f => Assert.Equal(0, f.OffsetBits));
        var typedef = Records.FindTypedef("word_t")!;
        // clang spells the typedef's target "union word_t"; only the typedef name is C.
        Assert.Equal(new CRecordRef("word_t") { Spelling = "word_t", Size = 4, Align = 4 }, typedef.Target);
        Assert.Single(Records.Records, r => r.Name == "word_t");
    }

    [Fact]
    public void Every_declaration_has_its_full_path_and_line()
    {
        var header = ParsedFixtures.Header("records.h");
        Assert.Equal(new SourceLocation(header, 5), Records.Record("point").Location);
        Assert.Equal(new SourceLocation(header, 33), Records.Function("records_fill").Location);
        Assert.Equal([header], Records.InputHeaders);
        // Reachable declarations from system headers are modelled too; selection chooses roots later.
        Assert.Contains(Records.Typedefs, t => t.Name == "uint32_t" && t.Location.File.StartsWith("/usr/include/", StringComparison.Ordinal));
    }

    [Fact]
    public void Packed_and_aligned_records()
    {
        var model = ParsedFixtures.Parse("packed_aligned.h");
        var wire = model.Record("wire_header");
        Assert.True(wire.IsPacked);
        Assert.Equal((7L, 1L), (wire.Size, wire.Align));
        Assert.Equal([0L, 8, 40], wire.Fields.Select(f => f.OffsetBits));

        var ether = model.Record("ether_addr_like");
        Assert.True(ether.IsPacked);
        Assert.Equal((10L, 2L), (ether.Size, ether.Align));
        Assert.Equal([0L, 48, 64], ether.Fields.Select(f => f.OffsetBits));

        var line = model.Record("cache_line");
        Assert.False(line.IsPacked);
        Assert.Equal((64L, 64L), (line.Size, line.Align));

        var stats = model.Record("queue_stats");
        Assert.Equal((320L, 64L), (stats.Size, stats.Align));
        Assert.Equal([0L, 64 * 8, 128 * 8, 256 * 8], stats.Fields.Select(f => f.OffsetBits));
        Assert.Equal((128L, 64L), (stats.Field("lines").Type.Size, stats.Field("lines").Type.Align));
    }

    [Fact]
    public void Zero_length_and_flexible_arrays_have_no_storage()
    {
        var message = ParsedFixtures.Parse("flexible_arrays.h").Record("message");
        Assert.Equal((8L, 8L), (message.Size, message.Align));
        Assert.Equal([0L, 0, 32, 32, 64], message.Fields.Select(f => f.OffsetBits));

        var marker = Assert.IsType<CTypedefRef>(message.Field("start").Type);
        Assert.Equal(("MARKER", 0L), (marker.Name, ((CArrayType)marker.Target).Length));
        var zero = Assert.IsType<CArrayType>(message.Field("zero").Type);
        Assert.Equal((0L, 0L), (zero.Length, zero.Size));
        var items = Assert.IsType<CArrayType>(message.Field("items").Type);
        Assert.Null(items.Length);
        Assert.Equal((-1L, "uint32_t[]"), (items.Size, items.Spelling));
        Assert.Equal(CBuiltinKind.UInt, items.Element.Builtin());
    }

    [Fact]
    public void Fixed_arrays_keep_dimensions_and_element_types()
    {
        var table = ParsedFixtures.Parse("fixed_arrays.h").Record("table");
        Assert.Equal((152L, 8L), (table.Size, table.Align));
        Assert.Equal([0L, 40 * 8, 88 * 8, 120 * 8, 136 * 8], table.Fields.Select(f => f.OffsetBits));

        var grid = Assert.IsType<CArrayType>(table.Field("grid").Type);
        var row = Assert.IsType<CArrayType>(grid.Element);
        Assert.Equal((3L, 4L, 48L, 16L), (grid.Length, row.Length, grid.Size, row.Size));
        Assert.Equal("uint32_t[3][4]", grid.Spelling);

        var slots = Assert.IsType<CArrayType>(table.Field("slots").Type);
        Assert.Equal((4L, "void *"), (slots.Length, slots.Element.Spelling));
        var names = Assert.IsType<CArrayType>(table.Field("names").Type);
        Assert.True(((CPointerType)names.Element).PointeeIsConst);
        var cells = Assert.IsType<CArrayType>(table.Field("cells").Type);
        Assert.Equal(("cell", 12L), (((CRecordRef)cells.Element).Name, cells.Size));
    }
}
