using System.Runtime.CompilerServices;

namespace DpdkSharp.Generator.Tests.Infrastructure;

/// <summary>Runs the real pipeline over fixture headers into a temporary folder.</summary>
internal static class FixtureGeneration
{
    public const string Library = "fixtures";
    public const string Prefix = "fx";
    public const string Namespace = "Fixtures";

    public static string Directory([CallerFilePath] string caller = "") =>
        Path.Combine(Snapshot.ProjectDirectory(caller), "Fixtures");

    public static string Header(string name) => Path.Combine(Directory(), name);

    public sealed record Output(string Folder, GenerationReport Report)
    {
        public string CSharp(string file) => File.ReadAllText(Path.Combine(Folder, "cs", file + ".cs"));
        public string[] AllCSharp() => [.. System.IO.Directory.GetFiles(Path.Combine(Folder, "cs"), "*.cs").Order().Select(File.ReadAllText)];
        public string Shim => Path.Combine(Folder, "native", Library + ".c");
        public string LayoutCheck => Path.Combine(Folder, "native", Pipeline.LayoutCheckFile);
    }

    public static Output Generate(params string[] headers)
    {
        var folder = Path.Combine(Path.GetTempPath(), "dpdksharp-fixtures-" + Guid.NewGuid().ToString("N"));
        var options = new GeneratorOptions
        {
            Headers = [.. headers.Select(Header)],
            HeaderRoots = [Directory()],
            Namespace = Namespace,
            LibraryName = Library,
            ShimLibraryName = Library, // one test library holds a fixture's C and the shim's wrappers
            ShimPrefix = Prefix,
            ApiClass = "Native",
            SuppressGCTransition = ["fn_add"],
        };
        return new Output(folder, Pipeline.Run(options, folder));
    }
}
