using DpdkSharp.Generator.Model;
using DpdkSharp.Generator.Parsing;

namespace DpdkSharp.Generator.Tests.Parsing;

/// <summary>Functions (exported, static inline, variadic) and extern globals.</summary>
public class FunctionParsingTests
{
    private static readonly CModel Model = ParsedFixtures.Parse("functions.h");

    [Fact]
    public void Exported_functions_are_not_inline()
    {
        var add = Model.Function("fn_add");
        Assert.False(add.IsInline || add.IsVariadic);
        Assert.Equal([("a", "int"), ("b", "int")], add.Parameters.Select(p => (p.Name, p.Type.Spelling)));
        Assert.Equal("Adds two numbers (exported).", add.Doc);
    }

    [Theory]
    [InlineData("fn_mul")]
    [InlineData("fn_increment")]
    [InlineData("fn_call")]
    [InlineData("fn_burst")]
    public void Static_inline_functions_are_inline(string name) => Assert.True(Model.Function(name).IsInline);

    [Fact]
    public void Inline_signatures_keep_their_spellings_for_the_shim()
    {
        var burst = Model.Function("fn_burst");
        Assert.Equal(["uint16_t", "void **", "const uint16_t"], burst.Parameters.Select(p => p.Type.Spelling));
        Assert.Equal(("uint16_t", CBuiltinKind.UShort), (burst.ReturnType.Spelling, burst.ReturnType.Builtin()));
        Assert.Equal("void", Model.Function("fn_increment").ReturnType.Spelling);
        Assert.IsType<CFunctionPointerType>(Model.Function("fn_call").Parameters[0].Type);
    }

    [Fact]
    public void Variadic_functions_are_flagged()
    {
        var log = Model.Function("fn_log");
        Assert.True(log.IsVariadic);
        Assert.False(log.IsInline);
        Assert.Equal("format", Assert.Single(log.Parameters).Name);
    }

    [Fact]
    public void Extern_globals_with_const_and_thread_local()
    {
        var header = ParsedFixtures.TempHeader("""
            #include <stdint.h>
            /** A counter. */
            extern uint64_t g_counter;
            extern const char *const g_name;
            extern __thread unsigned g_lcore;
            extern _Thread_local int g_errno;
            static int g_private;
            int g_tentative;
            static inline int g_inline(void) { return g_private; }
            void g_unnamed(int, char *);
            int g_no_prototype();
            """);
        var model = HeaderParser.Parse([header], [], []);
        CGlobal G(string name) => model.Globals.Single(g => g.Name == name);
        Assert.Equal((false, false, "uint64_t", "A counter."), (G("g_counter").IsConst, G("g_counter").IsThreadLocal, G("g_counter").Type.Spelling, G("g_counter").Doc));
        Assert.True(G("g_name").IsConst);
        Assert.True(G("g_lcore").IsThreadLocal);
        Assert.True(G("g_errno").IsThreadLocal);
        Assert.Equal(new SourceLocation(header, 3), G("g_counter").Location);
        Assert.DoesNotContain(model.Globals, g => g.Name is "g_private" or "g_tentative");
        Assert.True(model.Function("g_inline").IsInline);
        Assert.Equal(["", ""], model.Function("g_unnamed").Parameters.Select(p => p.Name)); // unnamed in C: the emitters name them
        Assert.Empty(model.Function("g_no_prototype").Parameters);
    }

    [Fact]
    public void A_redeclaration_is_modelled_once()
    {
        var header = ParsedFixtures.TempHeader("""
            int twice(int x);
            int twice(int x);
            static inline int later(int x);
            static inline int later(int x) { return x; }
            """);
        var model = HeaderParser.Parse([header], [], []);
        Assert.Single(model.Functions, f => f.Name == "twice");
        Assert.True(Assert.Single(model.Functions, f => f.Name == "later").IsInline);
    }
}
