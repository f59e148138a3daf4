using DpdkSharp.Generator.Clang;
using DpdkSharp.Generator.Model;
using static DpdkSharp.Generator.Clang.LibClang;

namespace DpdkSharp.Generator.Parsing;

/// <summary>
/// Walks a translation unit's declarations into the model: records (with clang's layout), enums, typedefs,
/// functions and globals. Anything a type refers to is modelled too, wherever it is declared; choosing what
/// to bind is the selection step's job, not this one's.
/// </summary>
internal sealed class DeclarationWalker
{
    private readonly IReadOnlyList<CXCursor> _topLevel;
    private readonly CModel _model;
    private readonly TypeConverter _types;
    private readonly AvailabilityReader _availability;
    private readonly Dictionary<string, CRecord> _records = [];
    private readonly Dictionary<string, CEnum> _enums = [];
    private readonly Dictionary<string, CTypedef> _typedefs = [];
    private readonly Dictionary<string, CFunction> _functions = [];
    private readonly HashSet<string> _globals = [];
    /// <summary>Names given to unnamed records/enums by a typedef (valid C spellings), keyed by where they are written.</summary>
    private readonly Dictionary<(string, uint), string> _typedefNames = [];
    /// <summary>Names synthesized for unnamed records/enums (typedef names included), keyed by where they are written.</summary>
    private readonly Dictionary<(string, uint), string> _anonymousNames = [];
    /// <summary>Record names in declaration order of completion (a record is added once all it contains is).</summary>
    private readonly HashSet<string> _building = [];

    /// <param name="topLevel">The translation unit's top-level cursors (declarations and preprocessing record).</param>
    /// <param name="model">The model the walk appends declarations and skips to.</param>
    /// <param name="availability">Reads deprecated/experimental/internal markers from the source text.</param>
    public DeclarationWalker(IReadOnlyList<CXCursor> topLevel, CModel model, AvailabilityReader availability)
    {
        _topLevel = topLevel;
        _model = model;
        _availability = availability;
        _types = new TypeConverter(this);
    }

    public void Walk()
    {
        var top = _topLevel;
        // Pre-pass: `typedef struct { ... } name;` names the unnamed record after the typedef.
        foreach (var c in top.Where(c => c.Kind == CXCursorKind.TypedefDecl))
        {
            var target = Desugar(clang_getTypedefDeclUnderlyingType(c));
            if (target.Kind is CXTypeKind.Record or CXTypeKind.Enum)
            {
                var decl = target.Declaration();
                if (IsUnnamed(decl) && _typedefNames.TryAdd(Key(decl), c.Spelling()))
                {
                    _anonymousNames.TryAdd(Key(decl), c.Spelling());
                }
            }
        }

        foreach (var c in top)
        {
            if (c.Where().File.Length == 0)
            {
                continue; // built-in declarations
            }

            switch (c.Kind)
            {
                case CXCursorKind.StructDecl or CXCursorKind.UnionDecl:
                    if (!IsUnnamed(c) || _anonymousNames.ContainsKey(Key(c)))
                    {
                        EnsureRecord(c, null);
                    }

                    break;
                case CXCursorKind.EnumDecl:
                    EnsureEnum(c, null);
                    break;
                case CXCursorKind.TypedefDecl:
                    EnsureTypedef(c);
                    break;
                case CXCursorKind.FunctionDecl:
                    AddFunction(c);
                    break;
                case CXCursorKind.VarDecl:
                    AddGlobal(c);
                    break;
            }
        }
    }

    /// <summary>
    /// A record or enum without a tag. (clang_Cursor_isAnonymous only answers for anonymous members in
    /// libclang 14; an unnamed tag's spelling is empty or "(unnamed/anonymous at ...)".)
    /// </summary>
    private static bool IsUnnamed(CXCursor decl)
    {
        var spelling = decl.Spelling();
        return spelling.Length == 0 || spelling.Contains("(unnamed", StringComparison.Ordinal) || spelling.Contains("(anonymous", StringComparison.Ordinal);
    }

    private static (string, uint) Key(CXCursor c)
    {
        var (file, _, offset) = c.Where();
        return (file, offset);
    }

    internal static CXType Desugar(CXType t)
    {
        while (t.Kind is CXTypeKind.Elaborated or CXTypeKind.Attributed)
        {
            t = t.Kind == CXTypeKind.Elaborated ? clang_Type_getNamedType(t) : clang_Type_getModifiedType(t);
        }

        return t;
    }

    /// <summary>
    /// A C spelling for an unnamed record or enum, which clang 14 spells as "struct (unnamed at file:line)":
    /// the typedef that names it, or <c>__typeof__</c> of the field that holds it; null when it has no C
    /// spelling (an anonymous member) or needs none (a tagged type).
    /// </summary>
    public string? UnnamedSpellingOf(CXCursor decl)
    {
        if (!IsUnnamed(decl))
        {
            return null;
        }

        if (_typedefNames.TryGetValue(Key(decl), out var typedefName))
        {
            return typedefName;
        }

        return _anonymousNames.TryGetValue(Key(decl), out var name) && _records.TryGetValue(name, out var record)
            ? FieldTypeSpelling(record) : null;
    }

    private string? FieldTypeSpelling(CRecord record)
    {
        if (record.Parent is null || record.ParentField is null || record.ParentField.StartsWith("__anon", StringComparison.Ordinal)
            || !_records.TryGetValue(record.Parent, out var parent))
        {
            return null;
        }

        var parentSpelling = parent.CSpelling ?? FieldTypeSpelling(parent);
        return parentSpelling is null ? null : $"__typeof__((({parentSpelling} *)0)->{record.ParentField})";
    }

    private SourceLocation Location(CXCursor c)
    {
        var (file, line, _) = c.Where();
        return new SourceLocation(file, line);
    }

    private string? Doc(CXCursor c) => CommentText.Clean(Take(clang_Cursor_getRawCommentText(c)));

    public CTypedef EnsureTypedef(CXCursor decl)
    {
        var name = decl.Spelling();
        if (_typedefs.TryGetValue(name, out var existing))
        {
            return existing;
        }

        var typedef = new CTypedef
        {
            Name = name,
            Location = Location(decl),
            Doc = Doc(decl),
            Availability = _availability.Read(decl),
            Target = _types.Convert(clang_getTypedefDeclUnderlyingType(decl)),
        };
        if (_typedefs.TryAdd(name, typedef))
        {
            _model.Typedefs.Add(typedef);
        }

        return _typedefs[name];
    }

    /// <summary>The model name of a record/enum declaration: its tag, the typedef that names it, or a synthesized one.</summary>
    private string NameOf(CXCursor decl, string? givenName)
    {
        if (givenName is not null)
        {
            return givenName;
        }

        if (!IsUnnamed(decl))
        {
            return decl.Spelling();
        }

        if (_anonymousNames.TryGetValue(Key(decl), out var name))
        {
            return name;
        }
        // An unnamed type reached some other way (a parameter, a global): named after where it is.
        var (file, line, _) = decl.Where();
        return $"{Path.GetFileNameWithoutExtension(file)}__anon_line{line}";
    }

    public CRecord EnsureRecord(CXCursor decl, string? givenName, string? parent = null, string? parentField = null)
    {
        var name = NameOf(decl, givenName);
        if (_records.TryGetValue(name, out var existing))
        {
            return existing;
        }

        var definition = clang_getCursorDefinition(decl);
        var isUnion = decl.Kind == CXCursorKind.UnionDecl;
        var keyword = isUnion ? "union" : "struct";
        var named = !IsUnnamed(decl);
        var cSpelling = named ? $"{keyword} {name}" : _typedefNames.ContainsKey(Key(decl)) ? name : null;

        if (definition.IsNull())
        {
            var opaque = new CRecord
            {
                Name = name, Location = Location(decl), IsUnion = isUnion, IsOpaque = true, CSpelling = cSpelling,
                Doc = Doc(decl),
            };
            _records[name] = opaque;
            _model.Records.Add(opaque);
            return opaque;
        }

        // Placeholder first: a record may point to itself (struct rte_mbuf *next).
        var placeholder = new CRecord
        {
            Name = name, Location = Location(definition), IsUnion = isUnion, CSpelling = cSpelling, Parent = parent, ParentField = parentField,
        };
        _records[name] = placeholder;

        var type = definition.Type();
        var fields = new List<CField>();
        var anonymousCount = 0;
        var packed = false;
        foreach (var child in definition.Children())
        {
            switch (child.Kind)
            {
                case CXCursorKind.PackedAttr:
                    packed = true;
                    break;
                case CXCursorKind.FieldDecl:
                    fields.Add(Field(child, name));
                    break;
                case CXCursorKind.StructDecl or CXCursorKind.UnionDecl when clang_Cursor_isAnonymousRecordDecl(child) != 0:
                {
                    var fieldName = $"__anon{anonymousCount++}";
                    var member = EnsureRecord(child, $"{name}__anon{anonymousCount - 1}", name, fieldName);
                    fields.Add(new CField
                    {
                        Name = fieldName,
                        Type = new CRecordRef(member.Name) { Spelling = child.Type().Spelling(), Size = member.Size, Align = member.Align },
                        OffsetBits = AnonymousMemberOffset(type, member),
                        IsAnonymousMember = true,
                        Doc = Doc(child),
                    });
                    break;
                }
                case CXCursorKind.StructDecl or CXCursorKind.UnionDecl when !IsUnnamed(child):
                    EnsureRecord(child, null); // a named record declared inside another is file-scope in C
                    break;
                case CXCursorKind.EnumDecl when !IsUnnamed(child):
                    EnsureEnum(child, null);
                    break;
            }
        }

        var record = placeholder with
        {
            IsAnonymous = !named && cSpelling is null,
            Parent = parent,
            ParentField = parentField,
            IsPacked = packed,
            Size = type.SizeOf(),
            Align = type.AlignOf(),
            Fields = fields,
            Doc = Doc(definition),
            Availability = _availability.Read(definition),
        };
        _records[name] = record;
        _model.Records.Add(record);
        return record;
    }

    private CField Field(CXCursor field, string parentName)
    {
        var name = field.Spelling();
        var type = field.Type();
        // `struct { ... } pos;`: the unnamed type is named after the field that holds it.
        var target = Desugar(type);
        while (target.Kind is CXTypeKind.ConstantArray or CXTypeKind.IncompleteArray)
        {
            target = Desugar(clang_getArrayElementType(target));
        }

        if (target.Kind is CXTypeKind.Record or CXTypeKind.Enum)
        {
            var decl = target.Declaration();
            if (IsUnnamed(decl) && !_anonymousNames.ContainsKey(Key(decl)))
            {
                var synthesized = $"{parentName}__{name}";
                _anonymousNames[Key(decl)] = synthesized;
                if (target.Kind == CXTypeKind.Record)
                {
                    EnsureRecord(decl, synthesized, parentName, name);
                }
                else
                {
                    EnsureEnum(decl, synthesized);
                }
            }
        }
        var isBitField = clang_Cursor_isBitField(field) != 0;
        return new CField
        {
            Name = name,
            Type = _types.Convert(type),
            OffsetBits = clang_Cursor_getOffsetOfField(field),
            BitWidth = isBitField ? clang_getFieldDeclBitWidth(field) : null,
            Doc = Doc(field),
            Availability = _availability.Read(field),
        };
    }

    /// <summary>
    /// clang has no offset query for an anonymous member itself, only for named fields (which it finds
    /// through anonymous members): the member's offset is a leaf field's offset in the parent minus the
    /// same leaf's offset inside the member.
    /// </summary>
    private unsafe long AnonymousMemberOffset(CXType parentType, CRecord member)
    {
        var (leaf, inner) = FirstNamedLeaf(member);
        if (leaf is null)
        {
            return 0; // an empty anonymous member: no storage, nothing can reach it
        }

        var utf8 = System.Text.Encoding.UTF8.GetBytes(leaf + "\0");
        fixed (byte* p = utf8)
        {
            var inParent = clang_Type_getOffsetOf(parentType, p);
            return inParent < 0 ? 0 : inParent - inner;
        }
    }

    private (string? Leaf, long OffsetBits) FirstNamedLeaf(CRecord record)
    {
        foreach (var f in record.Fields)
        {
            if (!f.IsAnonymousMember && f.Name.Length > 0) // an unnamed bit-field (padding) cannot be looked up
            {
                return (f.Name, f.OffsetBits);
            }

            if (!f.IsAnonymousMember)
            {
                continue;
            }

            var nested = _records[((CRecordRef)f.Type).Name];
            var (leaf, offset) = FirstNamedLeaf(nested);
            if (leaf is not null)
            {
                return (leaf, f.OffsetBits + offset);
            }
        }
        return (null, 0);
    }

    public CEnum EnsureEnum(CXCursor decl, string? givenName)
    {
        var definition = clang_getCursorDefinition(decl);
        if (definition.IsNull())
        {
            definition = decl;
        }

        var constants = definition.Children().Where(c => c.Kind == CXCursorKind.EnumConstantDecl).ToList();
        var anonymous = IsUnnamed(decl) && givenName is null && !_anonymousNames.ContainsKey(Key(decl));
        var name = anonymous && constants.Count > 0 ? $"__anon_enum_{constants[0].Spelling()}" : NameOf(decl, givenName);
        if (_enums.TryGetValue(name, out var existing))
        {
            return existing;
        }

        var integer = clang_getEnumDeclIntegerType(definition).Canonical();
        var result = new CEnum
        {
            Name = name,
            Location = Location(definition),
            Doc = Doc(definition),
            Availability = _availability.Read(definition),
            IsAnonymous = anonymous,
            UnderlyingType = TypeConverter.Builtin(integer.Kind) ?? CBuiltinKind.Int,
            Constants = [.. constants.Select(c => new CEnumConstant(c.Spelling(),
                clang_getEnumConstantDeclValue(c), clang_getEnumConstantDeclUnsignedValue(c), Doc(c)))],
        };
        _enums[name] = result;
        _model.Enums.Add(result);
        return result;
    }

    private void AddFunction(CXCursor c)
    {
        var name = c.Spelling();
        var isStatic = clang_Cursor_getStorageClass(c) == StorageStatic;
        if (_functions.TryGetValue(name, out var existing) && (existing.IsInline || !isStatic))
        {
            return; // already modelled (a redeclaration)
        }

        var type = c.Type();
        var parameters = new List<CParameter>();
        var count = clang_Cursor_getNumArguments(c);
        for (uint i = 0; i < count; i++)
        {
            var arg = clang_Cursor_getArgument(c, i);
            var argName = arg.Spelling();
            parameters.Add(new CParameter(argName, _types.Convert(arg.Type()))); // "" when C gives no name: emitters choose one
        }
        var function = new CFunction
        {
            Name = name,
            Location = Location(c),
            Doc = Doc(c),
            Availability = _availability.Read(c),
            ReturnType = _types.Convert(clang_getResultType(type)),
            Parameters = parameters,
            IsVariadic = type.Kind == CXTypeKind.FunctionProto && clang_isFunctionTypeVariadic(type) != 0,
            IsInline = isStatic,
        };
        if (existing is not null)
        {
            _model.Functions.Remove(existing);
        }

        _functions[name] = function;
        _model.Functions.Add(function);
    }

    private void AddGlobal(CXCursor c)
    {
        if (clang_Cursor_getStorageClass(c) != StorageExtern)
        {
            return; // a static or tentative definition in a header is not an exported variable
        }

        var name = c.Spelling();
        if (!_globals.Add(name))
        {
            return;
        }

        var type = c.Type();
        _model.Globals.Add(new CGlobal
        {
            Name = name,
            Location = Location(c),
            Doc = Doc(c),
            Availability = _availability.Read(c),
            Type = _types.Convert(type),
            IsConst = clang_isConstQualifiedType(type) != 0,
            IsThreadLocal = clang_getCursorTLSKind(c) != 0,
        });
    }
}
