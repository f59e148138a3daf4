using System.Runtime.CompilerServices;
using System.Text;

namespace DpdkSharp.Generator.Tests.Infrastructure;

/// <summary>
/// Snapshot testing without Verify: <c>Snapshots/&lt;name&gt;.verified.cs</c> in the source tree is the expected
/// text. A mismatch writes <c>&lt;name&gt;.received.cs</c> beside it (diff the two, or accept) and fails with the
/// first differing lines. <c>DPDKSHARP_ACCEPT_SNAPSHOTS=1</c> accepts: the received text becomes the verified one.
/// </summary>
internal static class Snapshot
{
    public const string AcceptVariable = "DPDKSHARP_ACCEPT_SNAPSHOTS";

    public static void Verify(string actual, string name, [CallerFilePath] string callerFile = "")
    {
        var directory = Path.Combine(ProjectDirectory(callerFile), "Snapshots");
        Directory.CreateDirectory(directory);
        var verified = Path.Combine(directory, name + ".verified.cs");
        var received = Path.Combine(directory, name + ".received.cs");
        actual = Normalize(actual);

        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            File.WriteAllText(verified, actual);
            File.Delete(received);
            return;
        }
        var expected = File.Exists(verified) ? Normalize(File.ReadAllText(verified)) : null;
        if (expected == actual)
        {
            File.Delete(received);
            return;
        }
        File.WriteAllText(received, actual);
        Assert.Fail(expected is null
            ? $"no snapshot {verified}: review {received}, then accept it (rename, or run with {AcceptVariable}=1)"
            : $"snapshot {name} differs (received: {received}):{Environment.NewLine}{Diff(expected, actual)}");
    }

    /// <summary>The test project's directory: the nearest ancestor of the calling source file with a .csproj.</summary>
    internal static string ProjectDirectory(string callerFile)
    {
        for (var dir = Path.GetDirectoryName(callerFile); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (Directory.EnumerateFiles(dir, "*.csproj").Any())
            {
                return dir;
            }
        }

        throw new InvalidOperationException($"no project directory above {callerFile}");
    }

    // Git may check text out with CRLF; snapshots compare by content.
    private static string Normalize(string text) => text.Replace("\r\n", "\n");

    /// <summary>The first few differing lines, with line numbers: enough to see what changed without a diff tool.</summary>
    internal static string Diff(string expected, string actual, int maxLines = 12)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        var s = new StringBuilder();
        var shown = 0;
        for (var i = 0; i < Math.Max(e.Length, a.Length) && shown < maxLines; i++)
        {
            var left = i < e.Length ? e[i] : null;
            var right = i < a.Length ? a[i] : null;
            if (left == right)
            {
                continue;
            }

            if (left is not null)
            {
                s.AppendLine($"  {i + 1,5} - {left}");
            }

            if (right is not null)
            {
                s.AppendLine($"  {i + 1,5} + {right}");
            }

            shown++;
        }
        if (e.Length != a.Length)
        {
            s.AppendLine($"  ({e.Length} lines expected, {a.Length} received)");
        }

        return s.ToString();
    }
}
