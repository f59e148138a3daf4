using DpdkSharp.Generator.Tests.Infrastructure;

namespace DpdkSharp.Generator.Tests.Emit;

/// <summary>Issue #16, 8: unnamed parameters are named after their type where it says something, not arg0.</summary>
public class UnnamedParameterTests
{
    [Fact]
    public void Unnamed_parameters_take_their_types_name()
    {
        var output = FixtureGeneration.Generate("unnamed_parameters.h");
        var cs = output.CSharp("unnamed_parameters");
        Assert.Contains("fx_reset_keep(fx_stream* fx_streamp);", cs);
        Assert.Contains("fx_dump_open(fx_pcap_t* fx_pcap_t, fx_file* fx_file);", cs);
        Assert.Contains("fx_copy(fx_stream* fx_streamp0, fx_stream* fx_streamp1);", cs); // the same type twice
        Assert.Contains("fx_plain(int arg0, uint arg1);", cs); // C's own types say nothing
        Assert.Contains("fx_mixed(fx_stream* arg0, int fx_streamp);", cs); // never a name C already uses
        var compiled = InMemoryCompiler.Compile("unnamed_parameters", output.AllCSharp());
        Assert.True(compiled.Assembly is not null && !compiled.Problems.Any(), compiled.Describe());
    }
}
