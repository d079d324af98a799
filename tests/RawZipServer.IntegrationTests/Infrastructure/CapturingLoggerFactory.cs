using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace RawZipServer.IntegrationTests.Infrastructure;

/// <summary>A test logger provider: keeps every event with its structured fields, and echoes it to the test output.</summary>
internal sealed class CapturingLoggerFactory(ITestOutputHelper? output = null) : ILoggerFactory
{
    public ConcurrentQueue<LoggedEvent> Events { get; } = new();

    private ITestOutputHelper? Output { get; } = output;

    public IEnumerable<LoggedEvent> InCategory(string category) => Events.Where(e => e.Category == category);

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(CapturingLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var fields = new Dictionary<string, object?>();
            if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach (var (key, value) in pairs)
                {
                    fields[key] = value;
                }
            }

            string message = formatter(state, exception);
            owner.Events.Enqueue(new LoggedEvent(category, eventId, logLevel, message, fields));
            try
            {
                owner.Output?.WriteLine($"[server {logLevel}] {category}: {message}");
            }
            catch (InvalidOperationException)
            {
                // The test already finished.
            }
        }
    }
}

internal sealed record LoggedEvent(string Category, EventId EventId, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Fields)
{
    public object? this[string field] => Fields.TryGetValue(field, out var value) ? value : null;
}
