namespace DpdkSharp.Stack.Tests;

/// <summary>
/// Holds a reactor's thread in a command, so its stack receives and answers nothing (a peer gone silent)
/// until disposed. The constructor returns once the thread is held; disposing lets it go and waits for it.
/// </summary>
internal sealed class FrozenReactor : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);
    private readonly ManualResetEventSlim _release = new();
    private readonly Task<bool> _held;

    public FrozenReactor(Reactor reactor)
    {
        using var holding = new ManualResetEventSlim();
        _held = reactor.InvokeAsync(_ =>
        {
            holding.Set();
            return _release.Wait(Limit); // bounded: a test that forgets to dispose cannot hang the reactor for ever
        });
        Assert.True(holding.Wait(Limit), "the reactor never ran the command");
    }

    public void Dispose()
    {
        _release.Set();
        Assert.True(_held.Wait(Limit), "the reactor's thread did not come back");
        _release.Dispose();
    }
}
