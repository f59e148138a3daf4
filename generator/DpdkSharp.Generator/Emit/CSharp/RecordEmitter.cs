using System.Text;
using DpdkSharp.Generator.Model;

namespace DpdkSharp.Generator.Emit.CSharp;

/// <summary>
/// Emits a C struct or union as an explicit-layout C# struct with clang's offsets and C's size:
/// plain fields at their offsets; fixed arrays as inline arrays; bit-fields as properties that mask and
/// shift the smallest container holding them; zero-length and flexible arrays as span accessors without
/// storage; anonymous members as a field plus ref accessors for each name C reaches through them.
/// </summary>
internal sealed class RecordEmitter(TypeMapper types, IReadOnlyDictionary<string, CRecord> records, Action<CSkipped> report)
{
    private enum MemberKind { Field, BitField, FlexibleArray }

    private sealed record Member(string Name, MemberKind Kind, string Type);

    private readonly Dictionary<string, List<Member>> _reachable = [];

    public void Emit(StringBuilder s, CRecord r)
    {
        var name = types.RecordName(r.Name);
        Docs.Write(s, "", r.Doc ?? (r.IsAnonymous ? $"An anonymous {(r.IsUnion ? "union" : "struct")} inside {r.Parent}." : null),
            string.Join(' ', new[]
            {
                name != TypeMapper.Identifier(r.Name) && r.CSpelling is { } c ? $"C: {c}, named by its typedef {name}." : null,
                r.IsOpaque ? "Opaque in C: use it only through pointers." : AlignmentRemark(r),
            }.OfType<string>()) is { Length: > 0 } remark ? remark : null);
        Docs.Attributes(s, "", r.Availability);
        if (r.IsOpaque)
        {
            s.AppendLine($"public partial struct {name}");
            s.AppendLine("{");
            s.AppendLine("}");
            s.AppendLine();
            return;
        }
        s.AppendLine(r.Size > 0
            ? $"[StructLayout(LayoutKind.Explicit, Size = {r.Size})]"
            : "[StructLayout(LayoutKind.Explicit)]");
        s.AppendLine($"public unsafe partial struct {name}");
        s.AppendLine("{");
        // Unnamed bit-fields (`int :0;`, `int :3;`) are padding C cannot name: clang's offsets already account for them.
        foreach (var f in r.Fields.Where(f => f.Name.Length > 0))
        {
            EmitField(s, r, f);
        }

        s.AppendLine("}");
        s.AppendLine();
    }

    /// <summary>
    /// C# cannot declare a struct's alignment (only Size): it follows the fields the struct declares, at most 8 (16 with
    /// Int128). Where
    /// that differs from C's (cache-line-aligned, packed, bit-fields only) the docs say so; the generated records place
    /// the type at C's offsets regardless.
    /// </summary>
    private static string? AlignmentRemark(CRecord r)
    {
        var csharp = r.Fields
            .Where(f => f.BitWidth is null && f.Name.Length > 0 && f.Type.Resolved() is not CArrayType { Length: 0 or null })
            .Select(f => f.Type.Resolved() switch
            {
                CUnsupportedType => 1, // stored as bytes
                CBuiltinType { Kind: CBuiltinKind.Int128 or CBuiltinKind.UInt128 } => 16, // .NET aligns Int128 as the ABI does
                _ => Math.Clamp(f.Type.Align, 1, 8),
            })
            .DefaultIfEmpty(1).Max();
        return r.Align <= 0 || r.Align == csharp ? null
            : $"Alignment: {r.Align} in C, {csharp} in C# (C# cannot declare a struct's alignment; it follows the declared fields). " +
              "The generated records place this type at C's offsets, and memory from C is aligned as C says; a local, an array " +
              "or a struct of your own that C# lays out has the C# alignment.";
    }

    private string MemberName(CRecord r, string fieldName) =>
        TypeMapper.Identifier(fieldName) == types.RecordName(r.Name) ? fieldName + "_" : TypeMapper.Identifier(fieldName); // C# forbids a member named like its type

    private void EmitField(StringBuilder s, CRecord r, CField f)
    {
        const string I = "    ";
        var name = MemberName(r, f.Name);
        var offset = f.OffsetBits / 8;
        var resolved = f.Type.Resolved();
        string?[] remarks =
        [
            CType.IsAtomicType(f.Type)
                ? "C11 _Atomic in C: same size and representation here, but use System.Threading.Volatile or Interlocked to access it as C does."
                : null,
            // A C# function pointer type has no name of its own (a wrapper struct could not be called): the docs keep C's.
            f.Type is CTypedefRef named && resolved is CFunctionPointerType ? $"C type: {named.Name}." : null,
        ];
        Docs.Write(s, I, f.Doc, remarks.Any(r => r is not null) ? string.Join(' ', remarks.OfType<string>()) : null);
        Docs.Attributes(s, I, f.Availability);

        if (f.BitWidth is int width)
        {
            EmitBitField(s, r, f, name, width);
            return;
        }
        if (resolved is CArrayType { Length: 0 or null } flexible)
        {
            var element = types.ElementForArray(flexible.Element);
            s.AppendLine($"{I}/// <summary>The {(flexible.Length is null ? "flexible" : "zero-length")} array <c>{f.Name}</c> at byte {offset}: no storage here, <paramref name=\"length\"/> elements follow in memory.</summary>");
            s.AppendLine($"{I}[UnscopedRef]");
            s.AppendLine($"{I}public Span<{element}> {name}(int length) => MemoryMarshal.CreateSpan(ref Unsafe.As<byte, {element}>(ref Unsafe.AddByteOffset(ref Unsafe.As<{types.RecordName(r.Name)}, byte>(ref this), {offset})), length);");
            return;
        }
        if (Unsupported(resolved) is { } unsupported)
        {
            report(new CSkipped("field", $"{r.Name}.{f.Name}", $"{unsupported.Reason}: stored as opaque bytes ({f.Type.Size} bytes)", r.Location));
        }

        s.AppendLine($"{I}[FieldOffset({offset})]");
        s.AppendLine($"{I}public {types.MapField(f.Type)} {name};");

        if (f.IsAnonymousMember && records.TryGetValue(((CRecordRef)resolved).Name, out var member))
        {
            foreach (var m in Reachable(member))
            {
                EmitForward(s, name, m);
            }
        }
    }

    /// <summary>Accessors in the parent for a name C reaches through an anonymous member.</summary>
    private static void EmitForward(StringBuilder s, string via, Member m)
    {
        const string I = "    ";
        switch (m.Kind)
        {
            case MemberKind.Field:
                s.AppendLine($"{I}[UnscopedRef] public ref {m.Type} {m.Name} => ref {via}.{m.Name};");
                break;
            case MemberKind.BitField:
                s.AppendLine($"{I}public {m.Type} {m.Name} {{ get => {via}.{m.Name}; set => {via}.{m.Name} = value; }}");
                break;
            case MemberKind.FlexibleArray:
                s.AppendLine($"{I}[UnscopedRef] public Span<{m.Type}> {m.Name}(int length) => {via}.{m.Name}(length);");
                break;
        }
    }

    /// <summary>Every name usable on a record, its anonymous members' names included (recursively).</summary>
    private List<Member> Reachable(CRecord r)
    {
        if (_reachable.TryGetValue(r.Name, out var cached))
        {
            return cached;
        }

        var list = new List<Member>();
        foreach (var f in r.Fields.Where(f => f.Name.Length > 0))
        {
            var resolved = f.Type.Resolved();
            if (f.IsAnonymousMember && resolved is CRecordRef rr && records.TryGetValue(rr.Name, out var inner))
            {
                list.AddRange(Reachable(inner));
            }
            else if (f.BitWidth is not null)
            {
                list.Add(new Member(MemberName(r, f.Name), MemberKind.BitField, BitFieldType(f)));
            }
            else if (resolved is CArrayType { Length: 0 or null } a)
            {
                list.Add(new Member(MemberName(r, f.Name), MemberKind.FlexibleArray, types.ElementForArray(a.Element)));
            }
            else
            {
                list.Add(new Member(MemberName(r, f.Name), MemberKind.Field, types.MapField(f.Type)));
            }
        }
        return _reachable[r.Name] = list;
    }

    /// <summary>A type C# cannot represent (long double, vectors), directly or as array elements: kept as bytes, reported.</summary>
    private static CUnsupportedType? Unsupported(CType resolved) => resolved switch
    {
        CUnsupportedType u => u,
        CArrayType a => Unsupported(a.Element.Resolved()),
        _ => null,
    };

    private string BitFieldType(CField f) => types.Map(f.Type);

    private void EmitBitField(StringBuilder s, CRecord r, CField f, string name, int width)
    {
        const string I = "    ";
        var type = BitFieldType(f);
        var resolved = f.Type.Resolved();
        var signed = resolved is CBuiltinType { Kind: CBuiltinKind.CharSigned or CBuiltinKind.SChar or CBuiltinKind.Short
            or CBuiltinKind.Int or CBuiltinKind.Long or CBuiltinKind.LongLong };
        var isBool = resolved is CBuiltinType { Kind: CBuiltinKind.Bool };
        var recordName = types.RecordName(r.Name);
        var mask = width == 64 ? "ulong.MaxValue" : $"0x{(1UL << width) - 1:X}UL";
        var at = $"ref Unsafe.AddByteOffset(ref Unsafe.As<{recordName}, byte>(ref this), {{0}})";
        s.AppendLine($"{I}/// <remarks>Bit-field: {width} bit(s) at bit {f.OffsetBits}.</remarks>");

        string read, write;
        if (Container(f.OffsetBits, width, r.Size) is var (unit, bytes, shift))
        {
            var u = bytes switch { 1 => "byte", 2 => "ushort", 4 => "uint", _ => "ulong" };
            read = $"(ulong)Unsafe.ReadUnaligned<{u}>({string.Format(at, unit)})";
            write = $"ref var unit = ref Unsafe.AddByteOffset(ref Unsafe.As<{recordName}, byte>(ref this), {unit}); " +
                    $"var raw = (ulong)Unsafe.ReadUnaligned<{u}>(ref unit); raw = (raw & ~({mask} << {shift})) | ((BITS & {mask}) << {shift}); " +
                    $"Unsafe.WriteUnaligned(ref unit, ({u})raw);";
            read = $"(({read} >> {shift}) & {mask})";
        }
        else
        {
            // Wider than any 8-byte window that fits: assemble the covering bytes (rare: packed, unaligned).
            read = $"BitFields.Read({string.Format(at, 0)}, {f.OffsetBits}, {width})";
            write = $"BitFields.Write({string.Format(at, 0)}, {f.OffsetBits}, {width}, BITS);";
        }

        string getter = isBool ? $"{read} != 0"
            : signed ? $"({type})((long)({read} << {64 - width}) >> {64 - width})"
            : resolved is CEnumRef ? $"({type})({read})"
            : $"({type}){read}";
        var bits = isBool ? "(value ? 1UL : 0UL)" : $"unchecked((ulong){(resolved is CEnumRef ? "(long)" : "")}value)";
        if (signed)
        {
            bits = "unchecked((ulong)(long)value)";
        }

        s.AppendLine($"{I}public {type} {name}");
        s.AppendLine($"{I}{{");
        s.AppendLine($"{I}    get => {getter};");
        s.AppendLine($"{I}    set {{ {write.Replace("BITS", bits)} }}");
        s.AppendLine($"{I}}}");
    }

    /// <summary>
    /// The smallest 1/2/4/8-byte window inside the record that holds the bit-field: aligned to its own size
    /// when possible (the C storage unit), else starting at the field's first byte.
    /// </summary>
    private static (long Unit, int Bytes, long Shift)? Container(long offsetBits, int width, long recordSize)
    {
        foreach (var aligned in new[] { true, false })
        {
            foreach (var bytes in new[] { 1, 2, 4, 8 })
            {
                var unit = aligned ? offsetBits / 8 / bytes * bytes : offsetBits / 8;
                var shift = offsetBits - unit * 8;
                if (shift + width <= bytes * 8 && unit + bytes <= recordSize)
                {
                    return (unit, bytes, shift);
                }
            }
        }

        return null;
    }
}
