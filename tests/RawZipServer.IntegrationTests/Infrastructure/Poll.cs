namespace RawZipServer.IntegrationTests.Infrastructure;

/// <summary>
/// A client can hold a response's last byte before the server has finished counting or logging it
/// (the server flushes first, then counts): wait for the condition, boundedly.
/// </summary>
internal static class Poll
{
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(20));
        T value = await read();
        for (int i = 0; i < 1000 && !done(value) && DateTime.UtcNow < deadline; i++)
        {
            await Task.Delay(50);
            value = await read();
        }

        return value;
    }
}
