namespace DpdkSharp.Generator.Model;

/// <summary>
/// Everything parsed from one translation unit: a language-neutral C model. Emitters read it; nothing in
/// it depends on libclang. Collections keep declaration order; records, enums and typedefs are found by model name
/// through an index.
/// </summary>
public sealed class CModel
{
    /// <summary>Every struct and union the headers define or declare (anonymous ones under synthesized names), system headers' included.</summary>
    public List<CRecord> Records { get; } = [];
    /// <summary>Every enum, named or anonymous.</summary>
    public List<CEnum> Enums { get; } = [];
    /// <summary>Every typedef.</summary>
    public List<CTypedef> Typedefs { get; } = [];
    /// <summary>Every function declaration, exported or static inline (variadic ones included; selection skips them).</summary>
    public List<CFunction> Functions { get; } = [];
    /// <summary>Object-like macros under the roots that clang evaluated to a constant.</summary>
    public List<CMacro> Macros { get; } = [];
    /// <summary>Every <c>extern</c> variable.</summary>
    public List<CGlobal> Globals { get; } = [];
    /// <summary>Macros under the roots that did not become constants (function-like, empty, not a constant expression), with reasons.</summary>
    public List<CSkipped> Skipped { get; } = [];

    /// <summary>
    /// Every object-like macro defined by the end of the headers, anywhere (libc's too): C code the emitters write
    /// after the includes must not use such a name expecting C's declaration (glibc's <c>#define si_pid
    /// _sifields._kill.si_pid</c> names a field too).
    /// </summary>
    public HashSet<string> ObjectLikeMacros { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Directories whose declarations are "ours" (full paths ending in '/'): the options' header roots, else the
    /// headers' directories and every -I directory. Computed once by the parser (it evaluates the macros under them)
    /// and used by selection.
    /// </summary>
    public List<string> Roots { get; } = [];

    /// <summary>Headers that were the roots of the parse (full paths).</summary>
    public List<string> InputHeaders { get; } = [];

    /// <summary>
    /// How C code the generator writes (shim, layout checker) includes each input header: <c>&lt;name&gt;</c> when it
    /// was found through (or lies under) a <c>-I</c> directory, so the output can move with the same flags; the full
    /// path in quotes otherwise. Same order as <see cref="InputHeaders"/>.
    /// </summary>
    public List<string> Includes { get; } = [];

    private readonly ByName<CRecord> _records = new();
    private readonly ByName<CEnum> _enums = new();
    private readonly ByName<CTypedef> _typedefs = new();

    /// <summary>The first declaration of that name (a dictionary lookup: DPDK's model has thousands).</summary>
    public CRecord? FindRecord(string name) => _records.Find(Records, name);
    /// <summary>The first enum of that model name, or null (indexed like <see cref="FindRecord"/>).</summary>
    public CEnum? FindEnum(string name) => _enums.Find(Enums, name);
    /// <summary>The first typedef of that name, or null (indexed like <see cref="FindRecord"/>).</summary>
    public CTypedef? FindTypedef(string name) => _typedefs.Find(Typedefs, name);

    /// <summary>
    /// An index over a list the parser appends to: rebuilt when the list's length changed since the last lookup, so
    /// the lists stay the model's plain, ordered storage.
    /// </summary>
    private sealed class ByName<T> where T : CDeclaration
    {
        private Dictionary<string, T> _index = [];
        private int _indexed = -1;

        public T? Find(List<T> list, string name)
        {
            if (_indexed != list.Count)
            {
                _index = new Dictionary<string, T>(StringComparer.Ordinal);
                foreach (var item in list)
                {
                    _index.TryAdd(item.Name, item);
                }

                _indexed = list.Count;
            }
            return _index.GetValueOrDefault(name);
        }
    }
}
