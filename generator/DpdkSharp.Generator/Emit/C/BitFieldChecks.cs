using System.Text;
using DpdkSharp.Generator.Model;

namespace DpdkSharp.Generator.Emit.C;

/// <summary>
/// Bit-field positions and widths in the layout checker. C has no offsetof for bit-fields and no constant expression
/// that reads an object's bytes, so each check is code the optimizer must fold away: a zeroed object with only the
/// field set (all ones; 1 for a bool) is compared byte by byte, around the field, with the bytes the
/// C# assumes; a mismatch leaves a call to a function declared with <c>__attribute__((error))</c>, which fails the
/// compilation. So the checks need the checker compiled with optimization (<c>gcc -O1 -c</c>); without it
/// (<c>-fsyntax-only</c>) they are left out by <c>#ifdef __OPTIMIZE__</c> and only sizes and offsets are checked.
/// </summary>
internal sealed class BitFieldChecks
{
    private readonly StringBuilder _objects = new();
    private readonly StringBuilder _compares = new();

    public int Count { get; private set; }

    /// <summary>Adds a check for every named bit-field C reaches from <paramref name="r"/> (through anonymous members).</summary>
    public void Add(CRecord r, string type, IReadOnlyDictionary<string, CRecord> byName)
    {
        foreach (var (field, bits) in Fields(r, 0, byName))
        {
            var id = $"dpdksharp_bf_{Count++}";
            var width = field.BitWidth!.Value;
            var resolved = field.Type.Resolved();
            // All ones, truncated by C to the field's own width (which the check then compares with the C# width);
            // a bool field can only hold 1, so it checks the position alone.
            var isBool = resolved is CBuiltinType { Kind: CBuiltinKind.Bool };
            var value = isBool ? "1" : "0xFFFFFFFFFFFFFFFFULL";
            var set = isBool ? 1 : width;
            var message = $"{r.Name}.{field.Name}: bit-field at bit {bits}, width {width}";
            _objects.AppendLine($"extern void {id}_differs(void) __attribute__((error(\"{message}\")));");
            var first = Math.Max(0, bits / 8 - 1);
            var last = Math.Min(r.Size - 1, (bits + width - 1) / 8 + 1);
            var compares = new List<string>();
            for (var i = first; i <= last; i++)
            {
                compares.Add($"u.b[{i}] != 0x{ExpectedByte(i, bits, set):X2}");
            }
            // A zeroed local object the optimizer tracks byte by byte (gcc does not fold reads of a static object's
            // packed bit-fields, but does fold these).
            _compares.AppendLine($"    {{ union {{ {type} s; unsigned char b[sizeof({type})]; }} u; __builtin_memset(&u, 0, sizeof u); u.s.{field.Name} = {value};");
            _compares.AppendLine($"      if ({string.Join(" || ", compares)}) {id}_differs(); }}");
        }
    }

    /// <summary>Bits <c>[bits, bits + set)</c> of the object, byte <paramref name="index"/>.</summary>
    private static int ExpectedByte(long index, long bits, int set)
    {
        var b = 0;
        for (var bit = 0; bit < 8; bit++)
        {
            var at = index * 8 + bit;
            if (at >= bits && at < bits + set)
            {
                b |= 1 << bit;
            }
        }
        return b;
    }

    public void Write(StringBuilder s)
    {
        if (Count == 0)
        {
            return;
        }

        s.AppendLine();
        s.AppendLine("/* Bit-fields: folded away when the C# positions are right; compile with optimization (gcc -O1 -c) to check. */");
        s.AppendLine("#ifdef __OPTIMIZE__");
        s.AppendLine("#pragma GCC diagnostic push");
        s.AppendLine("#pragma GCC diagnostic ignored \"-Woverflow\" /* all ones, truncated to each field's width on purpose */");
        s.Append(_objects);
        s.AppendLine("void dpdksharp_layout_check_bitfields(void);");
        s.AppendLine("void dpdksharp_layout_check_bitfields(void)");
        s.AppendLine("{");
        s.Append(_compares);
        s.AppendLine("}");
        s.AppendLine("#pragma GCC diagnostic pop");
        s.AppendLine("#endif");
    }

    private static IEnumerable<(CField Field, long Bits)> Fields(CRecord r, long baseBits, IReadOnlyDictionary<string, CRecord> byName)
    {
        foreach (var f in r.Fields)
        {
            if (f.IsAnonymousMember && f.Type.Resolved() is CRecordRef rr && byName.TryGetValue(rr.Name, out var inner))
            {
                foreach (var leaf in Fields(inner, baseBits + f.OffsetBits, byName))
                {
                    yield return leaf;
                }
            }
            else if (f.BitWidth is > 0 && f.Name.Length > 0)
            {
                yield return (f, baseBits + f.OffsetBits);
            }
        }
    }
}
