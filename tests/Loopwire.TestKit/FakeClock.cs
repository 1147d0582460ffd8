using Microsoft.Extensions.Time.Testing;

namespace Loopwire.TestKit;

/// <summary>Drives a <see cref="FakeTimeProvider"/> for code that waits on it.</summary>
public static class FakeClock
{
    /// <summary>
    /// Awaits <paramref name="work"/>, moving the clock on by <paramref name="step"/> whenever the work has not finished
    /// yet, so delays on the fake clock elapse without real waiting.
    /// </summary>
    public static async Task AdvanceUntilDoneAsync(this FakeTimeProvider time, Task work, TimeSpan step)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(work);
        while (!work.IsCompleted)
        {
            await Task.WhenAny(work, Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System));
            if (!work.IsCompleted)
            {
                time.Advance(step);
            }
        }

        await work;
    }

    /// <inheritdoc cref="AdvanceUntilDoneAsync(FakeTimeProvider, Task, TimeSpan)"/>
    public static async Task<T> AdvanceUntilDoneAsync<T>(this FakeTimeProvider time, Task<T> work, TimeSpan step)
    {
        await time.AdvanceUntilDoneAsync((Task)work, step);
        return await work;
    }
}
