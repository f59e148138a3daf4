using System.Text;
using DpdkSharp.Generator.Model;

namespace DpdkSharp.Generator.Emit.CSharp;

/// <summary>
/// A typedef of a pointer to an opaque record (<c>typedef struct gzFile_s *gzFile;</c>) as a struct of its own holding
/// the pointer: the C name stays visible to users (a C# alias could not be), and it is passed and returned exactly as
/// the pointer (one pointer-sized INTEGER-class field on x86_64 System V). Converts implicitly from and to the pointer.
/// </summary>
internal static class Handles
{
    public static void Emit(StringBuilder s, CTypedef h, TypeMapper types)
    {
        var name = TypeMapper.Identifier(h.Name);
        var pointer = types.Map(((CPointerType)h.Target).Pointee) + "*";
        Docs.Write(s, "", h.Doc, $"C: typedef {h.Target.Spelling} {h.Name}; a handle holding the pointer, passed as the pointer is.");
        Docs.Attributes(s, "", h.Availability);
        s.AppendLine($"public readonly unsafe partial struct {name}({pointer} value) : IEquatable<{name}>");
        s.AppendLine("{");
        s.AppendLine($"    public readonly {pointer} Value = value;");
        s.AppendLine($"    public bool IsNull => Value == null;");
        s.AppendLine($"    public static implicit operator {pointer}({name} handle) => handle.Value;");
        s.AppendLine($"    public static implicit operator {name}({pointer} value) => new(value);");
        s.AppendLine($"    /// <summary>For arrays of handles, stored as nint (pointers cannot be inline-array elements).</summary>");
        s.AppendLine($"    public static explicit operator {name}(nint value) => new(({pointer})value);");
        s.AppendLine($"    public static explicit operator nint({name} handle) => (nint)handle.Value;");
        s.AppendLine($"    public bool Equals({name} other) => Value == other.Value;");
        s.AppendLine($"    public override bool Equals(object obj) => obj is {name} other && Equals(other);");
        s.AppendLine($"    public override int GetHashCode() => ((nint)Value).GetHashCode();");
        s.AppendLine($"    public static bool operator ==({name} left, {name} right) => left.Value == right.Value;");
        s.AppendLine($"    public static bool operator !=({name} left, {name} right) => left.Value != right.Value;");
        s.AppendLine("}");
        s.AppendLine();
    }
}
