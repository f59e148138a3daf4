using System.Text.RegularExpressions;
using System.Xml.Linq;
using DpdkSharp.Generator.Tests.Infrastructure;

namespace DpdkSharp.Generator.Tests.Emit;

/// <summary>Doxygen's @param, @return, @retval, @note and @warning become XML doc elements (issue #16, held-out check).</summary>
public class DoxygenTests
{
    [Fact]
    public void Block_tags_become_xml_doc_elements()
    {
        var cs = FixtureGeneration.Generate("doxygen.h").CSharp("doxygen");
        var send = Doc(cs, "fx_send");
        Assert.Equal("Sends a burst.\n\nLonger description,\non two lines.", Text(send.Element("summary")));
        Assert.Equal("The port.", Text(send.Elements("param").Single(p => (string?)p.Attribute("name") == "port")));
        Assert.Equal("The packets,\ncontinued here.", Text(send.Elements("param").Single(p => (string?)p.Attribute("name") == "pkts")));
        Assert.Equal("- 0: Success.\n- <0: Error & more.", Text(send.Element("returns")));
        Assert.Equal("Note: Not thread safe.\nWarning: Blocks.\nParameter missing: A parameter the C# does not have.", Text(send.Element("remarks")));
        Assert.DoesNotContain("@", send.ToString());

        Assert.Equal("0: Success.\n-EINVAL: Bad argument.", Text(Doc(cs, "fx_check").Element("returns")));
        Assert.Equal("The value.", Text(Doc(cs, "fx_backslash").Element("param")));
    }

    /// <summary>The doc comment above a function's stub, parsed as XML (so it must be well formed).</summary>
    private static XElement Doc(string cs, string function)
    {
        var lines = cs.Split('\n');
        var at = Array.FindIndex(lines, l => l.Contains($" {function}("));
        var start = at;
        while (start > 0 && !lines[start - 1].TrimStart().StartsWith("///", StringComparison.Ordinal))
        {
            start--;
        }

        var end = start;
        while (start > 0 && lines[start - 1].TrimStart().StartsWith("///", StringComparison.Ordinal))
        {
            start--;
        }

        var xml = string.Join('\n', lines[start..end].Select(l => Regex.Replace(l, @"^\s*/// ?", "")));
        return XElement.Parse($"<doc>{xml}</doc>");
    }

    private static string Text(XElement? e) =>
        string.Join('\n', (e?.Value ?? "").Trim('\n').Split('\n').Select(l => l.Trim()));
}
