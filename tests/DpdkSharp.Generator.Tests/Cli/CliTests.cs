using System.Text.Json;
using DpdkSharp.Generator.Tests.Infrastructure;
using Program = DpdkSharp.Generator.Cli.Program;

namespace DpdkSharp.Generator.Tests.Cli;

/// <summary>dpdksharp-gen run in-process: reports, exit codes and one clear message per kind of bad input.</summary>
public class CliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string TempDir() => Path.Combine(Path.GetTempPath(), "dpdksharp-cli-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Generates_and_prints_a_short_report()
    {
        var output = TempDir();
        var (code, stdout, stderr) = Run("--header", FixtureGeneration.Header("functions.h"), "--output", output);
        Assert.True(code == 0, stderr);
        Assert.Contains("emitted: 1 function, 4 inline function", stdout);
        Assert.Contains("function fn_log: variadic", stdout);
        Assert.True(File.Exists(Path.Combine(output, "cs", "functions.cs")));
        Assert.True(File.Exists(Path.Combine(output, "native", "dpdksharp_shim.c")));
        Assert.True(File.Exists(Path.Combine(output, "native", "layout_check.c")));
    }

    [Fact]
    public void Json_report_has_counts_and_skips()
    {
        var reportFile = Path.GetTempFileName();
        var (code, stdout, stderr) = Run("--header", FixtureGeneration.Header("macros.h"), "--output", TempDir(),
            "--report", "json", "--report-file", reportFile);
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(24, json.RootElement.GetProperty("emitted").GetProperty("constant").GetInt32());
        Assert.Contains(json.RootElement.GetProperty("skipped").EnumerateArray(),
            s => s.GetProperty("name").GetString() == "BIT64" && s.GetProperty("reason").GetString() == "function-like macro");
        Assert.Equal(stdout.Trim(), File.ReadAllText(reportFile).Trim());
    }

    [Fact]
    public void Clang_arguments_after_the_separator_reach_clang()
    {
        var (code, _, stderr) = Run("--header", FixtureGeneration.Header("docs_availability.h"), "--output", TempDir(), "--", "-DALLOW_EXPERIMENTAL_API", "-I/tmp");
        Assert.True(code == 0, stderr);
    }

    [Fact]
    public void Missing_header()
    {
        var (code, _, stderr) = Run("--header", "/nonexistent/rte_nothing.h", "--output", TempDir());
        Assert.Equal(1, code);
        Assert.Contains("error: header not found: /nonexistent/rte_nothing.h", stderr);
    }

    [Fact]
    public void Clang_error()
    {
        var header = Path.Combine(Path.GetTempPath(), $"bad_{Guid.NewGuid():N}.h");
        File.WriteAllText(header, "int ok;\nint broken = ;\n");
        var (code, _, stderr) = Run("--header", header, "--output", TempDir());
        Assert.Equal(1, code);
        Assert.Contains($"{header}:2:14: error: expected expression", stderr);
        Assert.Contains("error:", stderr);
    }

    [Fact]
    public void Unwritable_output()
    {
        var blocker = Path.GetTempFileName(); // a file where a directory must go
        var (code, _, stderr) = Run("--header", FixtureGeneration.Header("enums.h"), "--output", Path.Combine(blocker, "out"));
        Assert.Equal(1, code);
        Assert.Contains("output directory is not writable", stderr);
    }

    [Fact]
    public void Options_file_that_does_not_parse()
    {
        var options = Path.GetTempFileName();
        File.WriteAllText(options, "{ \"headers\": [ \n");
        var (code, _, stderr) = Run("--options", options, "--output", TempDir());
        Assert.Equal(1, code);
        Assert.Contains($"options file does not parse: {options}", stderr);
    }

    [Fact]
    public void No_headers_at_all()
    {
        var (code, _, stderr) = Run("--output", TempDir());
        Assert.Equal(1, code);
        Assert.Contains("no headers", stderr);
    }

    [Fact]
    public void Diff_reports_layout_changes()
    {
        string Write(string text)
        {
            var dir = TempDir();
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "link.h"), text);
            var options = Path.Combine(dir, "options.json");
            File.WriteAllText(options, $$"""{ "headers": ["{{Path.Combine(dir, "link.h")}}"] }""");
            return options;
        }
        var a = Write("struct link { unsigned speed; unsigned short duplex : 1; };\nint link_get(struct link *l);\n");
        var b = Write("struct link { unsigned speed; unsigned short duplex : 1; unsigned short status : 1; unsigned long long extra; };\nint link_get(struct link *l, int wait);\n");
        var (code, stdout, stderr) = Run("diff", "--from-options", a, "--from-cflags", "", "--to-options", b, "--to-cflags", "",
            "--from-name", "v1", "--to-name", "v2");
        Assert.True(code == 0, stderr);
        Assert.Contains("# API changes: v1 → v2", stdout);
        Assert.Contains("`link`: size 8 → 16", stdout);
        Assert.Contains("`link_get`: `int link_get(struct link *)` → `int link_get(struct link *, int)`", stdout);
    }
}
