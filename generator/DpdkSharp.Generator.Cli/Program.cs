using System.CommandLine;
using DpdkSharp.Generator;
using DpdkSharp.Generator.Diff;

namespace DpdkSharp.Generator.Cli;

/// <summary>
/// dpdksharp-gen: the command line over the generator pipeline. Prints the short report; exit code 0, or 1 with
/// one message on stderr for bad input (missing header, clang error, unwritable output, bad options file).
///   dpdksharp-gen --header h.h [--header ...] [--clang-arg -I...] --output DIR [--report text|json [PATH]] [--report-file PATH]
///                 [--namespace NS] [--class NAME] [--library LIB] [--shim-library LIB] [--shim-prefix P]
///   dpdksharp-gen --options headers/dpdk.json --options headers/22.11/headers.json --output obj/gen -- $(pkg-config --cflags libdpdk)
///   dpdksharp-gen diff --from-options ... --from-cflags "..." --to-options ... --to-cflags "..." --output diff.md
/// </summary>
public static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var optionsFiles = new Option<string[]>("--options") { Description = "Options file(s), read in order (JSON)", AllowMultipleArgumentsPerToken = false };
        var headers = new Option<string[]>("--header") { Description = "A header to bind (repeatable)" };
        var clangArg = new Option<string[]>("--clang-arg") { Description = "A clang argument (repeatable); or pass them after --" };
        var output = new Option<string>("--output") { Description = "Output directory", Required = true };
        // --report text|json [path]: the format, and optionally where to write the full report (stdout then gets the summary).
        var report = new Option<string[]>("--report")
        {
            Description = "Report format (text or json), optionally followed by a file to write it to",
            Arity = new ArgumentArity(1, 2),
            AllowMultipleArgumentsPerToken = true,
        };
        report.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string[]>() is [var format, ..] && format is not ("text" or "json"))
            {
                r.AddError($"--report: unknown format '{format}' (text or json)");
            }
        });
        var reportFile = new Option<string?>("--report-file") { Description = "Write the full report to this file (JSON unless --report text)" };
        // Naming flags, so that binding a header needs no options file; each overrides the options files' value.
        var ns = new Option<string?>("--namespace") { Description = "C# namespace of the generated code" };
        var apiClass = new Option<string?>("--class") { Description = "Static partial class holding functions, constants and globals" };
        var library = new Option<string?>("--library") { Description = "Native library of the exported functions and variables (z for libz.so)" };
        var shimLibrary = new Option<string?>("--shim-library") { Description = "Native library of the static inline wrappers (default: <library>_shim)" };
        var shimPrefix = new Option<string?>("--shim-prefix") { Description = "Prefix of the shim's exported wrappers (<prefix>_<function>)" };
        var trailing = new Argument<string[]>("clang-args") { Description = "clang arguments (after --)", Arity = ArgumentArity.ZeroOrMore };

        var root = new RootCommand("Generates C# bindings, a C shim for static inline functions and a C layout checker from C headers.")
        {
            optionsFiles, headers, clangArg, output, report, reportFile, ns, apiClass, library, shimLibrary, shimPrefix, trailing,
        };
        root.SetAction(parse => Guarded(stderr, () =>
        {
            var defaults = new GeneratorOptions();
            var names = new GeneratorOptions
            {
                Namespace = parse.GetValue(ns) ?? defaults.Namespace,
                ApiClass = parse.GetValue(apiClass) ?? defaults.ApiClass,
                LibraryName = parse.GetValue(library) ?? defaults.LibraryName,
                ShimLibraryName = parse.GetValue(shimLibrary),
                ShimPrefix = parse.GetValue(shimPrefix) ?? defaults.ShimPrefix,
            };
            var options = Load(parse.GetValue(optionsFiles), parse.GetValue(headers), [.. parse.GetValue(clangArg) ?? [], .. parse.GetValue(trailing) ?? []])
                .Merge(names);
            var result = Pipeline.Run(options, parse.GetValue(output)!);
            // --report F: the report in F on stdout. --report F PATH: the report in F to PATH, the summary on stdout.
            // --report-file PATH: the report also to PATH (in F, JSON when no format is given).
            var formatAndPath = parse.GetValue(report) ?? [];
            var format = formatAndPath.Length > 0 ? formatAndPath[0] : "text";
            var path = formatAndPath.Length > 1 ? formatAndPath[1] : parse.GetValue(reportFile);
            string Render(string f) => f == "json" ? result.ToJson() + Environment.NewLine : result.ToText();
            if (path is not null)
            {
                WriteReport(path, Render(formatAndPath.Length > 0 ? format : "json"));
            }

            stdout.Write(formatAndPath.Length > 1 ? result.ToText(detailed: false) : Render(format));
            return 0;
        }));
        root.Subcommands.Add(DiffCommand(stdout, stderr));
        return root.Parse(args).Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }

    private static Command DiffCommand(TextWriter stdout, TextWriter stderr)
    {
        var fromOptions = new Option<string[]>("--from-options") { Required = true, Description = "Options files of the older version" };
        var toOptions = new Option<string[]>("--to-options") { Required = true, Description = "Options files of the newer version" };
        var fromCflags = new Option<string>("--from-cflags") { Required = true, Description = "clang arguments of the older version (one string)" };
        var toCflags = new Option<string>("--to-cflags") { Required = true, Description = "clang arguments of the newer version (one string)" };
        var fromName = new Option<string>("--from-name") { DefaultValueFactory = _ => "from" };
        var toName = new Option<string>("--to-name") { DefaultValueFactory = _ => "to" };
        var output = new Option<string?>("--output") { Description = "Write the Markdown report here (default: stdout)" };
        var diff = new Command("diff", "Writes the API changes between two versions of the headers (functions, record layouts, constants).")
        {
            fromOptions, toOptions, fromCflags, toCflags, fromName, toName, output,
        };
        diff.SetAction(parse => Guarded(stderr, () =>
        {
            var (a, setA) = Pipeline.Parse(Load(parse.GetValue(fromOptions), null, Split(parse.GetValue(fromCflags)!)));
            var (b, setB) = Pipeline.Parse(Load(parse.GetValue(toOptions), null, Split(parse.GetValue(toCflags)!)));
            var bound = new HashSet<string>(setA.Functions.Select(f => f.Name).Concat(setB.Functions.Select(f => f.Name))
                .Concat(setA.Records.Select(r => r.Name)).Concat(setB.Records.Select(r => r.Name))
                .Concat(setA.Macros.Select(m => m.Name)).Concat(setB.Macros.Select(m => m.Name))
                .Concat(setA.Enums.Select(e => e.Name)).Concat(setB.Enums.Select(e => e.Name)));
            var text = ApiDiff.Compare(parse.GetValue(fromName)!, a, parse.GetValue(toName)!, b,
                d => bound.Contains(d.Name) && (setA.IsRoot(d) || setB.IsRoot(d))).ToMarkdown();
            if (parse.GetValue(output) is { } path)
            {
                File.WriteAllText(path, text);
            }
            else
            {
                stdout.Write(text);
            }

            return 0;
        }));
        return diff;
    }

    private static void WriteReport(string path, string content)
    {
        try
        {
            File.WriteAllText(path, content);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GeneratorException($"cannot write the report to {path}: {e.Message}");
        }
    }

    private static List<string> Split(string args) => [.. args.Split(' ', StringSplitOptions.RemoveEmptyEntries)];

    private static GeneratorOptions Load(string[]? files, string[]? headers, List<string> clangArgs)
    {
        var options = files is { Length: > 0 } ? GeneratorOptions.Load(files) : new GeneratorOptions();
        options = options.Merge(new GeneratorOptions { Headers = [.. headers ?? []], ClangArgs = clangArgs });
        if (options.Headers.Count == 0)
        {
            throw new GeneratorException("no headers: give --header or an options file with \"headers\"");
        }

        return options;
    }

    /// <summary>User errors (bad input, clang errors, missing prerequisites) print one message and exit 1.</summary>
    private static int Guarded(TextWriter stderr, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (GeneratorException e)
        {
            stderr.WriteLine($"dpdksharp-gen: error: {e.Message}");
            return 1;
        }
    }
}
