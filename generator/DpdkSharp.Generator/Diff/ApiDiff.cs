using System.Text;
using DpdkSharp.Generator.Model;

namespace DpdkSharp.Generator.Diff;

/// <summary>
/// What changed in the C API between two parsed versions (e.g. DPDK 22.11 → 24.11): functions added,
/// removed or changed in signature; records whose layout changed (size, alignment, a field's offset,
/// width or type, fields added or removed); enums and macros whose values changed. Bindings are
/// regenerated per version anyway; this report tells a user of the raw API what their code must mind.
/// </summary>
public sealed class ApiDiff
{
    /// <summary>The label of the older version in the report (e.g. <c>22.11</c>).</summary>
    public required string FromName { get; init; }
    /// <summary>The label of the newer version in the report.</summary>
    public required string ToName { get; init; }
    /// <summary>Functions only the newer version declares, sorted by name (ordinal).</summary>
    public List<string> FunctionsAdded { get; } = [];
    /// <summary>Functions only the older version declares, sorted by name (ordinal).</summary>
    public List<string> FunctionsRemoved { get; } = [];
    /// <summary>
    /// Functions in both whose signature differs: each with its C signature in either version (return type,
    /// parameter types, <c>...</c>, and <c>[inline]</c> for a static inline function, so becoming inline is a change).
    /// </summary>
    public List<(string Name, string From, string To)> FunctionsChanged { get; } = [];
    /// <summary>Records with a definition only in the newer version (opaque declarations do not count).</summary>
    public List<string> RecordsAdded { get; } = [];
    /// <summary>Records with a definition only in the older version.</summary>
    public List<string> RecordsRemoved { get; } = [];
    /// <summary>
    /// Records in both whose layout differs, each with one line per change (size, alignment, a field's offset, width
    /// or type, a field added or removed); fields of anonymous members are compared where C names them.
    /// </summary>
    public List<(string Name, List<string> Changes)> RecordsChanged { get; } = [];
    /// <summary>Constants (evaluated macros and enumerators) in both whose value differs, each with both values as text.</summary>
    public List<(string Name, string From, string To)> ConstantsChanged { get; } = [];

    /// <summary>Compares two parsed versions of the same headers.</summary>
    /// <param name="fromName">The older version's label (<see cref="FromName"/>).</param>
    /// <param name="from">The older version's model.</param>
    /// <param name="toName">The newer version's label (<see cref="ToName"/>).</param>
    /// <param name="to">The newer version's model.</param>
    /// <param name="include">Which declarations count (e.g. the bound roots); records are compared by name.</param>
    public static ApiDiff Compare(string fromName, CModel from, string toName, CModel to, Func<CDeclaration, bool> include)
    {
        var diff = new ApiDiff { FromName = fromName, ToName = toName };

        var fa = from.Functions.Where(d => include(d)).GroupBy(f => f.Name).ToDictionary(g => g.Key, g => g.First());
        var fb = to.Functions.Where(d => include(d)).GroupBy(f => f.Name).ToDictionary(g => g.Key, g => g.First());
        diff.FunctionsAdded.AddRange(fb.Keys.Except(fa.Keys).Order(StringComparer.Ordinal));
        diff.FunctionsRemoved.AddRange(fa.Keys.Except(fb.Keys).Order(StringComparer.Ordinal));
        foreach (var name in fa.Keys.Intersect(fb.Keys).Order(StringComparer.Ordinal))
        {
            string sa = Signature(fa[name]), sb = Signature(fb[name]);
            if (sa != sb)
            {
                diff.FunctionsChanged.Add((name, sa, sb));
            }
        }

        var ra = from.Records.Where(r => !r.IsOpaque && include(r)).GroupBy(r => r.Name).ToDictionary(g => g.Key, g => g.First());
        var rb = to.Records.Where(r => !r.IsOpaque && include(r)).GroupBy(r => r.Name).ToDictionary(g => g.Key, g => g.First());
        diff.RecordsAdded.AddRange(rb.Keys.Except(ra.Keys).Order(StringComparer.Ordinal));
        diff.RecordsRemoved.AddRange(ra.Keys.Except(rb.Keys).Order(StringComparer.Ordinal));
        var allA = from.Records.GroupBy(r => r.Name).ToDictionary(g => g.Key, g => g.Last());
        var allB = to.Records.GroupBy(r => r.Name).ToDictionary(g => g.Key, g => g.Last());
        foreach (var name in ra.Keys.Intersect(rb.Keys).Order(StringComparer.Ordinal))
        {
            var changes = LayoutChanges(ra[name], allA, rb[name], allB);
            if (changes.Count > 0)
            {
                diff.RecordsChanged.Add((name, changes));
            }
        }

        var ca = Constants(from, include);
        var cb = Constants(to, include);
        foreach (var name in ca.Keys.Intersect(cb.Keys).Order(StringComparer.Ordinal))
        {
            if (ca[name] != cb[name])
            {
                diff.ConstantsChanged.Add((name, ca[name], cb[name]));
            }
        }

        return diff;
    }

    private static string Signature(CFunction f) =>
        $"{f.ReturnType.Spelling} {f.Name}({string.Join(", ", f.Parameters.Select(p => p.Type.Spelling))}{(f.IsVariadic ? ", ..." : "")})"
        + (f.IsInline ? " [inline]" : "");

    /// <summary>
    /// The names C code uses on a record, with absolute positions: anonymous members are looked through, so
    /// moving fields into an anonymous union (as rte_mbuf did) is not reported as removing them.
    /// </summary>
    private static List<CField> Leaves(CRecord r, IReadOnlyDictionary<string, CRecord> records, long baseBits = 0)
    {
        var leaves = new List<CField>();
        foreach (var f in r.Fields)
        {
            if (f.IsAnonymousMember && f.Type is CRecordRef inner && records.TryGetValue(inner.Name, out var member))
            {
                leaves.AddRange(Leaves(member, records, baseBits + f.OffsetBits));
            }
            else
            {
                leaves.Add(f with { OffsetBits = baseBits + f.OffsetBits });
            }
        }
        return leaves;
    }

    private static List<string> LayoutChanges(CRecord a, IReadOnlyDictionary<string, CRecord> recordsA,
        CRecord b, IReadOnlyDictionary<string, CRecord> recordsB)
    {
        var changes = new List<string>();
        if (a.Size != b.Size)
        {
            changes.Add($"size {a.Size} → {b.Size}");
        }

        if (a.Align != b.Align)
        {
            changes.Add($"alignment {a.Align} → {b.Align}");
        }

        var la = Leaves(a, recordsA);
        var lb = Leaves(b, recordsB);
        var fa = la.GroupBy(f => f.Name).ToDictionary(g => g.Key, g => g.First());
        var fb = lb.GroupBy(f => f.Name).ToDictionary(g => g.Key, g => g.First());
        foreach (var f in la.Where(f => !fb.ContainsKey(f.Name)))
        {
            changes.Add($"field {f.Name} removed");
        }

        foreach (var f in lb.Where(f => !fa.ContainsKey(f.Name)))
        {
            changes.Add($"field {f.Name} added at {Position(f)}");
        }

        foreach (var f in la.Where(f => fb.ContainsKey(f.Name)))
        {
            var g = fb[f.Name];
            if (f.OffsetBits != g.OffsetBits || f.BitWidth != g.BitWidth)
            {
                changes.Add($"field {f.Name} moved {Position(f)} → {Position(g)}");
            }
            // Unnamed types get names from their parent, which can differ between versions: compare sizes then.
            var unnamed = f.Type is CRecordRef || g.Type is CRecordRef;
            if (unnamed ? f.Type.Size != g.Type.Size : f.Type.Spelling != g.Type.Spelling)
            {
                changes.Add($"field {f.Name} type {f.Type.Spelling} → {g.Type.Spelling}");
            }
        }
        return changes;
    }

    private static string Position(CField f) =>
        f.BitWidth is int w ? $"bit {f.OffsetBits} (width {w})"
        : f.OffsetBits % 8 == 0 ? $"byte {f.OffsetBits / 8}" : $"bit {f.OffsetBits}";

    private static Dictionary<string, string> Constants(CModel model, Func<CDeclaration, bool> include)
    {
        var result = new Dictionary<string, string>();
        foreach (var m in model.Macros.Where(d => include(d)))
        {
            result.TryAdd(m.Name, m.Kind switch
            {
                CMacroValueKind.SignedInteger => m.SignedValue.ToString(),
                CMacroValueKind.UnsignedInteger => m.UnsignedValue.ToString(),
                CMacroValueKind.Pointer => $"({m.PointerType?.Spelling}){m.SignedValue}",
                CMacroValueKind.Float => m.FloatValue.ToString("R"),
                _ => $"\"{m.StringValue}\"",
            });
        }

        foreach (var e in model.Enums.Where(d => include(d)))
        {
            foreach (var c in e.Constants)
            {
                result.TryAdd(c.Name, c.Value.ToString());
            }
        }

        return result;
    }

    /// <summary>A Markdown report a person reads: summary counts first, then each list.</summary>
    public string ToMarkdown()
    {
        var s = new StringBuilder();
        s.AppendLine($"# API changes: {FromName} → {ToName}").AppendLine();
        s.AppendLine($"- functions: {FunctionsAdded.Count} added, {FunctionsRemoved.Count} removed, {FunctionsChanged.Count} changed");
        s.AppendLine($"- records: {RecordsAdded.Count} added, {RecordsRemoved.Count} removed, {RecordsChanged.Count} with a changed layout");
        s.AppendLine($"- constants: {ConstantsChanged.Count} changed value").AppendLine();
        Section(s, "Records whose layout changed", RecordsChanged.Select(r => $"`{r.Name}`: {string.Join("; ", r.Changes)}"));
        Section(s, "Functions changed", FunctionsChanged.Select(f => $"`{f.Name}`: `{f.From}` → `{f.To}`"));
        Section(s, "Functions removed", FunctionsRemoved.Select(n => $"`{n}`"));
        Section(s, "Functions added", FunctionsAdded.Select(n => $"`{n}`"));
        Section(s, "Records removed", RecordsRemoved.Select(n => $"`{n}`"));
        Section(s, "Records added", RecordsAdded.Select(n => $"`{n}`"));
        Section(s, "Constants changed", ConstantsChanged.Select(c => $"`{c.Name}`: {c.From} → {c.To}"));
        return s.ToString();
    }

    private static void Section(StringBuilder s, string title, IEnumerable<string> lines)
    {
        var list = lines.ToList();
        if (list.Count == 0)
        {
            return;
        }

        s.AppendLine($"## {title} ({list.Count})").AppendLine();
        foreach (var line in list)
        {
            s.AppendLine($"- {line}");
        }

        s.AppendLine();
    }
}
