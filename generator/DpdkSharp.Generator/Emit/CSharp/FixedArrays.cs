using System.Text;

namespace DpdkSharp.Generator.Emit.CSharp;

/// <summary>
/// The <c>[InlineArray]</c> types for C fixed arrays, shared by shape (<c>FixedArray_byte_6</c>): one type
/// per element type and length across all records, emitted into one file.
/// </summary>
internal sealed class FixedArrays
{
    private readonly SortedDictionary<string, (string Element, long Length)> _types = new(StringComparer.Ordinal);

    public string Get(string element, long length)
    {
        var name = $"FixedArray_{Sanitize(element)}_{length}";
        _types.TryAdd(name, (element, length));
        return name;
    }

    public int Count => _types.Count;

    private static string Sanitize(string element) => element.TrimStart('@').Replace("*", "Ptr");

    public void Emit(StringBuilder s)
    {
        foreach (var (name, (element, length)) in _types)
        {
            s.AppendLine($"/// <summary>A C array of {length} × <c>{element}</c>.</summary>");
            s.AppendLine($"[System.Runtime.CompilerServices.InlineArray({length})]");
            s.AppendLine($"public partial struct {name}");
            s.AppendLine("{");
            s.AppendLine($"    public {element} e0;");
            s.AppendLine("}");
            s.AppendLine();
        }
    }
}
