namespace DpdkSharp.Generator.Emit.C;

/// <summary>The <c>#include</c> line for a header: <c>&lt;name&gt;</c> or <c>"path"</c> as given (<see cref="Model.CModel.Includes"/>), a bare path quoted.</summary>
internal static class IncludeLine
{
    public static string For(string header) =>
        header.StartsWith('<') || header.StartsWith('"') ? $"#include {header}" : $"#include \"{header}\"";
}
