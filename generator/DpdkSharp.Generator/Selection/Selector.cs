using System.Text.RegularExpressions;
using DpdkSharp.Generator.Model;

namespace DpdkSharp.Generator.Selection;

/// <summary>What the emitters bind, and what was left out with the reason for each.</summary>
public sealed class BindingSet
{
    /// <summary>The parsed model this set selects from.</summary>
    public required CModel Model { get; init; }
    /// <summary>Records to emit: the roots' and every record a bound declaration reaches, wherever declared.</summary>
    public List<CRecord> Records { get; } = [];
    /// <summary>Enums to emit, reached the same way as <see cref="Records"/>.</summary>
    public List<CEnum> Enums { get; } = [];
    /// <summary>Functions to bind (exported and static inline): the roots, minus exclusions, internal API, variadics and signatures C# or the shim cannot carry.</summary>
    public List<CFunction> Functions { get; } = [];
    /// <summary>Evaluated macros to emit as constants.</summary>
    public List<CMacro> Macros { get; } = [];
    /// <summary>Variables to bind by address (thread-local ones are in <see cref="ThreadLocalGlobals"/> instead).</summary>
    public List<CGlobal> Globals { get; } = [];
    /// <summary>Typedefs declared under the roots that match the filters (their targets are bound).</summary>
    public List<CTypedef> Typedefs { get; } = [];
    /// <summary>C# names of records named after their typedef (<see cref="TypedefNames"/>), by model name.</summary>
    public Dictionary<string, string> RecordNames { get; } = [];
    /// <summary>Typedefs of pointers to records, bound as handle structs of their own (gzFile).</summary>
    public List<CTypedef> Handles { get; } = [];
    /// <summary>
    /// Thread-local variables that would otherwise be bound: C# cannot take their address (each thread has its
    /// own), so they need a shim accessor. Reported skipped; a C emitter that writes accessors reads them here.
    /// </summary>
    public List<CGlobal> ThreadLocalGlobals { get; } = [];
    /// <summary>Root declarations (under the header roots, matching the filters): the coverage denominator.</summary>
    public List<CFunction> RootFunctions { get; } = [];
    /// <summary>
    /// Constants in scope (under the header roots, matching the filters, not internal): object-like macros with a
    /// body and constants of anonymous enums, each by its own name. The constant coverage's denominator.
    /// </summary>
    public int RootConstants { get; set; }
    /// <summary>Root declarations selection left out, each with its reason (exclusions, internal API, variadics, ...).</summary>
    public List<CSkipped> Skipped { get; } = [];
    /// <summary>Directories whose declarations are roots (full paths ending in '/').</summary>
    public required IReadOnlyList<string> Roots { get; init; }

    /// <summary>Whether <paramref name="d"/> is written under one of the <see cref="Roots"/>.</summary>
    public bool IsRoot(CDeclaration d) => IsRoot(d.Location.File);

    /// <summary>Whether <paramref name="file"/> (made a full path, <c>..</c> resolved) lies under one of the <see cref="Roots"/>.</summary>
    public bool IsRoot(string file) => Roots.Any(r => Normalized(file).StartsWith(r, StringComparison.Ordinal));

    // clang reports a header reached through "../x/y.h" with the dots kept: compare full paths.
    private readonly Dictionary<string, string> _normalized = [];

    private string Normalized(string file)
    {
        if (file.Length == 0)
        {
            return file; // compiler built-ins have no file
        }

        if (!_normalized.TryGetValue(file, out var full))
        {
            _normalized[file] = full = Path.GetFullPath(file);
        }

        return full;
    }
}

/// <summary>
/// Chooses what to bind: roots are declarations written under the header roots whose names match the
/// include filters, minus exclusions (with their reasons), internal API and what C# cannot call
/// (variadic functions, thread-local variables); plus every record and enum a bound declaration reaches,
/// wherever it is declared.
/// </summary>
internal static class Selector
{
    public const string ThreadLocalReason = "thread-local: needs a shim accessor";

    /// <summary>Records whose fields are the C library's implementation, never API: glibc's FILE.</summary>
    public static readonly IReadOnlyList<string> OpaqueByDefault = ["_IO_FILE"];

    public static BindingSet Select(CModel model, GeneratorOptions options, IReadOnlyList<string> roots)
    {
        var set = new BindingSet
        {
            Model = model,
            Roots = [.. roots.Select(r => Path.GetFullPath(r).TrimEnd('/') + "/")],
        };
        var include = options.Include.Select(p => new Regex(p, RegexOptions.CultureInvariant)).ToList();
        var exclude = options.Exclude.ToDictionary(e => e.Name, e => e.Reason);
        bool Matches(string name) => include.Count == 0 || include.Any(r => r.IsMatch(name));

        // The parser reports every macro under the roots it could not evaluate; only those the filters ask for are
        // this binding's skips (libc's htobe16 under /usr/include is not liburing's).
        foreach (var skip in model.Skipped)
        {
            if (skip.Kind == "macro" && !(skip.Location is { } at && set.IsRoot(at.File) && Matches(skip.Name)))
            {
                continue;
            }

            set.Skipped.Add(skip);
            if (skip.IsConstant)
            {
                set.RootConstants++;
            }
        }

        bool Wanted(CDeclaration d, string kind)
        {
            if (!set.IsRoot(d) || !Matches(d.Name))
            {
                return false;
            }

            if (exclude.TryGetValue(d.Name, out var reason))
            {
                return Skip(kind, d, $"excluded: {reason}");
            }

            if (d.Availability.IsInternal)
            {
                return Skip(kind, d, "internal API");
            }

            return true;
        }

        bool Skip(string kind, CDeclaration d, string reason)
        {
            set.Skipped.Add(new CSkipped(kind, d.Name, reason, d.Location));
            return false;
        }

        var closure = new Closure(model, [.. OpaqueByDefault, .. options.OpaqueRecords]);
        foreach (var f in model.Functions)
        {
            var kind = f.IsInline ? "inline function" : "function";
            if (!set.IsRoot(f) || !Matches(f.Name))
            {
                continue;
            }

            if (!f.Availability.IsInternal)
            {
                set.RootFunctions.Add(f); // internal API is not part of the public API the coverage measures
            }

            if (!Wanted(f, kind))
            {
                continue;
            }

            if (f.IsVariadic)
            {
                // [LibraryImport] has no way to pass C's variable arguments; a fixed-arity C wrapper written by hand
                // (as DPDK's bindings have for their log calls) can be bound in its place.
                Skip(kind, f, "variadic: [LibraryImport] cannot pass C variable arguments; bind a hand-written fixed-arity C wrapper instead");
            }
            else if (Unrepresentable(f) is { } why)
            {
                Skip(kind, f, why);
            }
            else if (f.IsInline && Emit.C.ShimEmitter.CannotWrap(f) is { } unwrappable)
            {
                Skip(kind, f, unwrappable); // no shim symbol would exist for its stub
            }
            else
            {
                set.Functions.Add(f);
                closure.Add(f.ReturnType);
                foreach (var p in f.Parameters)
                {
                    closure.Add(p.Type);
                }
            }
        }
        foreach (var g in model.Globals.Where(g => Wanted(g, "global")))
        {
            if (g.IsThreadLocal)
            {
                set.ThreadLocalGlobals.Add(g);
                Skip("global", g, ThreadLocalReason);
            }
            else if (g.Type is CUnsupportedType u)
            {
                Skip("global", g, u.Reason);
            }
            else
            {
                set.Globals.Add(g);
                closure.Add(g.Type);
            }
        }
        foreach (var r in model.Records.Where(r => !r.IsAnonymous && Wanted(r, "record")))
        {
            closure.AddRecord(r.Name, viaPointer: true); // a root is bound for itself, not inside another by value
        }

        foreach (var e in model.Enums.Where(e => !e.IsAnonymous && Wanted(e, "enum")))
        {
            closure.AddEnum(e.Name);
        }

        var anonymous = model.Enums.Where(e => e.IsAnonymous && set.IsRoot(e))
            .Select(e => e with { Constants = AnonymousConstants(e, set, Matches, exclude) })
            .Where(e => e.Constants.Count > 0)
            .ToDictionary(e => e.Name);
        foreach (var t in model.Typedefs.Where(t => Wanted(t, "typedef")))
        {
            set.Typedefs.Add(t);
            closure.Add(t.Target);
        }
        foreach (var m in model.Macros.Where(m => set.IsRoot(m) && Matches(m.Name) && !m.Availability.IsInternal))
        {
            set.RootConstants++;
        }

        set.Macros.AddRange(model.Macros.Where(m => Wanted(m, "macro")));

        set.Records.AddRange(model.Records.Where(r => closure.Records.Contains(r.Name))
            .Select(r => closure.IsOpaque(r.Name) ? r with { IsOpaque = true, Fields = [], Size = -1, Align = -1 } : r));
        set.Enums.AddRange(model.Enums.Select(e => anonymous.GetValueOrDefault(e.Name) ?? (closure.Enums.Contains(e.Name) ? e : null))
            .OfType<CEnum>());
        if (options.TypedefNames)
        {
            TypedefNames.Apply(set);
        }

        return set;
    }

    /// <summary>
    /// The constants of an anonymous enum that are bound: each matched, excluded and counted by its own name (the
    /// enum's synthesized name, <c>__anon_enum_&lt;first&gt;</c>, is no C name a filter could be written for).
    /// </summary>
    private static List<CEnumConstant> AnonymousConstants(CEnum e, BindingSet set, Func<string, bool> matches, Dictionary<string, string> exclude)
    {
        var kept = new List<CEnumConstant>();
        foreach (var c in e.Constants.Where(c => matches(c.Name)))
        {
            if (e.Availability.IsInternal)
            {
                // Reported, but outside the public API the coverage measures (as for functions).
                set.Skipped.Add(new CSkipped("constant", c.Name, "internal API", e.Location));
                continue;
            }
            set.RootConstants++;
            if (exclude.TryGetValue(c.Name, out var reason))
            {
                set.Skipped.Add(new CSkipped("constant", c.Name, $"excluded: {reason}", e.Location) { IsConstant = true });
            }
            else
            {
                kept.Add(c);
            }
        }
        return kept;
    }

    /// <summary>Why a function cannot have a blittable stub, or null.</summary>
    private static string? Unrepresentable(CFunction f)
    {
        foreach (var t in f.Parameters.Select(p => p.Type).Prepend(f.ReturnType))
        {
            var resolved = t.Resolved();
            if (resolved is CUnsupportedType u)
            {
                return u.Reason;
            }

            if (resolved is CBuiltinType { Kind: CBuiltinKind.Int128 or CBuiltinKind.UInt128 })
            {
                return "__int128 passed by value: not supported by P/Invoke";
            }
        }
        return null;
    }

    /// <summary>Records and enums reachable from a set of types, through fields, pointers, arrays and typedefs.</summary>
    private sealed class Closure(CModel model, IEnumerable<string> opaque)
    {
        public HashSet<string> Records { get; } = [];
        public HashSet<string> Enums { get; } = [];
        private readonly Dictionary<string, CRecord> _records = model.Records.GroupBy(r => r.Name).ToDictionary(g => g.Key, g => g.Last());
        private readonly HashSet<string> _opaque = [.. opaque];
        private readonly HashSet<string> _byValue = [];

        /// <summary>Listed opaque and never reached by value (where its size would matter).</summary>
        public bool IsOpaque(string record) => _opaque.Contains(record) && !_byValue.Contains(record);

        public void Add(CType t, bool viaPointer = false)
        {
            switch (t)
            {
                case CTypedefRef r: Add(r.Target, viaPointer); break;
                case CPointerType p: Add(p.Pointee, viaPointer: true); break;
                case CArrayType a: Add(a.Element, viaPointer); break;
                case CRecordRef r: AddRecord(r.Name, viaPointer); break;
                case CEnumRef e: AddEnum(e.Name); break;
                case CFunctionPointerType f:
                    Add(f.Return);
                    foreach (var p in f.Parameters)
                    {
                        Add(p);
                    }

                    break;
            }
        }

        public void AddEnum(string name) => Enums.Add(name);

        public void AddRecord(string name, bool viaPointer = false)
        {
            var byValueFirstTime = !viaPointer && _opaque.Contains(name) && _byValue.Add(name);
            if ((!Records.Add(name) && !byValueFirstTime) || !_records.TryGetValue(name, out var record))
            {
                return;
            }

            if (IsOpaque(name))
            {
                return; // fields not bound: what they reach is not either (unless reached by value later)
            }

            foreach (var f in record.Fields)
            {
                Add(f.Type);
            }
        }
    }
}
