namespace DpdkSharp.Generator.Tests.Emit;

/// <summary>Extern variables are refs into the library's own storage; thread-locals are skipped (no address to share).</summary>
public class GlobalTests
{
    [Fact]
    public void Globals_are_read_and_written_in_place()
    {
        var result = NativeFixture.Run("globals", """
            namespace Fixtures;
            public static unsafe class Probe
            {
                public static string Run()
                {
                    var before = $"{Native.global_count} {Native.global_counters.rx} {Native.global_limit} {Native.global_table[3]}";
                    Native.global_count = 9;
                    Native.global_counters.rx = 777;
                    var tls = typeof(Native).GetProperty("global_tls") is null;
                    return $"{before} => {Native.globals_read_count()} {Native.globals_read_rx()} {tls}";
                }
            }
            """);
        Assert.Equal("5 100 1500 4 => 9 777 True", result);
    }
}
