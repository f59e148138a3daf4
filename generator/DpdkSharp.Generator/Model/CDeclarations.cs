namespace DpdkSharp.Generator.Model;

/// <summary>Where a declaration was written; <see cref="File"/> is the full path clang reports.</summary>
public sealed record SourceLocation(string File, int Line)
{
    public override string ToString() => $"{File}:{Line}";
}

/// <summary>API stability markers carried from C attributes.</summary>
public sealed record Availability(bool IsDeprecated, string? DeprecationMessage, bool IsExperimental, bool IsInternal)
{
    public static readonly Availability Stable = new(false, null, false, false);
}

/// <summary>Common shape of every top-level declaration in the model.</summary>
public abstract record CDeclaration
{
    public required string Name { get; init; }
    public required SourceLocation Location { get; init; }
    /// <summary>The header comment, stripped of comment markers (<c>/** */</c>, <c>*</c>, <c>///</c>); null when none.</summary>
    public string? Doc { get; init; }
    public Availability Availability { get; init; } = Availability.Stable;
}

/// <summary>
/// A struct or union with clang's layout. Anonymous records get a synthesized, stable name
/// (<c>{Parent}__anon{N}</c> for an anonymous member, <c>{Parent}__{field}</c> for the unnamed type of a named field) and <see cref="IsAnonymous"/> set; the parent reaches them through a
/// <see cref="CField"/> with <see cref="CField.IsAnonymousMember"/>.
/// </summary>
public sealed record CRecord : CDeclaration
{
    public required bool IsUnion { get; init; }
    /// <summary>True for a forward-declared record with no definition: usable only behind a pointer.</summary>
    public bool IsOpaque { get; init; }
    public bool IsAnonymous { get; init; }
    /// <summary>
    /// For a record without a C name (anonymous member, or the unnamed type of a named field): the model name
    /// of the enclosing record and the field of it that holds this one, so C code can reach it
    /// (<c>sizeof(((struct parent*)0)->field)</c>).
    /// </summary>
    public string? Parent { get; init; }
    public string? ParentField { get; init; }
    /// <summary>The C spelling usable in C code (<c>struct rte_mbuf</c>, or a typedef name for anonymous-but-typedef'd records); null for anonymous members.</summary>
    public string? CSpelling { get; init; }
    /// <summary>Declared <c>__attribute__((packed))</c>.</summary>
    public bool IsPacked { get; init; }
    public long Size { get; init; } = -1;
    public long Align { get; init; } = -1;
    public IReadOnlyList<CField> Fields { get; init; } = [];
}

public sealed record CField
{
    /// <summary>The field name; for an anonymous struct/union member a synthesized name (<c>__anon{N}</c>, N counting anonymous members of the parent from 0).</summary>
    public required string Name { get; init; }
    public required CType Type { get; init; }
    /// <summary>Offset from the start of the enclosing record, in bits (clang_Cursor_getOffsetOfField).</summary>
    public required long OffsetBits { get; init; }
    /// <summary>Bit-field width, or null when not a bit-field.</summary>
    public int? BitWidth { get; init; }
    /// <summary>An unnamed struct/union member whose fields are reachable by name from the parent in C.</summary>
    public bool IsAnonymousMember { get; init; }
    public string? Doc { get; init; }
    public Availability Availability { get; init; } = Availability.Stable;
}

public sealed record CEnum : CDeclaration
{
    /// <summary>Clang's integer type for the enum (clang_getEnumDeclIntegerType).</summary>
    public required CBuiltinKind UnderlyingType { get; init; }
    /// <summary>An unnamed enum: its constants are emitted as plain constants.</summary>
    public bool IsAnonymous { get; init; }
    public IReadOnlyList<CEnumConstant> Constants { get; init; } = [];
}

/// <summary>An enumerator; values are kept as their two's complement bits plus signedness.</summary>
public sealed record CEnumConstant(string Name, long Value, ulong UnsignedValue, string? Doc);

public sealed record CTypedef : CDeclaration
{
    public required CType Target { get; init; }
}

/// <summary>A parameter; <see cref="Name"/> is empty when the declaration gives none (<c>int f(z_streamp);</c>).</summary>
public sealed record CParameter(string Name, CType Type);

public sealed record CFunction : CDeclaration
{
    public required CType ReturnType { get; init; }
    public IReadOnlyList<CParameter> Parameters { get; init; } = [];
    public bool IsVariadic { get; init; }
    /// <summary><c>static inline</c> (or plain <c>static</c>) with a body in the header: no exported symbol, wrapped by the shim.</summary>
    public bool IsInline { get; init; }
}

/// <summary>What a macro evaluated to; <see cref="Pointer"/> is an integer cast to a pointer type (<c>((void *)-1)</c>).</summary>
public enum CMacroValueKind { SignedInteger, UnsignedInteger, Float, String, Pointer }

/// <summary>An object-like macro that clang evaluated to a constant.</summary>
public sealed record CMacro : CDeclaration
{
    public required CMacroValueKind Kind { get; init; }
    /// <summary>The C type of the evaluated expression (int, unsigned long long, double, char*...).</summary>
    public required CBuiltinKind ValueType { get; init; }
    public long SignedValue { get; init; }
    public ulong UnsignedValue { get; init; }
    public double FloatValue { get; init; }
    public string? StringValue { get; init; }
    /// <summary>For <see cref="CMacroValueKind.Pointer"/>: the pointer type (a typedef when the macro casts to one); the bits are <see cref="UnsignedValue"/>.</summary>
    public CType? PointerType { get; init; }
    /// <summary>The macro body as written, for doc comments.</summary>
    public string? Expression { get; init; }
}

/// <summary>An <c>extern</c> variable.</summary>
public sealed record CGlobal : CDeclaration
{
    public required CType Type { get; init; }
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
