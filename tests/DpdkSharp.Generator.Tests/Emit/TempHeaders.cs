namespace DpdkSharp.Generator.Tests.Emit;

/// <summary>A scratch folder of C headers written by a test, and the pipeline run over them.</summary>
internal sealed class TempHeaders : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "dpdksharp-headers-" + Guid.NewGuid().ToString("N"));

    public string Output => Path.Combine(Root, "out");

    /// <summary>Writes <paramref name="relativePath"/> (folders allowed) and returns its full path.</summary>
    public string Write(string relativePath, string content)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public GenerationReport Run(GeneratorOptions options) => Pipeline.Run(options, Output);

    public string CSharp(string file) => File.ReadAllText(Path.Combine(Output, "cs", file + ".cs"));

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
