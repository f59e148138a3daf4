namespace DpdkSharp.Generator.Model;

/// <summary>
/// Everything parsed from one translation unit: a language-neutral C model. Emitters read it; nothing in
/// it depends on libclang. Collections are keyed by model name and keep declaration order.
/// </summary>
public sealed class CModel
{
    public List<CRecord> Records { get; } = [];
    public List<CEnum> Enums { get; } = [];
    public List<CTypedef> Typedefs { get; } = [];
    public List<CFunction> Functions { get; } = [];
    public List<CMacro> Macros { get; } = [];
    public List<CGlobal> Globals { get; } = [];
    public List<CSkipped> Skipped { get; } = [];

    /// <summary>
    /// Every object-like macro defined by the end of the headers, anywhere (libc's too): C code the emitters write
    /// after the includes must not use such a name expecting C's declaration (glibc's <c>#define si_pid
    /// _sifields._kill.si_pid</c> names a field too).
    /// </summary>
    public HashSet<string> ObjectLikeMacros { get; } = new(StringComparer.Ordinal);

    /// <summary>Headers that were the roots of the parse (full paths).</summary>
    public List<string> InputHeaders { get; } = [];

    /// <summary>
    /// How C code the generator writes (shim, layout checker) includes each input header: <c>&lt;name&gt;</c> when it
    /// was found through (or lies under) a <c>-I</c> directory, so the output can move with the same flags; the full
    /// path in quotes otherwise. Same order as <see cref="InputHeaders"/>.
    /// </summary>
    public List<string> Includes { get; } = [];

    public CRecord? FindRecord(string name) => Records.Find(r => r.Name == name);
    public CEnum? FindEnum(string name) => Enums.Find(e => e.Name == name);
    public CTypedef? FindTypedef(string name) => Typedefs.Find(t => t.Name == name);
}
