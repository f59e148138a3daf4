using System.Text.Json;
using System.Text.Json.Serialization;

namespace DpdkSharp.Generator;

/// <summary>
/// What to bind and how: read from a JSON options file (see <c>headers/</c> for DPDK's) and completed by
/// command-line arguments. Property names in JSON are camelCase.
/// </summary>
public sealed record GeneratorOptions
{
    /// <summary>Headers to parse, each a path or a name found on the include path.</summary>
    public List<string> Headers { get; init; } = [];
    /// <summary>Headers deliberately not bound, each with its reason (documentation that is also enforced: a header may not be both bound and excluded).</summary>
    public List<Exclusion> ExcludedHeaders { get; init; } = [];
    /// <summary>Extra clang arguments (include paths, defines), e.g. from <c>pkg-config --cflags libdpdk</c>.</summary>
    public List<string> ClangArgs { get; init; } = [];
    /// <summary>
    /// Directories whose declarations are bound (roots). Records and enums they reference are bound
    /// wherever they are declared. Empty: the directories of <see cref="Headers"/>.
    /// </summary>
    public List<string> HeaderRoots { get; init; } = [];
    /// <summary>Regular expressions; when non-empty a root declaration is bound only if its name matches one.</summary>
    public List<string> Include { get; init; } = [];
    /// <summary>Symbols never bound, each with the reason that goes into the report.</summary>
    public List<Exclusion> Exclude { get; init; } = [];
    /// <summary>
    /// Records bound opaque (usable only through pointers) even where C shows their fields, added to glibc's
    /// <c>FILE</c> (<c>struct _IO_FILE</c>), whose fields are the C library's business. A record also reached by value
    /// keeps its fields: its size matters there.
    /// </summary>
    public List<string> OpaqueRecords { get; init; } = [];
    /// <summary>
    /// Keep typedef names in C# where a type can carry them (see <c>Selection.TypedefNames</c>): records named by their
    /// typedef (<c>z_stream</c>, <c>pcap_t</c>), handle structs for pointers to opaque records (<c>gzFile</c>).
    /// </summary>
    public bool TypedefNames { get; init; } = true;
    /// <summary>C# namespace of the emitted code.</summary>
    public string Namespace { get; init; } = "DpdkSharp.Interop";
    /// <summary>
    /// Native library of the exported functions and variables: the real library (<c>z</c> for libz.so). DPDK's
    /// options name the shim here too, which links every DPDK library (see <see cref="ShimLibraryName"/>).
    /// </summary>
    public string LibraryName { get; init; } = DefaultLibrary;
    /// <summary>
    /// Native library of the static inline wrappers (the compiled shim, whose source is
    /// <c>native/&lt;shimLibraryName&gt;.c</c>). Null: <c>&lt;libraryName&gt;_shim</c>, so that a shim never takes the
    /// real library's name (built as libz.so it would hide libz); or, while <see cref="LibraryName"/> is left at its
    /// default, that same default (DPDK's arrangement: one library, the shim, through which DPDK resolves).
    /// </summary>
    public string? ShimLibraryName { get; init; }
    /// <summary>The static partial class that holds functions, constants and globals of each file.</summary>
    public string ApiClass { get; init; } = "Native";
    /// <summary>
    /// Functions whose stubs get <c>[SuppressGCTransition]</c>: only short, non-blocking calls (burst rx/tx,
    /// mbuf alloc/free, ring enqueue/dequeue), never anything that can block, call back or take a lock long.
    /// </summary>
    public List<string> SuppressGCTransition { get; init; } = [];
    /// <summary>Prefix of the shim's exported wrappers for static inline functions: <c>&lt;prefix&gt;_&lt;name&gt;</c>.</summary>
    public string ShimPrefix { get; init; } = "dpdksharp";
    /// <summary>
    /// Output file grouping: file name (without extension) to header file-name globs. A declaration goes to
    /// the first group whose glob matches its header; otherwise to a file named after its header.
    /// </summary>
    public Dictionary<string, List<string>> Groups { get; init; } = [];

    /// <summary>
    /// How options files and reports are (de)serialized: camelCase, comments and trailing commas allowed, indented,
    /// nulls left out; an unknown property in an options file is an error rather than silently ignored.
    /// </summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>
    /// Reads several options files in order (e.g. <c>headers/dpdk.json</c> then <c>headers/22.11/headers.json</c>):
    /// lists are concatenated, dictionaries merged, and a scalar set in a later file overrides an earlier one.
    /// </summary>
    /// <exception cref="GeneratorException">A file cannot be read as options, or the merged options contradict themselves.</exception>
    public static GeneratorOptions Load(IEnumerable<string> paths)
    {
        var merged = new GeneratorOptions();
        foreach (var path in paths)
        {
            merged = merged.Merge(Load(path));
        }

        merged.Validate();
        return merged;
    }

    /// <summary>The default <see cref="LibraryName"/>: DPDK's shim, which links every DPDK library.</summary>
    public const string DefaultLibrary = "dpdksharp_shim";

    /// <summary>The library static inline wrappers are imported from (see <see cref="ShimLibraryName"/>).</summary>
    [JsonIgnore]
    public string ShimLibrary => ShimLibraryName ?? (LibraryName == DefaultLibrary ? DefaultLibrary : LibraryName + "_shim");

    private static readonly GeneratorOptions Defaults = new();

    /// <summary>
    /// These options followed by <paramref name="later"/>'s (a new instance; neither is changed): lists are
    /// concatenated, groups merged by name, and a scalar <paramref name="later"/> sets to other than its default wins.
    /// A later file therefore cannot set a scalar back to its default.
    /// </summary>
    public GeneratorOptions Merge(GeneratorOptions later) => new()
    {
        Headers = [.. Headers, .. later.Headers],
        ExcludedHeaders = [.. ExcludedHeaders, .. later.ExcludedHeaders],
        ClangArgs = [.. ClangArgs, .. later.ClangArgs],
        HeaderRoots = [.. HeaderRoots, .. later.HeaderRoots],
        Include = [.. Include, .. later.Include],
        Exclude = [.. Exclude, .. later.Exclude],
        SuppressGCTransition = [.. SuppressGCTransition, .. later.SuppressGCTransition],
        OpaqueRecords = [.. OpaqueRecords, .. later.OpaqueRecords],
        Groups = new[] { Groups, later.Groups }.SelectMany(g => g).GroupBy(kv => kv.Key)
            .ToDictionary(g => g.Key, g => g.SelectMany(kv => kv.Value).ToList()),
        Namespace = later.Namespace != Defaults.Namespace ? later.Namespace : Namespace,
        LibraryName = later.LibraryName != Defaults.LibraryName ? later.LibraryName : LibraryName,
        ShimLibraryName = later.ShimLibraryName ?? ShimLibraryName,
        ApiClass = later.ApiClass != Defaults.ApiClass ? later.ApiClass : ApiClass,
        ShimPrefix = later.ShimPrefix != Defaults.ShimPrefix ? later.ShimPrefix : ShimPrefix,
        TypedefNames = later.TypedefNames != Defaults.TypedefNames ? later.TypedefNames : TypedefNames,
    };

    /// <summary>Rejects contradictions a reader of the options would not notice.</summary>
    /// <exception cref="GeneratorException">A header is both in <see cref="Headers"/> and in <see cref="ExcludedHeaders"/>.</exception>
    public void Validate()
    {
        var both = Headers.Select(Path.GetFileName).Intersect(ExcludedHeaders.Select(e => e.Name)).ToList();
        if (both.Count > 0)
        {
            throw new GeneratorException($"headers both bound and excluded: {string.Join(", ", both)}");
        }
    }

    /// <summary>Reads an options file; a file that does not parse is a <see cref="GeneratorException"/> naming it.</summary>
    /// <exception cref="GeneratorException">The file is missing, empty, not JSON, or has a property options do not have.</exception>
    public static GeneratorOptions Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new GeneratorException($"options file not found: {path}");
        }

        try
        {
            return JsonSerializer.Deserialize<GeneratorOptions>(File.ReadAllText(path), Json)
                ?? throw new GeneratorException($"options file is empty: {path}");
        }
        catch (JsonException e)
        {
            throw new GeneratorException($"options file does not parse: {path}:{e.LineNumber + 1}: {e.Message}");
        }
    }
}

/// <summary>A symbol or header deliberately not bound (<see cref="GeneratorOptions.Exclude"/>, <see cref="GeneratorOptions.ExcludedHeaders"/>).</summary>
/// <param name="Name">The C name of the symbol, or the header's file name (no directory).</param>
/// <param name="Reason">Why, for people: it goes into the report's skip list.</param>
public sealed record Exclusion(string Name, string Reason);

/// <summary>A user-facing generator failure: the CLI prints the message and exits non-zero.</summary>
public sealed class GeneratorException(string message) : Exception(message);
