using System.Collections.Concurrent;
using DpdkSharp.Generator.Model;
using DpdkSharp.Generator.Parsing;

namespace DpdkSharp.Generator.Tests.Parsing;

/// <summary>Fixture headers (copied beside the test assembly), parsed once per argument set, and small lookups.</summary>
internal static class ParsedFixtures
{
    private static readonly ConcurrentDictionary<string, CModel> Cache = new();

    public static string Header(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static CModel Parse(string fixture, params string[] clangArgs) =>
        Cache.GetOrAdd(fixture + "|" + string.Join(' ', clangArgs), _ => HeaderParser.Parse([Header(fixture)], clangArgs, []));

    /// <summary>Writes <paramref name="text"/> to a fresh header in a fresh directory (its own macro root).</summary>
    public static string TempHeader(string text, string name = "temp.h")
    {
        var directory = Path.Combine(Path.GetTempPath(), "dpdksharp-parse-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    public static CRecord Record(this CModel model, string name) =>
        model.FindRecord(name) ?? throw new Xunit.Sdk.XunitException($"no record {name}; records: {string.Join(", ", model.Records.Select(r => r.Name))}");

    public static CField Field(this CRecord record, string name) =>
        record.Fields.SingleOrDefault(f => f.Name == name) ?? throw new Xunit.Sdk.XunitException($"no field {record.Name}.{name}");

    public static CFunction Function(this CModel model, string name) =>
        model.Functions.SingleOrDefault(f => f.Name == name) ?? throw new Xunit.Sdk.XunitException($"no function {name}");

    public static CMacro Macro(this CModel model, string name) =>
        model.Macros.SingleOrDefault(m => m.Name == name) ?? throw new Xunit.Sdk.XunitException(
            $"no macro {name}; skipped: {string.Join("; ", model.Skipped.Where(s => s.Name == name).Select(s => s.Reason))}");

    public static CEnum Enum(this CModel model, string name) =>
        model.FindEnum(name) ?? throw new Xunit.Sdk.XunitException($"no enum {name}");

    /// <summary>The type behind typedef references.</summary>
    public static CType Bare(this CType type) => type is CTypedefRef t ? t.Target.Bare() : type;

    public static CBuiltinKind Builtin(this CType type) => ((CBuiltinType)type.Bare()).Kind;
}
