namespace DpdkSharp.Generator.Model;

/// <summary>Where a declaration was written; <see cref="File"/> is the full path clang reports.</summary>
public sealed record SourceLocation(string File, int Line)
{
    /// <summary><c>file:line</c>, as compilers print locations.</summary>
    public override string ToString() => $"{File}:{Line}";
}

/// <summary>API stability markers carried from C attributes.</summary>
public sealed record Availability(bool IsDeprecated, string? DeprecationMessage, bool IsExperimental, bool IsInternal)
{
    /// <summary>No marker: neither deprecated, experimental nor internal (the default of every declaration).</summary>
    public static readonly Availability Stable = new(false, null, false, false);
}

/// <summary>Common shape of every top-level declaration in the model.</summary>
public abstract record CDeclaration
{
    /// <summary>
    /// The model name: the C name without <c>struct</c>/<c>union</c>/<c>enum</c> (<c>rte_mbuf</c>), or a synthesized
    /// one for an anonymous record or enum. Records, enums and typedefs are referenced by it.
    /// </summary>
    public required string Name { get; init; }
    /// <summary>Where the declaration (for a record, its definition when there is one) is written.</summary>
    public required SourceLocation Location { get; init; }
    /// <summary>The header comment, stripped of comment markers (<c>/** */</c>, <c>*</c>, <c>///</c>); null when none.</summary>
    public string? Doc { get; init; }
    /// <summary>Deprecated, experimental or internal markers from the C attributes (DPDK's <c>__rte_experimental</c>, ...).</summary>
    public Availability Availability { get; init; } = Availability.Stable;
}

/// <summary>
/// A struct or union with clang's layout. Anonymous records get a synthesized, stable name
/// (<c>{Parent}__anon{N}</c> for an anonymous member, <c>{Parent}__{field}</c> for the unnamed type of a named field) and <see cref="IsAnonymous"/> set; the parent reaches them through a
/// <see cref="CField"/> with <see cref="CField.IsAnonymousMember"/>.
/// </summary>
public sealed record CRecord : CDeclaration
{
    /// <summary>A union (every field at offset 0) rather than a struct.</summary>
    public required bool IsUnion { get; init; }
    /// <summary>True for a forward-declared record with no definition: usable only behind a pointer.</summary>
    public bool IsOpaque { get; init; }
    /// <summary>Has no C name of its own; <see cref="CDeclaration.Name"/> is synthesized (see the type's summary).</summary>
    public bool IsAnonymous { get; init; }
    /// <summary>
    /// For a record without a C name (anonymous member, or the unnamed type of a named field): the model name
    /// of the enclosing record and the field of it that holds this one, so C code can reach it
    /// (<c>sizeof(((struct parent*)0)->field)</c>).
    /// </summary>
    public string? Parent { get; init; }
    /// <summary>The field of <see cref="Parent"/> that holds this record (see <see cref="Parent"/>); null for a named record.</summary>
    public string? ParentField { get; init; }
    /// <summary>The C spelling usable in C code (<c>struct rte_mbuf</c>, or a typedef name for anonymous-but-typedef'd records); null for anonymous members.</summary>
    public string? CSpelling { get; init; }
    /// <summary>Declared <c>__attribute__((packed))</c>.</summary>
    public bool IsPacked { get; init; }
    /// <summary>Size in bytes from clang; -1 for an opaque record.</summary>
    public long Size { get; init; } = -1;
    /// <summary>Alignment in bytes from clang; -1 for an opaque record.</summary>
    public long Align { get; init; } = -1;
    /// <summary>The fields in declaration order, anonymous members as fields of synthesized records; empty when opaque.</summary>
    public IReadOnlyList<CField> Fields { get; init; } = [];
}

/// <summary>A field of a <see cref="CRecord"/>, with clang's bit offset.</summary>
public sealed record CField
{
    /// <summary>The field name; for an anonymous struct/union member a synthesized name (<c>__anon{N}</c>, N counting anonymous members of the parent from 0).</summary>
    public required string Name { get; init; }
    /// <summary>The field's type as written (typedefs kept).</summary>
    public required CType Type { get; init; }
    /// <summary>Offset from the start of the enclosing record, in bits (clang_Cursor_getOffsetOfField).</summary>
    public required long OffsetBits { get; init; }
    /// <summary>Bit-field width, or null when not a bit-field.</summary>
    public int? BitWidth { get; init; }
    /// <summary>An unnamed struct/union member whose fields are reachable by name from the parent in C.</summary>
    public bool IsAnonymousMember { get; init; }
    /// <summary>The field's documentation comment, stripped of comment markers; null when none.</summary>
    public string? Doc { get; init; }
    /// <summary>Markers from the field's own attributes (a deprecated field).</summary>
    public Availability Availability { get; init; } = Availability.Stable;
}

/// <summary>A C enum with clang's integer type; an anonymous one's constants are bound as plain constants.</summary>
public sealed record CEnum : CDeclaration
{
    /// <summary>Clang's integer type for the enum (clang_getEnumDeclIntegerType).</summary>
    public required CBuiltinKind UnderlyingType { get; init; }
    /// <summary>An unnamed enum: its constants are emitted as plain constants.</summary>
    public bool IsAnonymous { get; init; }
    /// <summary>The enumerators in declaration order.</summary>
    public IReadOnlyList<CEnumConstant> Constants { get; init; } = [];
}

/// <summary>An enumerator; values are kept as their two's complement bits plus signedness.</summary>
/// <param name="Name">The enumerator's C name.</param>
/// <param name="Value">The value read as signed (what it is when the enum's type is signed).</param>
/// <param name="UnsignedValue">The same bits read as unsigned (what it is when the enum's type is unsigned).</param>
/// <param name="Doc">The enumerator's comment without comment markers; null when none.</param>
public sealed record CEnumConstant(string Name, long Value, ulong UnsignedValue, string? Doc);

/// <summary>A <c>typedef</c>: <see cref="CDeclaration.Name"/> names <see cref="Target"/>.</summary>
public sealed record CTypedef : CDeclaration
{
    /// <summary>The type named, as written (itself possibly a typedef reference).</summary>
    public required CType Target { get; init; }
}

/// <summary>A parameter; <see cref="Name"/> is empty when the declaration gives none (<c>int f(z_streamp);</c>).</summary>
public sealed record CParameter(string Name, CType Type);

/// <summary>A function declaration: exported by a library, or <c>static inline</c> in the header (<see cref="IsInline"/>).</summary>
public sealed record CFunction : CDeclaration
{
    /// <summary>The return type as written.</summary>
    public required CType ReturnType { get; init; }
    /// <summary>The declared parameters in order (empty for <c>f(void)</c>).</summary>
    public IReadOnlyList<CParameter> Parameters { get; init; } = [];
    /// <summary>Ends in <c>...</c>: C# cannot call it, so selection skips it.</summary>
    public bool IsVariadic { get; init; }
    /// <summary><c>static inline</c> (or plain <c>static</c>) with a body in the header: no exported symbol, wrapped by the shim.</summary>
    public bool IsInline { get; init; }
}

/// <summary>What a macro evaluated to; <see cref="Pointer"/> is an integer cast to a pointer type (<c>((void *)-1)</c>).</summary>
public enum CMacroValueKind
{
    /// <summary>An integer of signed type; the value is <see cref="CMacro.SignedValue"/>.</summary>
    SignedInteger,
    /// <summary>An integer of unsigned type; the value is <see cref="CMacro.UnsignedValue"/>.</summary>
    UnsignedInteger,
    /// <summary>A floating-point value; the value is <see cref="CMacro.FloatValue"/>.</summary>
    Float,
    /// <summary>A string literal; the value is <see cref="CMacro.StringValue"/>.</summary>
    String,
    /// <summary>An integer cast to a pointer type; the bits are <see cref="CMacro.UnsignedValue"/>, the type <see cref="CMacro.PointerType"/>.</summary>
    Pointer,
}

/// <summary>An object-like macro that clang evaluated to a constant.</summary>
public sealed record CMacro : CDeclaration
{
    /// <summary>What the macro evaluated to, and so which value property holds it.</summary>
    public required CMacroValueKind Kind { get; init; }
    /// <summary>The C type of the evaluated expression (int, unsigned long long, double, char*...).</summary>
    public required CBuiltinKind ValueType { get; init; }
    /// <summary>For integers and pointers: the value's bits read as signed (both integer properties are always set).</summary>
    public long SignedValue { get; init; }
    /// <summary>For integers and pointers: the value's bits read as unsigned.</summary>
    public ulong UnsignedValue { get; init; }
    /// <summary>For <see cref="CMacroValueKind.Float"/>: the value as a double.</summary>
    public double FloatValue { get; init; }
    /// <summary>For <see cref="CMacroValueKind.String"/>: the literal's text; null otherwise.</summary>
    public string? StringValue { get; init; }
    /// <summary>For <see cref="CMacroValueKind.Pointer"/>: the pointer type (a typedef when the macro casts to one); the bits are <see cref="UnsignedValue"/>.</summary>
    public CType? PointerType { get; init; }
    /// <summary>The macro body as written, for doc comments.</summary>
    public string? Expression { get; init; }
}

/// <summary>An <c>extern</c> variable.</summary>
public sealed record CGlobal : CDeclaration
{
    /// <summary>The variable's type as written.</summary>
    public required CType Type { get; init; }
    /// <summary>Declared <c>const</c>: bound as a <c>ref readonly</c>.</summary>
    public bool IsConst { get; init; }
    /// <summary><c>__thread</c>/<c>_Thread_local</c>: reached through a shim accessor, never by address from C#.</summary>
    public bool IsThreadLocal { get; init; }
}

/// <summary>Something the parser or an emitter chose not to emit, and why.</summary>
public sealed record CSkipped(string Kind, string Name, string Reason, SourceLocation? Location)
{
    /// <summary>
    /// A would-be constant (an object-like macro with a body, an enumerator): counted in the constant coverage's
    /// denominator. Function-like and empty macros are reported too, but are not constants.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool IsConstant { get; init; }
}
