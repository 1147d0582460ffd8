namespace Loopwire.TestKit;

/// <summary>Bounded polling for conditions the code under test reaches on its own (a drained registry, a finished run).</summary>
/// <remarks>The bound is a hang guard, not a timing assertion: pick it generously.</remarks>
public static class Eventually
{
    /// <summary>The pause between checks unless one is given.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Checks <paramref name="condition"/> until it holds or <paramref name="guard"/> passes.</summary>
    /// <returns>Whether the condition held.</returns>
    public static Task<bool> UntilAsync(Func<bool> condition, TimeSpan guard, TimeSpan? interval = null) =>
        UntilAsync(() => Task.FromResult(condition()), guard, interval);

    /// <summary>Checks an asynchronous <paramref name="condition"/> until it holds or <paramref name="guard"/> passes.</summary>
    /// <returns>Whether the condition held.</returns>
    public static async Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan guard, TimeSpan? interval = null)
    {
        using var cts = new CancellationTokenSource(guard);
        while (!await condition())
        {
            if (cts.IsCancellationRequested)
            {
                return false;
            }

            await Task.Delay(interval ?? DefaultInterval, CancellationToken.None);
        }

        return true;
    }
}
