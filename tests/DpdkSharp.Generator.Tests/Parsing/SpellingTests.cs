using System.Text;
using DpdkSharp.Generator.Model;
using DpdkSharp.Generator.Parsing;
using DpdkSharp.Generator.Tests.Infrastructure;

namespace DpdkSharp.Generator.Tests.Parsing;

/// <summary>Every type's <see cref="CType.Spelling"/> is C that gcc accepts, as the C shim emitter uses it verbatim.</summary>
public class SpellingTests
{
    private static readonly string[] Fixtures =
    [
        "records.h", "bitfields.h", "packed_aligned.h", "flexible_arrays.h", "fixed_arrays.h", "enums.h",
        "macros.h", "types.h", "function_pointers.h", "functions.h", "docs_availability.h",
    ];

    [Fact]
    public void Every_spelling_outside_anonymous_members_compiles_with_clangs_size_and_alignment()
    {
        var model = HeaderParser.Parse([.. Fixtures.Select(ParsedFixtures.Header)], [], []);
        var anonymousMembers = model.Records.Where(r => r.ParentField?.StartsWith("__anon", StringComparison.Ordinal) == true).Select(r => r.Name).ToHashSet();
        var types = new List<CType>();
        foreach (var r in model.Records.Where(r => !anonymousMembers.Contains(r.Name)))
        {
            types.AddRange(r.Fields.Where(f => !f.IsAnonymousMember).Select(f => f.Type));
        }

        foreach (var f in model.Functions)
        {
            types.AddRange([f.ReturnType, .. f.Parameters.Select(p => p.Type)]);
        }

        types.AddRange(model.Typedefs.Select(t => t.Target));

        var source = new StringBuilder();
        foreach (var header in model.InputHeaders)
        {
            source.AppendLine($"#include \"{header}\"");
        }
        // A complete type is checked by value (an incomplete "union word_t" would compile behind a pointer)
        // against clang's size and alignment; a function type has neither.
        var all = types.SelectMany(Nested).DistinctBy(t => t.Spelling).ToList();
        for (var i = 0; i < all.Count; i++)
        {
            var t = all[i];
            if (t.Size < 0 || t is CFunctionPointerType { Size: not 8 })
            {
                source.AppendLine($"__typeof__({t.Spelling}) *dpdksharp_v{i};");
            }
            else
            {
                source.AppendLine($"_Static_assert(sizeof(__typeof__({t.Spelling})) == {t.Size} && _Alignof(__typeof__({t.Spelling})) == {t.Align}, \"{i}\");");
            }
        }
        var spellings = all.Select(t => t.Spelling).ToList();
        Assert.Contains("__typeof__(((struct shape *)0)->color)", spellings);
        Assert.Contains("word_t", spellings);

        var path = Path.Combine(Path.GetTempPath(), $"spellings_{Guid.NewGuid():N}.c");
        File.WriteAllText(path, source.ToString());
        Gcc.Compile("-std=gnu11", "-fsyntax-only", "-Wno-deprecated-declarations", path);
    }

    [Fact]
    public void Shared_and_nested_unnamed_types_are_spelled_through_their_fields()
    {
        var header = ParsedFixtures.TempHeader("""
            union ofs {
                unsigned long raw;
                struct {
                    struct { unsigned short head, tail; } auth, cipher;
                } ofs;
            };
            typedef enum { LEFT, RIGHT } side_t;
            side_t flip(side_t s);
            """);
        var model = HeaderParser.Parse([header], [], []);
        var inner = model.Record("ofs__ofs");
        const string auth = "__typeof__(((__typeof__(((union ofs *)0)->ofs) *)0)->auth)";
        Assert.Equal([auth, auth], inner.Fields.Select(f => f.Type.Spelling)); // one type, named after its first field
        Assert.Equal(("ofs__ofs", "auth"), (model.Record("ofs__ofs__auth").Parent, model.Record("ofs__ofs__auth").ParentField));
        Assert.Equal("side_t", model.FindTypedef("side_t")!.Target.Spelling);
        Assert.Equal("side_t", model.Function("flip").ReturnType.Spelling);
    }

    private static IEnumerable<CType> Nested(CType t) => t switch
    {
        CPointerType p => [t, .. Nested(p.Pointee)],
        CArrayType a => [t, .. Nested(a.Element)],
        CTypedefRef r => [t, .. Nested(r.Target)],
        CFunctionPointerType f => [t, .. Nested(f.Return), .. f.Parameters.SelectMany(Nested)],
        _ => [t],
    };
}
