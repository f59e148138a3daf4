using System.Text;

namespace DpdkSharp.Generator.Emit.CSharp;

/// <summary>
/// The <c>[InlineArray]</c> types for C fixed arrays, shared by shape (<c>FixedArray_byte_6</c>): one type
/// per element type and length across all records, emitted into one file. Pointers cannot be inline-array
/// elements (nor generic arguments), so an array of <c>T*</c> stores <c>nint</c> and offers typed
/// <c>Get</c>/<c>Set</c> (<c>FixedArray_rte_mbufPtr_32</c>).
/// </summary>
internal sealed class FixedArrays
{
    private readonly SortedDictionary<string, (string Element, long Length, string? Pointer)> _types = new(StringComparer.Ordinal);

    public string Get(string element, long length)
    {
        var name = $"FixedArray_{Sanitize(element)}_{length}";
        _types.TryAdd(name, (element, length, null));
        return name;
    }

    /// <summary>An array of <paramref name="pointer"/> (a C# pointer type such as <c>sbyte*</c>).</summary>
    public string GetPointers(string pointer, long length)
    {
        var name = $"FixedArray_{Sanitize(pointer)}_{length}";
        _types.TryAdd(name, ("nint", length, pointer));
        return name;
    }

    public int Count => _types.Count;

    private static string Sanitize(string element) => element.Replace("@", "").Replace("*", "Ptr");

    public void Emit(StringBuilder s)
    {
        foreach (var (name, (element, length, pointer)) in _types)
        {
            s.AppendLine($"/// <summary>A C array of {length} × <c>{pointer ?? element}</c>.</summary>");
            s.AppendLine($"[System.Runtime.CompilerServices.InlineArray({length})]");
            s.AppendLine($"public {(pointer is null ? "" : "unsafe ")}partial struct {name}");
            s.AppendLine("{");
            s.AppendLine($"    public {element} e0;");
            if (pointer is not null)
            {
                s.AppendLine($"    /// <summary>Element <paramref name=\"index\"/> as its C pointer type.</summary>");
                s.AppendLine($"    public readonly {pointer} Get(int index) => ({pointer})this[index];");
                s.AppendLine($"    /// <summary>Stores <paramref name=\"value\"/> at <paramref name=\"index\"/>.</summary>");
                s.AppendLine($"    public void Set(int index, {pointer} value) => this[index] = (nint)value;");
            }
            s.AppendLine("}");
            s.AppendLine();
        }
    }
}
