using System.Text.Json;
using DpdkSharp.Generator.Tests.Emit;
using DpdkSharp.Generator.Tests.Infrastructure;
using Program = DpdkSharp.Generator.Cli.Program;

namespace DpdkSharp.Generator.Tests.Cli;

/// <summary>The report options of dpdksharp-gen: <c>--report text|json [path]</c>, <c>--report-file</c>, repeatable clang arguments.</summary>
public class ReportOptionTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Report_with_a_path_writes_it_there_and_prints_the_summary()
    {
        using var temp = new TempHeaders();
        var path = Path.Combine(temp.Root, "report.json");
        var (code, stdout, stderr) = Run("--header", FixtureGeneration.Header("functions.h"), "--output", temp.Output, "--report", "json", path);
        Assert.True(code == 0, stderr);
        Assert.StartsWith("dpdksharp-gen: ", stdout);
        Assert.DoesNotContain("fn_log", stdout); // the summary counts skips; the file lists them
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal(1, json.RootElement.GetProperty("skippedByKind").GetProperty("function").GetInt32());
        Assert.Equal(4, json.RootElement.GetProperty("emitted").GetProperty("inline function").GetInt32());
    }

    [Fact]
    public void Text_report_to_a_file_lists_every_skip_with_its_location()
    {
        using var temp = new TempHeaders();
        var path = Path.Combine(temp.Root, "report.txt");
        var header = FixtureGeneration.Header("functions.h");
        var (code, _, stderr) = Run("--header", header, "--output", temp.Output, "--report", "text", path);
        Assert.True(code == 0, stderr);
        Assert.Contains("function fn_log: variadic", File.ReadAllText(path));
        Assert.Contains($"({header}:8)", File.ReadAllText(path));
    }

    [Fact]
    public void Unknown_report_format_is_an_error()
    {
        using var temp = new TempHeaders();
        var (code, _, stderr) = Run("--header", FixtureGeneration.Header("enums.h"), "--output", temp.Output, "--report", "xml");
        Assert.NotEqual(0, code);
        Assert.Contains("unknown format 'xml'", stderr);
    }

    [Fact]
    public void Unwritable_report_file_is_an_error()
    {
        using var temp = new TempHeaders();
        var blocker = temp.Write("blocker", "");
        var (code, _, stderr) = Run("--header", FixtureGeneration.Header("enums.h"), "--output", temp.Output,
            "--report-file", Path.Combine(blocker, "report.json"));
        Assert.Equal(1, code);
        Assert.Contains("cannot write the report", stderr);
        Assert.DoesNotContain("   at ", stderr); // a message, not a stack trace
    }

    [Fact]
    public void Repeated_clang_arguments_reach_clang()
    {
        using var temp = new TempHeaders();
        var header = temp.Write("conditional.h", "#if defined(WITH_A) && WITH_B == 2\nint conditional_fn(void);\n#endif\n");
        var (code, stdout, stderr) = Run("--header", header, "--output", temp.Output,
            "--clang-arg", "-DWITH_A", "--clang-arg", "-DWITH_B=2");
        Assert.True(code == 0, stderr);
        Assert.Contains("1 function", stdout);
        Assert.Contains("conditional_fn", temp.CSharp("conditional"));
    }
}
