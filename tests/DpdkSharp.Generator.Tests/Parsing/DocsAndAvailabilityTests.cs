using DpdkSharp.Generator.Model;
using DpdkSharp.Generator.Parsing;

namespace DpdkSharp.Generator.Tests.Parsing;

/// <summary>Doc comments on every kind of declaration, and DPDK's stability markers (rte_compat.h spelled verbatim in the fixture).</summary>
public class DocsAndAvailabilityTests
{
    private static readonly CModel Model = ParsedFixtures.Parse("docs_availability.h");

    [Fact]
    public void Doc_comments_on_every_kind()
    {
        var documented = Model.Record("documented");
        Assert.Equal("A documented record.\nUses <angle brackets> & ampersands.", documented.Doc);
        Assert.Equal(["The field's own doc.", "A trailing field doc.", "A deprecated field."], documented.Fields.Select(f => f.Doc));
        Assert.Equal("Documented enum.", Model.Enum("documented_enum").Doc);
        Assert.Equal(["The first constant.", "The second constant."], Model.Enum("documented_enum").Constants.Select(c => c.Doc));
        Assert.Equal("A documented typedef, in triple-slash style,\nover two lines.", Model.FindTypedef("doc_handle_t")!.Doc);
        Assert.Equal("A documented callback type.", Model.FindTypedef("doc_callback_t")!.Doc);
        Assert.Equal("The answer.", Model.Macro("DOC_ANSWER").Doc);
        Assert.Equal("A trailing macro doc.", Model.Macro("DOC_TRAILING").Doc);
        Assert.Null(Model.Macro("DOC_UNDOCUMENTED").Doc); // an ordinary /* */ comment is not documentation
        Assert.Null(Model.Function("doc_old_msg").Doc);
    }

    [Fact]
    public void Markers_are_stripped_and_blanks_normalized_per_line() =>
        Assert.Equal("A multi-line doc with @p markup,\nindentation and runs of spaces.\n\n@return\nZero.", Model.Function("doc_stable").Doc);

    [Fact]
    public void Deprecated_with_and_without_message()
    {
        Assert.Equal(new Availability(true, null, false, false), Model.Function("doc_old").Availability);
        Assert.Equal(new Availability(true, "use doc_stable", false, false), Model.Function("doc_old_msg").Availability);
        Assert.True(Model.Record("documented").Field("old_field").Availability.IsDeprecated);
        Assert.Equal(Availability.Stable, Model.Function("doc_stable").Availability);
        Assert.Equal(Availability.Stable, Model.Record("documented").Field("value").Availability);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-DALLOW_EXPERIMENTAL_API")]
    [InlineData("-DALLOW_EXPERIMENTAL_API -DALLOW_INTERNAL_API")]
    public void Experimental_is_not_deprecated_whatever_the_configuration(string args)
    {
        var model = ParsedFixtures.Parse("docs_availability.h", args.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(new Availability(false, null, true, false), model.Function("doc_new").Availability);
        Assert.Equal(new Availability(false, null, true, false), model.Function("doc_new_inline").Availability);
        Assert.True(model.Function("doc_new_inline").IsInline);
    }

    [Theory]
    [InlineData("")]                      // error("Symbol is not public ABI") + section
    [InlineData("-DALLOW_INTERNAL_API")]  // section only
    public void InternalIsReadFromTheSectionOrTheError(string args)
    {
        var model = ParsedFixtures.Parse("docs_availability.h", args.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(new Availability(false, null, false, true), model.Function("doc_internal").Availability);
    }

    [Fact]
    public void Attributes_written_without_macros_are_read_too()
    {
        var header = ParsedFixtures.TempHeader("""
            __attribute__((section(".text.experimental"))) int direct_experimental(void);
            __attribute__((__section__(".text.internal"))) int direct_internal(void);
            __attribute__((section(".text.hot"))) int other_section(void);
            __attribute__((deprecated("experimental? no: just old"))) int old_with_a_confusing_message(void);
            """);
        var model = HeaderParser.Parse([header], [], []);
        Assert.Equal(new Availability(false, null, true, false), model.Function("direct_experimental").Availability);
        Assert.Equal(new Availability(false, null, false, true), model.Function("direct_internal").Availability);
        Assert.Equal(Availability.Stable, model.Function("other_section").Availability);
        Assert.Equal(new Availability(true, "experimental? no: just old", false, false), model.Function("old_with_a_confusing_message").Availability);
    }

    [Theory]
    [InlineData("/** Plain. */", "Plain.")]
    [InlineData("/**< Trailing. */", "Trailing.")]
    [InlineData("/*!< Qt style trailing. */", "Qt style trailing.")]
    [InlineData("//!< Line trailing.", "Line trailing.")]
    [InlineData("/// One\n/// Two", "One\nTwo")]
    [InlineData("/**\n * First   line\n *\n *\tIndented\n */", "First line\n\nIndented")]
    [InlineData("/***/", null)]
    [InlineData("/** */", null)]
    public void Comment_text_is_cleaned(string raw, string? expected) => Assert.Equal(expected, CommentText.Clean(raw));

    [Theory]
    [InlineData(@"plain", "plain")]
    [InlineData(@"a\tb\n", "a\tb\n")]
    [InlineData(@"\""quoted\""\\", "\"quoted\"\\")]
    [InlineData(@"\x41\101\0", "AA\0")]
    [InlineData(@"\303\251", "é")] // UTF-8 bytes, as clang prints them
    public void CStringEscapesAreDecoded(string literal, string expected) => Assert.Equal(expected, CString.Unescape(literal));
}
