namespace DpdkSharp.Stack.Dpdk.Tests;

/// <summary>What <see cref="DpdkStackOptions.Validate"/> refuses of the reactor's poll settings (no DPDK needed: nothing starts).</summary>
public sealed class StackOptionsTests
{
    private static DpdkStackOptions Valid() => new() { Device = "net_null0", Address = "10.90.0.2/24" };

    [Fact]
    public void Default_and_busy_polling_spins_are_accepted()
    {
        Valid().Validate();
        (Valid() with { SpinIterationsBeforeSleep = int.MaxValue }).Validate();
        Assert.Equal(new ReactorOptions().SpinIterationsBeforeSleep, Valid().SpinIterationsBeforeSleep);
    }

    [Fact]
    public void A_negative_spin_or_short_sleep_window_is_refused_by_name()
    {
        var spin = Assert.Throws<ArgumentException>(() => (Valid() with { SpinIterationsBeforeSleep = -1 }).Validate());
        Assert.Contains("SpinIterationsBeforeSleep -1 is negative", spin.Message);
        var window = Assert.Throws<ArgumentException>(() => (Valid() with { ShortSleepWindow = TimeSpan.FromTicks(-1) }).Validate());
        Assert.Contains("ShortSleepWindow", window.Message);
    }
}
