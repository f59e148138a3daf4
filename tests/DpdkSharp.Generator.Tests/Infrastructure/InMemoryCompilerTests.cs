namespace DpdkSharp.Generator.Tests.Infrastructure;

public class InMemoryCompilerTests
{
    [Fact]
    public void Runs_library_import_generator_over_sources()
    {
        var result = InMemoryCompiler.Compile("probe", """
            using System.Runtime.InteropServices;
            public static partial class Probe
            {
                [LibraryImport("libc", EntryPoint = "getpid")]
                public static partial int getpid();
            }
            """);
        Assert.True(result.Assembly is not null, result.Describe());
        Assert.Empty(result.Problems);
        var pid = (int)result.Assembly!.GetType("Probe")!.GetMethod("getpid")!.Invoke(null, null)!;
        Assert.Equal(Environment.ProcessId, pid);
    }

    [Fact]
    public void Reports_errors()
    {
        var result = InMemoryCompiler.Compile("broken", "public struct S { int x = ; }");
        Assert.Null(result.Assembly);
        Assert.NotEmpty(result.Problems);
    }
}
