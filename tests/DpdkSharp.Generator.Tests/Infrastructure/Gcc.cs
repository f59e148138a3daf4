using System.Diagnostics;

namespace DpdkSharp.Generator.Tests.Infrastructure;

/// <summary>Runs gcc for the native tests; a missing gcc is a loud failure naming the Debian package.</summary>
internal static class Gcc
{
    public static (int ExitCode, string Errors) Run(params string[] args)
    {
        var info = new ProcessStartInfo("gcc") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("gcc not found: install Debian's package gcc (bash eng/setup.sh)", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, stderr.Result);
        }
    }

    public static void Compile(params string[] args)
    {
        var (code, errors) = Run(args);
        Assert.True(code == 0, $"gcc {string.Join(' ', args)} failed:\n{errors}");
    }
}
